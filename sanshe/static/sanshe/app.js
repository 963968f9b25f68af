// Small progressive enhancements; every page works without them.
document.addEventListener("htmx:responseError", function (e) {
  var box = document.getElementById("htmx-error");
  if (box) { box.hidden = false; box.textContent = "请求失败（" + e.detail.xhr.status + "），请稍后重试。已填写的内容没有丢失。"; }
});
