// The notification socket of every signed-in page (sanshe.core.notify.consumers.NotificationConsumer).
// Each push of a notification is acknowledged ("delivered": the page got it), the header's unread badge is
// reloaded, and the page tells the server which path it shows while in view (a chat @mention is not sent to
// someone reading that chat). Every page shows the toast of a notification (its title and link, red when
// critical) and of a new private-chat message, except the chat page, whose own socket shows them (chat.js).
// UI strings through Django's JavaScript catalogue (/i18n/js/). Reconnects with back-off; stops on 4401/4403/4404.
(function () {
  "use strict";
  var holder = document.querySelector("[data-notify-ws]");
  if (!holder || !("WebSocket" in window)) { return; }
  var url = holder.getAttribute("data-notify-ws");
  var badgeUrl = holder.getAttribute("data-notify-badge");
  var toast = document.getElementById("notify-toast");
  var othersToast = !!document.querySelector("[data-ws-url]");
  var gettext = window.gettext || function (s) { return s; };
  var socket = null;
  var failures = 0;
  var toastTimer = null;

  function send(obj) {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(obj)); }
  }

  function viewing() {
    send({ type: "viewing", path: location.pathname, visible: document.visibilityState === "visible" });
  }

  function refreshBadge() {
    var target = document.querySelector(".notify-badge");
    if (target && badgeUrl && window.htmx) { window.htmx.ajax("GET", badgeUrl, { target: target, swap: "innerHTML" }); }
  }

  function show(text, href, danger) {
    if (!toast || othersToast || !text) { return; }
    toast.textContent = "";
    if (href) { var a = document.createElement("a"); a.href = href; a.textContent = text; toast.appendChild(a); }
    else { toast.textContent = text; }
    toast.className = "notify-toast" + (danger ? " danger" : "");
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, danger ? 15000 : 6000);
  }

  function connect() {
    try { socket = new WebSocket(url); } catch (e) { return; }
    var ping = null;
    socket.onopen = function () {
      failures = 0;
      viewing();
      ping = setInterval(function () { send({ type: "ping" }); }, 25000);
    };
    socket.onmessage = function (e) {
      var data;
      try { data = JSON.parse(e.data); } catch (err) { return; }
      if (data.type !== "push" || !data.data) { return; }
      var d = data.data;
      if (d.notification_id) {
        send({ type: "delivered", notification_id: d.notification_id });
        refreshBadge();
        show(d.text, d.href || d.url, !!d.critical);
      } else if ((d.kind === "thread" || d.kind === "thread_message") && d.thread_id) {
        var href = "/groups/threads/" + d.thread_id + "/";
        if (location.pathname !== href) { show(gettext("您有新的私聊消息"), href, false); }
      }
    };
    socket.onclose = function (e) {
      clearInterval(ping);
      socket = null;
      if (e.code === 4401 || e.code === 4403 || e.code === 4404) { return; }
      failures += 1;
      setTimeout(connect, Math.min(1000 * Math.pow(2, failures), 30000));
    };
  }
  document.addEventListener("visibilitychange", viewing);
  connect();
})();
