// Real-time alerts on staff pages: a WebSocket (pushed, with a catch-up on connect) when it works, a poll of the
// feed when it does not.
(function () {
  var box = document.querySelector("[data-alerts-ws]");
  if (!box) return;
  var seen = {}, lastId = parseInt(box.dataset.lastId || "0", 10), polling = null;
  var detailBase = box.dataset.detail; // ".../alerts/0/"

  function show(a) {
    if (seen[a.id]) return; seen[a.id] = true; lastId = Math.max(lastId, a.id);
    var link = document.createElement("a");
    link.className = "alert-item lv-" + a.level_code;
    link.href = detailBase.replace("/0/", "/" + a.id + "/");
    link.setAttribute("role", "alert");
    var t = document.createElement("div"); t.className = "t";
    var tag = document.createElement("span"); tag.className = "lv-tag"; tag.textContent = a.level_label;
    t.appendChild(tag); t.appendChild(document.createTextNode(" " + a.title));
    var m = document.createElement("div"); m.className = "m";
    m.textContent = "新预警 " + a.at + " · " + a.place + " " + a.person;
    link.appendChild(t); link.appendChild(m);
    box.insertBefore(link, box.firstChild);
    box.hidden = false;
    if (navigator.vibrate && a.level >= 2) navigator.vibrate([200, 100, 200]);
  }

  function poll() {
    if (polling) return;
    polling = setInterval(function () {
      fetch(box.dataset.feed + "?after=" + lastId, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { alerts: [] }; })
        .then(function (d) { d.alerts.forEach(show); })
        .catch(function () { /* offline: try again next time */ });
    }, 20000);
  }

  function connect() {
    var url = box.dataset.alertsWs;
    if (url.charAt(0) === "/") url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + url;
    // Catch-up on connect: the alerts raised since the last one this page shows.
    url += (url.indexOf("?") < 0 ? "?" : "&") + "after=" + lastId;
    var ws;
    try { ws = new WebSocket(url); } catch (e) { poll(); return; }
    ws.onmessage = function (e) { try { show(JSON.parse(e.data)); } catch (err) { /* ignore */ } };
    ws.onclose = function (e) { if (e.code === 4401 || e.code === 4403) return; poll(); };
  }
  connect();
})();
