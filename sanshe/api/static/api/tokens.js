// API token page: select the new token on focus; confirm before revoking. The page works without it.
document.addEventListener("focusin", function (e) {
  if (e.target.matches && e.target.matches("[data-select-on-focus]")) { e.target.select(); }
});
document.addEventListener("submit", function (e) {
  var message = e.target.getAttribute && e.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { e.preventDefault(); }
});
