// One tap to call: after the audited reveal returns the tel: link, open the dialler straight away.
document.addEventListener("htmx:afterSwap", function (e) {
  var dial = e.detail.target && e.detail.target.querySelector && e.detail.target.querySelector("[data-autodial]");
  if (dial) { dial.focus(); dial.click(); }
});
// Copy a personal check-in link.
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest("[data-copy]");
  if (!button) return;
  var input = document.getElementById(button.dataset.copy);
  input.select();
  var done = function () { button.textContent = "已复制"; };
  if (navigator.clipboard) navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
  else { document.execCommand("copy"); done(); }
});
