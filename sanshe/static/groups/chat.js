// Group chat: live over WebSocket with catch-up on the last seen sequence number, local echo,
// heartbeats, automatic reconnect, and polling when the socket cannot stay up (WeChat in the background).
// Without this script the page still works: the composer is a plain form.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) { return; }
  // UI strings come from Django's JavaScript catalogue (/i18n/js/, loaded before this script).
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, obj) {
    return format.replace(/%\(\w+\)s/g, function (m) { return String(obj[m.slice(2, -2)]); });
  };

  var me = Number(root.dataset.me);
  // The socket renders messages for this page: it is told the page's language (a browser need not send the
  // page's Accept-Language on the WebSocket handshake).
  var wsUrl = root.dataset.wsUrl + (root.dataset.wsUrl.indexOf("?") < 0 ? "?" : "&") +
    "lang=" + encodeURIComponent(document.documentElement.lang || "");
  var eventsUrl = root.dataset.eventsUrl;
  var sendUrl = root.dataset.sendUrl;
  var uploadUrl = root.dataset.uploadUrl;
  var flagsUrl = root.dataset.flagsUrl || "";   // staff only: markers of messages that raised an alert
  var groupId = Number(root.dataset.groupId);
  var threadId = root.dataset.threadId ? Number(root.dataset.threadId) : null;
  var lastSeq = Number(root.dataset.lastSeq) || 0;
  var log = document.getElementById("chat-log");
  var form = document.getElementById("composer");
  var body = document.getElementById("body");
  var conn = document.getElementById("conn");
  var toast = document.getElementById("toast");
  var csrf = (form && form.querySelector("[name=csrfmiddlewaretoken]") || {}).value ||
    (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";

  var socket = null, heartbeat = null, pongTimer = null, pollTimer = null, syncTimer = null;
  var failures = 0, polling = false, catchingUp = false, readTimer = null;
  // Set once the server says this page may no longer follow the stream (4401 not logged in, 4403 forbidden,
  // 4404 no longer accessible, or the same answers to a poll): no reconnecting, no polling after that.
  var gone = false;
  var pending = {};            // client_id -> {li, body, imageId, replyTo}
  var replyTo = null;

  // ------------------------------------------------------------------ rendering
  // Every message is rendered by the server with the one template (groups/_message.html), for this reader:
  // on page load, in a catch-up and in a live push alike. This script only inserts those items; its own
  // echo of a message being sent is the same template's skeleton (<template id="msg-echo">).
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function textWithBreaks(parent, text) {
    var lines = String(text).split("\n");
    lines.forEach(function (line, i) {
      if (i) { parent.appendChild(document.createElement("br")); }
      parent.appendChild(document.createTextNode(line));
    });
  }

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 160;
  }

  function scrollToBottom() {
    window.scrollTo(0, document.body.scrollHeight);
  }

  function fromHtml(html) {
    var holder = document.createElement("template");
    holder.innerHTML = String(html).trim();
    return holder.content.firstElementChild;
  }

  // The sender's own message, shown at once; the server's item replaces it when it arrives in the stream.
  function echoItem(clientId, text, previewUrl, reply) {
    var skeleton = document.getElementById("msg-echo");
    var li = skeleton.content.firstElementChild.cloneNode(true);
    li.classList.add("pending");
    li.dataset.clientId = clientId;
    li.dataset.excerpt = (text || gettext("[图片]")).slice(0, 40);
    var quote = li.querySelector(".quote");
    if (reply) {
      quote.textContent = "";
      quote.appendChild(el("b", "", reply.sender));
      quote.appendChild(document.createTextNode("：" + reply.excerpt));
    } else { quote.remove(); }
    var pic = li.querySelector(".pic");
    if (previewUrl) { pic.href = previewUrl; pic.querySelector("img").src = previewUrl; } else { pic.remove(); }
    var t = li.querySelector(".text");
    if (text) { t.textContent = ""; textWithBreaks(t, text); } else { t.remove(); }
    var time = li.querySelector("time");
    time.textContent = new Date().toTimeString().slice(0, 5);
    time.removeAttribute("title");
    return li;
  }

  function setState(li, state, text) {
    li.classList.remove("pending", "failed", "held");
    if (state) { li.classList.add(state); }
    var s = li.querySelector(".state");
    if (s) { s.textContent = text || ""; }
  }

  function showToast(text, danger, href) {
    if (!toast) { return; }
    toast.textContent = "";
    toast.className = "toast" + (danger ? " danger" : "");
    if (href) { var a = el("a", "", text); a.href = href; toast.appendChild(a); } else { toast.textContent = text; }
    toast.hidden = false;
    clearTimeout(showToast.timer);
    showToast.timer = setTimeout(function () { toast.hidden = true; }, danger ? 15000 : 5000);
  }

  function setConn(text, cls) {
    if (!conn) { return; }
    conn.textContent = text;
    conn.className = "conn" + (cls ? " " + cls : "");
  }

  // ------------------------------------------------------------------ events
  function applyEvent(ev, fromCatchUp) {
    if (!ev || typeof ev.seq !== "number") { return; }
    if (ev.seq <= lastSeq) { return; }                 // already seen: never shown twice
    // A live push past a gap: fetch what is missing, in order. What the server lists on catch-up is the
    // stream itself, so it is taken as it comes.
    if (ev.seq > lastSeq + 1 && !fromCatchUp) { catchUp(); return; }
    lastSeq = ev.seq;
    var stick = nearBottom();
    if (ev.kind === "message") {
      var m = ev.message;
      var existing = document.getElementById("m" + m.id) ||
        (m.client_id && m.sender_id === me && log.querySelector('[data-client-id="' + cssEscape(m.client_id) + '"]'));
      if (!ev.html) { return; }
      var li = fromHtml(ev.html);
      if (existing) { existing.replaceWith(li); } else { log.appendChild(li); }
      // A catch-up item carries its marker already; a live push is asked for it (staff only).
      if (!fromCatchUp && m.sender_id && m.sender_id !== me) { askFlag(m.id); }
      if (m.client_id) { delete pending[m.client_id]; }
      if (stick || m.sender_id === me) { scrollToBottom(); }
    } else if (ev.kind === "message_removed") {
      var gone = document.getElementById("m" + ev.message_id);
      if (gone) { gone.remove(); }
    } else if (ev.kind === "announcement") {
      var box = document.getElementById("announce");
      var text = document.getElementById("announce-text");
      if (box && text) { text.textContent = ""; textWithBreaks(text, ev.text || ""); box.hidden = !ev.text; }
    }
    markRead();
  }

  // A message that raised a risk alert carries a marker linking to the alert or its crisis; staff only. For a
  // message that arrived live the server sends its item again, rendered with the marker, as a reload shows it.
  var flagQueue = [], flagTimer = null;
  function askFlag(id) {
    if (!flagsUrl || !id || !window.fetch) { return; }
    flagQueue.push(id);
    clearTimeout(flagTimer);
    flagTimer = setTimeout(fetchFlags, 200);
  }

  function fetchFlags() {
    var ids = flagQueue.splice(0, 100);
    if (!ids.length) { return; }
    fetch(flagsUrl + "?ids=" + ids.join(","), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        Object.keys(data.messages || {}).forEach(function (id) {
          var li = document.getElementById("m" + id);
          if (li) { li.replaceWith(fromHtml(data.messages[id])); }
        });
      })
      .catch(function () { /* the marker shows on the next page load */ });
  }

  function cssEscape(value) {
    return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, "\\$&");
  }

  function applyNotice(d) {
    var mine = d.group_id === groupId;
    if (d.kind === "held" && d.client_id && pending[d.client_id]) {
      setState(pending[d.client_id].li, "held", d.reason);
      delete pending[d.client_id];
    } else if (d.kind === "reviewed" && !d.approved) {
      var li = document.getElementById("m" + d.message_id) ||
        (d.client_id && log.querySelector('[data-client-id="' + cssEscape(d.client_id) + '"]'));
      if (li) { setState(li, "failed", gettext("未通过群管理员审核")); }
    } else if (d.kind === "alert") {
      showToast(interpolate(d.imminent ? gettext("紧急风险预警：%(level)s 级，点此处理") : gettext("风险预警：%(level)s 级，点此处理"), { level: d.level }, true), true, "/groups/alerts/#alert-" + d.alert_id);
      var badge = document.getElementById("alert-badge");
      if (badge) { badge.hidden = false; badge.textContent = String((Number(badge.textContent) || 0) + (d.reminder ? 0 : 1)); }
    } else if (d.kind === "removed" && mine && !threadId) {
      disableComposer(d.reason ? interpolate(gettext("您已被移出本群：%(reason)s"), { reason: d.reason }, true) : gettext("您已被移出本群。"));
    } else if ((d.kind === "muted" || d.kind === "rights" || d.kind === "warned") && mine) {
      if (d.kind === "warned") { showToast(d.reason ? interpolate(gettext("您收到群管理员的警告：%(reason)s"), { reason: d.reason }, true) : gettext("您收到群管理员的警告"), true); }
      askRights();
    } else if (d.kind === "held_count" && mine) {
      var held = document.getElementById("held-badge");
      if (held) { held.textContent = String((Number(held.textContent) || 0) + 1); } else { showToast(gettext("有新的待审消息")); }
    } else if (d.kind === "mention" && !mine) {
      showToast(gettext("有人在其他群里@了您"), false, "/groups/" + d.group_id + "/");
    } else if ((d.kind === "thread" || d.kind === "thread_message") && d.thread_id !== threadId) {
      showToast(gettext("您有新的私聊消息"), false, "/groups/threads/" + d.thread_id + "/");
    }
  }

  function disableComposer(reason) {
    var off = document.getElementById("composer-off");
    var text = document.getElementById("composer-off-reason");
    if (form) { form.hidden = true; }
    if (off && text) { text.textContent = reason; off.hidden = false; }
  }

  function enableComposer() {
    var off = document.getElementById("composer-off");
    if (form) { form.hidden = false; }
    if (off) { off.hidden = true; }
  }

  // ------------------------------------------------------------------ socket
  function endFor(code) {
    gone = true;
    stopPolling();
    clearTimeout(pongTimer);
    setConn(code === 401 || code === 4401 ? gettext("请重新登录") : gettext("无法访问"), "down");
    disableComposer(code === 401 || code === 4401 ? gettext("登录已失效，请刷新页面重新登录。") : gettext("您已无法访问此会话。"));
  }

  function connect() {
    if (gone) { return; }
    if (!("WebSocket" in window)) { startPolling(); return; }
    try { socket = new WebSocket(wsUrl); } catch (e) { onDown(); return; }
    setConn(gettext("连接中…"));
    socket.onopen = function () {
      failures = 0;
      stopPolling();
      setConn(gettext("实时"), "live");
      send({ type: "hello", last_seq: lastSeq });
      send({ type: "rights" });
      resendPending();
      clearInterval(heartbeat);
      heartbeat = setInterval(ping, 20000);
      clearInterval(syncTimer);
      // A cheap periodic catch-up: covers events a process without a shared channel layer could not push.
      syncTimer = setInterval(function () { send({ type: "hello", last_seq: lastSeq }); }, 30000);
    };
    socket.onmessage = function (e) {
      var data;
      try { data = JSON.parse(e.data); } catch (err) { return; }
      if (data.type === "pong") { clearTimeout(pongTimer); return; }
      if (data.type === "events") {
        catchingUp = false;
        data.events.forEach(function (ev) { applyEvent(ev, true); });
        if (data.more) { catchUp(); }
        return;
      }
      if (data.type === "push") {
        if (typeof data.data.seq === "number") { applyEvent(data.data); } else { applyNotice(data.data); }
        return;
      }
      if (data.type === "ack" || data.type === "refused") { onAck(data); return; }
      if (data.type === "rights") {
        if (data.can_post) { enableComposer(); } else { disableComposer(data.reason); }
      }
    };
    socket.onclose = function (e) {
      clearInterval(heartbeat); clearInterval(syncTimer); clearTimeout(pongTimer);
      socket = null;
      if (e.code === 4401 || e.code === 4403 || e.code === 4404) { endFor(e.code); return; }
      onDown();
    };
    socket.onerror = function () { /* onclose follows */ };
  }

  function onDown() {
    if (gone) { return; }
    failures += 1;
    setConn(gettext("重新连接中…"), "down");
    if (failures >= 3) { startPolling(); }
    var delay = Math.min(1000 * Math.pow(2, failures - 1), 15000);
    setTimeout(connect, delay);
  }

  function send(obj) {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(obj)); return true; }
    return false;
  }

  function ping() {
    if (!send({ type: "ping" })) { return; }
    clearTimeout(pongTimer);
    pongTimer = setTimeout(function () { if (socket) { socket.close(); } }, 10000);
  }

  function catchUp() {
    if (catchingUp) { return; }
    catchingUp = true;
    if (!send({ type: "hello", last_seq: lastSeq })) { poll(); }
  }

  // ------------------------------------------------------------------ polling fallback
  function poll() {
    if (gone) { return Promise.resolve(); }
    return fetch(eventsUrl + "?after=" + lastSeq, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401 || r.status === 403 || r.status === 404) { endFor(r.status); throw new Error(String(r.status)); }
        return r.json();
      })
      .then(function (data) {
        catchingUp = false;
        data.events.forEach(function (ev) { applyEvent(ev, true); });
        if (data.more) { catchUp(); }
        if (polling) { setConn(gettext("轮询"), ""); }
      })
      .catch(function () { catchingUp = false; });
  }

  function startPolling() {
    if (polling || gone) { return; }
    polling = true;
    poll();
    pollTimer = setInterval(poll, 3000);
  }

  function stopPolling() {
    polling = false;
    clearInterval(pollTimer);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || gone) { return; }
    // Back from the background: whatever happened meanwhile, in order, exactly once.
    if (!socket || socket.readyState > 1) { poll(); if (!socket) { failures = 0; connect(); } } else { catchUp(); askRights(); }
  });

  // ------------------------------------------------------------------ reading
  function markRead() {
    if (document.visibilityState !== "visible") { return; }
    clearTimeout(readTimer);
    readTimer = setTimeout(function () { send({ type: "read", seq: lastSeq }); }, 800);
  }

  function askRights() { send({ type: "rights" }); }

  // ------------------------------------------------------------------ sending
  function newClientId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function onAck(data) {
    var item = pending[data.client_id];
    if (data.type === "refused") {
      if (item) {
        setState(item.li, "failed", interpolate(gettext("%(error)s（点此重试）"), { error: data.error }, true));
        item.li.dataset.retry = data.client_id;
        if (!body.value.trim() && item.body) { body.value = item.body; }  // nothing typed is lost
      } else {
        showToast(data.error, true);
      }
      if (data.posting) { askRights(); }
      return;
    }
    if (!item) { return; }
    item.li.dataset.id = data.message_id;
    item.li.id = "m" + data.message_id;
    if (data.status === "held" && data.html) {
      // Only the sender sees it: the server's item, as a reload shows it (with the way to send it privately).
      item.li.replaceWith(fromHtml(data.html));
      delete pending[data.client_id];
    } else if (data.status === "held") {
      setState(item.li, "held", data.held_reason ? interpolate(gettext("待群管理员审核，暂不显示给他人（%(reason)s）"), { reason: data.held_reason }, true) : gettext("待群管理员审核，暂不显示给他人"));
      delete pending[data.client_id];
    } else {
      setState(item.li, "pending", "");
      if (data.seq && data.seq <= lastSeq) { setState(item.li, "", ""); delete pending[data.client_id]; }
      else if (data.seq && data.seq > lastSeq) { catchUp(); }
    }
  }

  function deliver(item) {
    var payload = { type: "send", client_id: item.clientId, body: item.body, reply_to: item.replyTo, image_id: item.imageId };
    if (send(payload)) { return; }
    var fd = new FormData();
    fd.append("client_id", item.clientId);
    fd.append("body", item.body);
    if (item.replyTo) { fd.append("reply_to", item.replyTo); }
    if (item.imageId) { fd.append("image_id", item.imageId); }
    fetch(sendUrl, { method: "POST", body: fd, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) { onAck(data); poll(); })
      .catch(function () { setState(item.li, "failed", gettext("网络不通，恢复后会自动重发")); });
  }

  function resendPending() {
    Object.keys(pending).forEach(function (id) { deliver(pending[id]); });
  }

  function submit(text, imageId, previewUrl) {
    var clientId = newClientId();
    var li = echoItem(clientId, text, previewUrl, replyTo);   // local echo: shown at once, reconciled by client_id
    log.appendChild(li);
    scrollToBottom();
    var item = { clientId: clientId, body: text, imageId: imageId, replyTo: replyTo ? replyTo.id : null, li: li };
    pending[clientId] = item;
    clearReply();
    deliver(item);
  }

  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = body.value.trim();
      if (!text) { body.focus(); return; }
      if (text.length > 2000) { showToast(gettext("消息太长（最多 2000 字），请分几条发送。"), true); return; }
      body.value = "";
      autosize();
      submit(text, null, null);
    });
    body.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
    });
    body.addEventListener("input", autosize);
    var imageInput = document.getElementById("image-input");
    if (imageInput) {
      imageInput.addEventListener("change", function () {
        var file = imageInput.files && imageInput.files[0];
        imageInput.value = "";
        if (!file) { return; }
        if (["image/jpeg", "image/png", "image/gif", "image/webp"].indexOf(file.type) < 0) {
          showToast(gettext("只能发送 JPG、PNG、GIF 或 WebP 图片。"), true); return;
        }
        if (file.size > 5 * 1024 * 1024) { showToast(gettext("图片不能超过 5 MB。"), true); return; }
        var fd = new FormData(); fd.append("image", file);
        showToast(gettext("图片上传中…"));
        fetch(uploadUrl, { method: "POST", body: fd, credentials: "same-origin",
          headers: { "X-CSRFToken": csrf, Accept: "application/json" } })
          .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
          .then(function (res) {
            if (!res.ok) { showToast(res.data.error || gettext("上传失败"), true); return; }
            toast.hidden = true;
            submit("", res.data.image_id, res.data.url);
          })
          .catch(function () { showToast(gettext("网络不通，图片没有发出，请稍后重试。"), true); });
      });
    }
    var atButton = document.getElementById("at-button");
    var mentionList = document.getElementById("mention-list");
    if (atButton && mentionList) {
      atButton.addEventListener("click", function () { mentionList.hidden = !mentionList.hidden; });
      mentionList.addEventListener("click", function (e) {
        var name = e.target.dataset && e.target.dataset.mention;
        if (!name) { return; }
        body.value = (body.value ? body.value.replace(/\s*$/, " ") : "") + "@" + name + " ";
        mentionList.hidden = true;
        body.focus();
      });
    }
    document.getElementById("reply-cancel").addEventListener("click", clearReply);
  }

  function autosize() {
    body.style.height = "auto";
    body.style.height = Math.min(body.scrollHeight, 128) + "px";
  }

  function clearReply() {
    replyTo = null;
    var bar = document.getElementById("reply-bar");
    if (bar) { bar.hidden = true; }
  }

  log.addEventListener("click", function (e) {
    var target = e.target;
    if (target.dataset && target.dataset.reply) {
      var li = target.closest("li");
      replyTo = { id: Number(target.dataset.reply), sender: li.dataset.sender, excerpt: li.dataset.excerpt };
      document.getElementById("reply-text").textContent = interpolate(gettext("回复 %(sender)s：%(excerpt)s"), { sender: replyTo.sender, excerpt: replyTo.excerpt }, true);
      document.getElementById("reply-bar").hidden = false;
      var d = target.closest("details"); if (d) { d.open = false; }
      body.focus();
      return;
    }
    if (target.dataset && target.dataset.report) {
      e.preventDefault();                        // without this script the button submits the page's form
      if (!window.confirm(target.dataset.confirm)) { return; }
      fetch("/groups/" + groupId + "/messages/" + target.dataset.report + "/report/", { method: "POST",
        credentials: "same-origin", headers: { "X-CSRFToken": csrf, Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (d) { showToast(d.error || d.message, !!d.error); });
      var dd = target.closest("details"); if (dd) { dd.open = false; }
      return;
    }
    var failed = target.closest && target.closest("li.failed");
    if (failed && failed.dataset.retry && pending[failed.dataset.retry]) {
      setState(failed, "pending", "");
      deliver(pending[failed.dataset.retry]);
    }
  });

  if (body && body.value) { autosize(); body.focus(); }
  scrollToBottom();
  connect();
  markRead();
})();
