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
  // The sticky score box must never cover the last question (PHQ-9 item 9): while any of it is on screen
  // the form is marked "at-last" and the box sits in the flow below it (see assessments.css).
  function dock(form) {
    var questions = form.querySelectorAll("fieldset.scale-q");
    if (!questions.length || !("IntersectionObserver" in window)) return;
    new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { form.classList.toggle("at-last", entry.isIntersecting); });
    }).observe(questions[questions.length - 1]);
  }
  function init() {
    document.querySelectorAll("form[data-scale]").forEach(function (form) {
      apply(form);
      dock(form);
      form.addEventListener("change", function () { apply(form); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
