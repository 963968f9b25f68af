// Small progressive enhancements; every page works without them.
document.addEventListener("htmx:responseError", function (e) {
  var box = document.getElementById("htmx-error");
  if (box) {
    box.hidden = false;
    var status = e.detail.xhr.status;
    box.textContent = status === 404 ? "没有找到该记录，或您没有权限查看。"
      : status === 403 ? "您的角色不能进行这项操作。"
      : "请求失败（" + status + "），请稍后重试。已填写的内容没有丢失。";
  }
});
document.addEventListener("htmx:sendError", function () {
  var box = document.getElementById("htmx-error");
  if (box) { box.hidden = false; box.textContent = "网络连接失败，请检查网络后重试。已填写的内容没有丢失。"; }
});
// After a reveal, focus the value so screen readers announce it.
document.addEventListener("htmx:afterSwap", function (e) {
  var value = e.detail.target && e.detail.target.querySelector && e.detail.target.querySelector(".masked.full");
  if (value) { value.setAttribute("tabindex", "-1"); value.focus(); }
});
// Navigation: at desk width the side bar shows 更多's entries open; on a phone the 更多 sheet closes when
// the user taps outside it or presses Escape. Without script 更多 still opens and closes by itself.
document.addEventListener("DOMContentLoaded", function () {
  var more = document.querySelector("[data-nav-more]");
  if (!more) { return; }
  var desk = window.matchMedia("(min-width: 960px)");
  var follow = function () { more.open = desk.matches; };
  follow();
  if (desk.addEventListener) { desk.addEventListener("change", follow); }
  document.addEventListener("click", function (e) {
    if (more.open && !desk.matches && !more.contains(e.target)) { more.open = false; }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && more.open && !desk.matches) { more.open = false; more.querySelector("summary").focus(); }
  });
});
// Inline handlers are refused by the Content-Security-Policy; these data attributes replace them.
//   data-print: print the page; data-select-on-click: select a read-only link for copying;
//   data-copy-from="id": copy that field's value and say so (data-copied-label).
document.addEventListener("click", function (e) {
  var el = e.target.closest && e.target.closest("[data-print], [data-select-on-click], [data-copy-from]");
  if (!el) { return; }
  if (el.hasAttribute("data-print")) { window.print(); return; }
  if (el.hasAttribute("data-select-on-click")) { el.select(); return; }
  var field = document.getElementById(el.getAttribute("data-copy-from"));
  if (field) {
    field.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(field.value); }
    el.textContent = el.getAttribute("data-copied-label") || el.textContent;
  }
});
