// Group chat: live over WebSocket with catch-up on the last seen sequence number, local echo,
// heartbeats, automatic reconnect, and polling when the socket cannot stay up (WeChat in the background).
// Without this script the page still works: the composer is a plain form.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) { return; }

  var me = Number(root.dataset.me);
  var wsUrl = root.dataset.wsUrl;
  var eventsUrl = root.dataset.eventsUrl;
  var sendUrl = root.dataset.sendUrl;
  var uploadUrl = root.dataset.uploadUrl;
  var flagsUrl = root.dataset.flagsUrl || "";   // staff only: markers of messages that raised an alert
  var staff = root.dataset.staff === "1";       // staff of the group: "should have alerted" on others' messages
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

  function renderMessage(m, state) {
    var li = el("li", "msg-row");
    if (m.sender_id === me) { li.classList.add("mine"); }
    if (!m.sender_id) { li.classList.add("system"); }
    if (m.mentions && m.mentions.indexOf(me) >= 0) { li.classList.add("mentioned"); }
    if (state) { li.classList.add(state); }
    if (m.id) { li.id = "m" + m.id; li.dataset.id = m.id; }
    li.dataset.seq = m.seq || "";
    li.dataset.clientId = m.client_id || "";
    li.dataset.sender = m.sender || "";
    li.dataset.excerpt = (m.body || "[图片]").slice(0, 40);
    var wrap = el("div", "bubble-wrap");
    var sender = el("div", "sender", m.sender || "");
    if (m.sender_role) { sender.appendChild(document.createTextNode(" ")); sender.appendChild(el("span", "role", m.sender_role)); }
    wrap.appendChild(sender);
    var bubble = el("div", "bubble");
    if (m.reply_to) {
      var quote = el("blockquote", "quote");
      quote.appendChild(el("b", "", m.reply_to.sender));
      quote.appendChild(document.createTextNode("：" + m.reply_to.excerpt));
      bubble.appendChild(quote);
    }
    if (m.image) {
      var a = el("a", "pic"); a.href = m.image.url; a.target = "_blank"; a.rel = "noopener";
      var img = el("img"); img.src = m.image.url; img.alt = "图片"; img.loading = "lazy";
      if (m.image.width) { img.width = m.image.width; img.height = m.image.height; }
      a.appendChild(img); bubble.appendChild(a);
    }
    if (m.body) { var t = el("div", "text"); textWithBreaks(t, m.body); bubble.appendChild(t); }
    wrap.appendChild(bubble);
    var meta = el("div", "meta");
    var time = el("time", "", m.time || ""); meta.appendChild(time);
    meta.appendChild(el("span", "state", m.status === "held" ? "待群管理员审核，暂不显示给他人" + (m.held_note ? "（" + m.held_note + "）" : "") : ""));
    if (m.id && m.status === "published" && m.sender_id) {
      var details = el("details", "more");
      var summary = el("summary", "", "⋯"); summary.setAttribute("aria-label", "更多操作");
      details.appendChild(summary);
      var menu = el("div", "menu");
      var reply = el("button", "link", "回复"); reply.type = "button"; reply.dataset.reply = m.id;
      menu.appendChild(reply);
      if (!threadId && m.sender_id !== me) {
        var report = el("button", "link", "举报"); report.type = "button"; report.dataset.report = m.id;
        menu.appendChild(report);
      }
      if (staff && m.sender_id !== me) {
        var missed = el("a", "missed-mark", "应当预警");
        missed.href = "/groups/" + groupId + "/missed/" + m.id + "/";
        menu.appendChild(missed);
      }
      details.appendChild(menu);
      meta.appendChild(details);
    }
    wrap.appendChild(meta);
    li.appendChild(wrap);
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
      var li = renderMessage(m, "");
      var oldFlag = existing && existing.querySelector(".msg-flag");
      if (oldFlag) { li.classList.add("flagged"); li.querySelector(".meta").before(oldFlag); dropMissed(li); }
      if (existing) { existing.replaceWith(li); } else { log.appendChild(li); }
      if (m.sender_id && m.sender_id !== me && !oldFlag) { askFlag(m.id); }
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

  // A message that raised a risk alert carries a marker linking to the alert or its crisis, rendered by the
  // server with the same partial as on page load (groups/_message_flag.html); staff only.
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
        Object.keys(data.flags || {}).forEach(function (id) {
          var li = document.getElementById("m" + id);
          var meta = li && li.querySelector(".meta");
          if (!meta || li.querySelector(".msg-flag")) { return; }
          meta.insertAdjacentHTML("beforebegin", data.flags[id]);
          li.classList.add("flagged");
          dropMissed(li);
        });
      })
      .catch(function () { /* the marker shows on the next page load */ });
  }

  // A message that raised an alert is judged on the alerts page, not marked "should have alerted".
  function dropMissed(li) {
    var link = li.querySelector(".missed-mark");
    if (link) { link.remove(); }
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
      if (li) { setState(li, "failed", "未通过群管理员审核"); }
    } else if (d.kind === "alert") {
      showToast((d.imminent ? "紧急风险预警：" : "风险预警：") + d.level + " 级，点此处理", true, "/groups/alerts/#alert-" + d.alert_id);
      var badge = document.getElementById("alert-badge");
      if (badge) { badge.hidden = false; badge.textContent = String((Number(badge.textContent) || 0) + (d.reminder ? 0 : 1)); }
    } else if (d.kind === "removed" && mine && !threadId) {
      disableComposer("您已被移出本群" + (d.reason ? "：" + d.reason : "。"));
    } else if ((d.kind === "muted" || d.kind === "rights" || d.kind === "warned") && mine) {
      if (d.kind === "warned") { showToast("您收到群管理员的警告" + (d.reason ? "：" + d.reason : ""), true); }
      askRights();
    } else if (d.kind === "held_count" && mine) {
      var held = document.getElementById("held-badge");
      if (held) { held.textContent = String((Number(held.textContent) || 0) + 1); } else { showToast("有新的待审消息"); }
    } else if (d.kind === "mention" && !mine) {
      showToast("有人在其他群里@了您", false, "/groups/" + d.group_id + "/");
    } else if ((d.kind === "thread" || d.kind === "thread_message") && d.thread_id !== threadId) {
      showToast("您有新的私聊消息", false, "/groups/threads/" + d.thread_id + "/");
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
    setConn(code === 401 || code === 4401 ? "请重新登录" : "无法访问", "down");
    disableComposer(code === 401 || code === 4401 ? "登录已失效，请刷新页面重新登录。" : "您已无法访问此会话。");
  }

  function connect() {
    if (gone) { return; }
    if (!("WebSocket" in window)) { startPolling(); return; }
    try { socket = new WebSocket(wsUrl); } catch (e) { onDown(); return; }
    setConn("连接中…");
    socket.onopen = function () {
      failures = 0;
      stopPolling();
      setConn("实时", "live");
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
    setConn("重新连接中…", "down");
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
        if (polling) { setConn("轮询", ""); }
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
        setState(item.li, "failed", data.error + "（点此重试）");
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
    if (data.status === "held") {
      setState(item.li, "held", "待群管理员审核，暂不显示给他人" + (data.held_reason ? "（" + data.held_reason + "）" : ""));
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
      .catch(function () { setState(item.li, "failed", "网络不通，恢复后会自动重发"); });
  }

  function resendPending() {
    Object.keys(pending).forEach(function (id) { deliver(pending[id]); });
  }

  function submit(text, imageId, previewUrl) {
    var clientId = newClientId();
    var echo = { id: null, seq: null, client_id: clientId, body: text, sender_id: me, sender: "", status: "published",
      time: new Date().toTimeString().slice(0, 5), mentions: [],
      image: previewUrl ? { url: previewUrl } : null,
      reply_to: replyTo ? { sender: replyTo.sender, excerpt: replyTo.excerpt } : null };
    var li = renderMessage(echo, "pending");        // local echo: shown at once, reconciled by client_id
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
      if (text.length > 2000) { showToast("消息太长（最多 2000 字），请分几条发送。", true); return; }
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
          showToast("只能发送 JPG、PNG、GIF 或 WebP 图片。", true); return;
        }
        if (file.size > 5 * 1024 * 1024) { showToast("图片不能超过 5 MB。", true); return; }
        var fd = new FormData(); fd.append("image", file);
        showToast("图片上传中…");
        fetch(uploadUrl, { method: "POST", body: fd, credentials: "same-origin",
          headers: { "X-CSRFToken": csrf, Accept: "application/json" } })
          .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
          .then(function (res) {
            if (!res.ok) { showToast(res.data.error || "上传失败", true); return; }
            toast.hidden = true;
            submit("", res.data.image_id, res.data.url);
          })
          .catch(function () { showToast("网络不通，图片没有发出，请稍后重试。", true); });
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
      document.getElementById("reply-text").textContent = "回复 " + replyTo.sender + "：" + replyTo.excerpt;
      document.getElementById("reply-bar").hidden = false;
      var d = target.closest("details"); if (d) { d.open = false; }
      body.focus();
      return;
    }
    if (target.dataset && target.dataset.report) {
      if (!window.confirm("确定举报这条消息吗？")) { return; }
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
