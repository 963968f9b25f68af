// Resource library pages: a live character count under the answer box (the limit is one chat message).
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-count]").forEach(function (box) {
    var limit = Number(box.dataset.count);
    var note = document.createElement("div");
    note.className = "kb-count";
    note.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", note);
    function update() {
      var n = box.value.trim().length;
      note.textContent = n + " / " + limit + " 字" + (n > limit ? "（超出 " + (n - limit) + " 字）" : "");
      note.classList.toggle("over", n > limit);
    }
    box.addEventListener("input", update);
    update();
  });
})();
