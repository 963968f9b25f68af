// Suggested answers in the group chat, for staff only (the page includes this through knowledge/_chat_hook.html).
// Asks the server which visible messages came from clients; beside each client question a panel of reviewed
// answers loads when it scrolls into view; other client messages get a button to look. Sending is always a
// tap on an answer the helper has opened and read: nothing is ever posted automatically.
(function () {
  "use strict";
  var hook = document.getElementById("kb-hook");
  var log = document.getElementById("chat-log");
  if (!hook || !log || !window.fetch) { return; }
  var marksUrl = hook.dataset.marksUrl;
  var panelUrl = hook.dataset.panelUrl;
  var kinds = {};          // message id -> "question" | "client" | "other" (once known)
  var asking = {};         // ids sent to the server and not answered yet
  var timer = null;

  function panelFor(id) { return panelUrl.replace(/\/0\/$/, "/" + id + "/"); }

  function attach(li) {
    var id = li.dataset.id;
    var kind = kinds[id];
    // A message that raised a risk alert gets no suggested answers: the alert or crisis is the response.
    if (!kind || kind === "other" || li.classList.contains("flagged") || li.querySelector(".kb-suggest")) { return; }
    var wrap = li.querySelector(".bubble-wrap") || li;
    var box = document.createElement("div");
    box.className = "kb-suggest";
    if (kind === "question") {
      box.setAttribute("hx-get", panelFor(id));
      box.setAttribute("hx-trigger", "revealed");
      box.setAttribute("hx-swap", "innerHTML");
    } else {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "kb-open";
      button.textContent = "查看资源库答复";
      button.setAttribute("hx-get", panelFor(id));
      button.setAttribute("hx-target", "closest .kb-suggest");
      button.setAttribute("hx-swap", "innerHTML");
      box.appendChild(button);
    }
    wrap.appendChild(box);
    if (window.htmx) { window.htmx.process(box); }
  }

  function scan() {
    var unknown = [];
    log.querySelectorAll("li.msg-row[data-id]").forEach(function (li) {
      var id = li.dataset.id;
      if (!id || li.classList.contains("mine") || li.classList.contains("system")) { return; }
      if (kinds[id]) { attach(li); } else if (!asking[id]) { unknown.push(id); }
    });
    if (!unknown.length) { return; }
    unknown.forEach(function (id) { asking[id] = true; });
    fetch(marksUrl + "&ids=" + unknown.join(","), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        unknown.forEach(function (id) { kinds[id] = "other"; delete asking[id]; });
        (data.clients || []).forEach(function (id) { kinds[id] = "client"; });
        (data.questions || []).forEach(function (id) { kinds[id] = "question"; });
        log.querySelectorAll("li.msg-row[data-id]").forEach(function (li) { if (kinds[li.dataset.id]) { attach(li); } });
      })
      .catch(function () { unknown.forEach(function (id) { delete asking[id]; }); });
  }

  function later() { clearTimeout(timer); timer = setTimeout(scan, 250); }

  new MutationObserver(later).observe(log, { childList: true });
  scan();
})();
