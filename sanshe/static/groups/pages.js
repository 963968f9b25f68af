// Group pages: ask before destructive actions; copy invite links. Pages work without this script.
// The question is on the form, or on the button that submitted it (a chat message's actions submit the page's
// one form through their form= attribute).
document.addEventListener("submit", function (e) {
  var form = e.target;
  var button = e.submitter;
  var question = (button && button.dataset && button.dataset.confirm) || (form && form.dataset && form.dataset.confirm);
  if (question && !window.confirm(question)) {
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
