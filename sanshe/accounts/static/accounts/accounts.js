// Accounts pages: small enhancements; every form works without them.
(function () {
  "use strict";

  // Resend countdown for one-time codes: the server enforces the wait either way.
  function countdown(button) {
    var left = parseInt(button.getAttribute("data-countdown"), 10) || 0;
    var label = button.getAttribute("data-label") || button.textContent;
    function tick() {
      if (left <= 0) { button.disabled = false; button.textContent = label; return; }
      button.disabled = true;
      button.textContent = label + "（" + left + "秒）";
      left -= 1;
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  // Show only the role fields that the chosen role uses.
  function roleFields(form) {
    var select = form.querySelector("select[name=role]");
    if (!select) { return; }
    function apply() {
      var role = select.value;
      form.querySelectorAll("[data-show-for]").forEach(function (el) {
        var roles = el.getAttribute("data-show-for").split(" ");
        el.hidden = role !== "" && roles.indexOf(role) === -1;
      });
    }
    select.addEventListener("change", apply);
    apply();
  }

  // Password typed by hand only when "manual" is chosen.
  function passwordMode(form) {
    var radios = form.querySelectorAll("input[name=password_mode]");
    var field = form.querySelector("[data-password-field]");
    if (!radios.length || !field) { return; }
    function apply() {
      var manual = form.querySelector("input[name=password_mode]:checked");
      field.hidden = !(manual && manual.value === "manual");
    }
    radios.forEach(function (r) { r.addEventListener("change", apply); });
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-countdown]").forEach(countdown);
    document.querySelectorAll("form").forEach(function (form) {
      roleFields(form);
      passwordMode(form);
      var question = form.getAttribute("data-confirm");
      if (question) {
        form.addEventListener("submit", function (e) { if (!window.confirm(question)) { e.preventDefault(); } });
      }
    });
  });
})();
