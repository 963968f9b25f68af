// Risk alerts and private-chat notices on any page that includes this script (the groups list, the alerts
// page; the base layout may include it for staff). Opens /ws/groups/me/ and reconnects when dropped.
(function () {
  "use strict";
  var holder = document.querySelector("[data-notice-ws]");
  if (!holder || !("WebSocket" in window)) { return; }
  var url = holder.getAttribute("data-notice-ws");
  var toast = document.getElementById("notice-toast");
  var failures = 0;

  function show(text, href, danger) {
    if (!toast) { return; }
    toast.textContent = "";
    var a = document.createElement("a");
    a.href = href; a.textContent = text;
    toast.appendChild(a);
    toast.className = "toast" + (danger ? " danger" : "");
    toast.hidden = false;
  }

  function connect() {
    var socket;
    try { socket = new WebSocket(url); } catch (e) { return; }
    var ping = null;
    socket.onopen = function () {
      failures = 0;
      ping = setInterval(function () { socket.send(JSON.stringify({ type: "ping" })); }, 25000);
    };
    socket.onmessage = function (e) {
      var data;
      try { data = JSON.parse(e.data); } catch (err) { return; }
      if (data.type !== "push") { return; }
      var d = data.data;
      if (d.kind === "alert") {
        show((d.imminent ? "紧急风险预警：" : "风险预警：") + d.level + " 级，点此处理", "/groups/alerts/#alert-" + d.alert_id, true);
      } else if (d.kind === "crisis" || d.kind === "crisis_ack" || d.kind === "crisis_closed") {
        show(d.text, d.url, d.kind === "crisis");
      } else if (d.kind && d.kind.indexOf("cases.") === 0) {
        show(d.text, d.href, false);
      } else if (d.kind === "thread" || d.kind === "thread_message") {
        show("您有新的私聊消息", "/groups/threads/" + d.thread_id + "/", false);
      } else if (d.kind === "mention") {
        show("有人在群里@了您", "/groups/" + d.group_id + "/", false);
      } else if (d.text && d.href) { // any other notice of the notify layer (sanshe.core.notify)
        show(d.text, d.href, d.kind === "monitoring.alert" && d.level >= 3);
      }
    };
    socket.onclose = function (e) {
      clearInterval(ping);
      // Not logged in any more, or no access: reconnecting would only be refused again.
      if (e.code === 4401 || e.code === 4403 || e.code === 4404) { return; }
      failures += 1;
      setTimeout(connect, Math.min(1000 * Math.pow(2, failures), 30000));
    };
  }
  connect();
})();
