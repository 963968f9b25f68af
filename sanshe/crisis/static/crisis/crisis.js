// Keeps the crisis clocks ("opened N minutes ago", "last contact N minutes ago") current without a reload.
(function () {
  "use strict";
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-since"));
      if (!isNaN(since)) { el.textContent = String(Math.max(Math.floor((now - since) / 60000), 0)); }
    });
  }
  setInterval(tick, 15000);
})();
