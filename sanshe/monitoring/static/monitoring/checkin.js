// The check-in form keeps what was typed and its idempotency key: a failed network sends the same report
// again (stored once on the server); a reload restores the draft. Works without this script too.
(function () {
  var area = document.getElementById("checkin-area");
  if (!area) return;

  function form() { return area.querySelector("form.checkin-form"); }
  function draftKey() { var f = form(); return f && f.dataset.draft; }

  function save() {
    var f = form(); if (!f || !draftKey()) return;
    var data = {};
    Array.prototype.forEach.call(f.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken") return;
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) (data[el.name] = data[el.name] || []).push(el.value); }
      else data[el.name] = el.value;
    });
    try { localStorage.setItem(draftKey(), JSON.stringify(data)); } catch (e) { /* private mode: no draft */ }
  }

  function restore() {
    var f = form(); if (!f || !draftKey() || f.dataset.bound === "1") return;
    var raw; try { raw = localStorage.getItem(draftKey()); } catch (e) { return; }
    if (!raw) return;
    var data = JSON.parse(raw);
    Array.prototype.forEach.call(f.elements, function (el) {
      if (!el.name || !(el.name in data) || el.name === "csrfmiddlewaretoken") return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = data[el.name].indexOf(el.value) >= 0;
      else el.value = data[el.name];
    });
    var note = document.getElementById("draft-restored"); if (note) note.hidden = false;
  }

  function clear(key) { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }

  area.addEventListener("input", save);
  area.addEventListener("change", save);
  area.addEventListener("submit", function (e) {
    var f = e.target; if (!f.classList.contains("checkin-form") || !window.fetch) return;
    e.preventDefault();
    save();
    var key = draftKey();
    var button = f.querySelector("[type=submit]");
    var failed = area.querySelector(".net-error");
    f.classList.add("sending"); if (button) button.disabled = true;
    fetch(f.action, { method: "POST", body: new FormData(f), credentials: "same-origin",
                      headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (response.status >= 500) throw new Error("server " + response.status);
        return response.text().then(function (html) { return { ok: response.ok, html: html }; });
      })
      .then(function (res) {
        area.innerHTML = res.html;
        if (res.ok) { clear(key); window.scrollTo(0, 0); }
        else { var err = area.querySelector(".has-error input, .msg.error"); if (err && err.focus) err.focus(); }
      })
      .catch(function () {
        f.classList.remove("sending"); if (button) button.disabled = false;
        if (failed) { failed.classList.add("on"); failed.focus(); }
      });
  });
  restore();
})();
