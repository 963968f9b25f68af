// C-SSRS skip logic on the page (the server checks it again): Q3–Q5 only when Q2 is "yes",
// the "past 3 months" follow-up only when Q6 is "yes". Hidden questions lose their answer.
(function () {
  function value(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }
  function toggle(form, group, show) {
    form.querySelectorAll('[data-skip="' + group + '"]').forEach(function (box) {
      box.hidden = !show;
      if (!show) box.querySelectorAll("input").forEach(function (input) { input.checked = false; });
    });
  }
  function apply(form) {
    if (!form.querySelector('input[name="q2"]')) return;
    toggle(form, "thoughts", value(form, "q2") === "yes");
    toggle(form, "behaviour", value(form, "q6") === "yes");
  }
  function init() {
    document.querySelectorAll("form[data-scale]").forEach(function (form) {
      apply(form);
      form.addEventListener("change", function () { apply(form); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
