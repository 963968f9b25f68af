// Group pages: ask before destructive actions; copy invite links. Pages work without this script.
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    e.preventDefault();
  }
});
document.addEventListener("click", function (e) {
  var button = e.target.closest ? e.target.closest("[data-copy]") : null;
  if (!button) { return; }
  var text = button.getAttribute("data-copy");
  var done = function () { button.textContent = "已复制"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, function () { window.prompt("请复制链接", text); });
  } else {
    window.prompt("请复制链接", text);
  }
});
