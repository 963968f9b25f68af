// Handwritten signature on a phone: draw on the canvas, send it as a PNG data URL with the form.
(function () {
  var canvas = document.getElementById("sign-pad");
  var form = document.getElementById("sign-form");
  if (!canvas || !form) return;
  var ctx = canvas.getContext("2d");
  var drawing = false, strokes = 0, last = null;
  ctx.lineWidth = 5; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
  function point(e) {
    var r = canvas.getBoundingClientRect();
    return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
  }
  canvas.addEventListener("pointerdown", function (e) { drawing = true; last = point(e); canvas.setPointerCapture(e.pointerId); e.preventDefault(); });
  canvas.addEventListener("pointermove", function (e) {
    if (!drawing) return;
    var p = point(e);
    ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
    last = p; strokes += 1; e.preventDefault();
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
    canvas.addEventListener(name, function () { drawing = false; });
  });
  document.getElementById("sign-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height); strokes = 0;
  });
  form.addEventListener("submit", function () {
    form.querySelector("input[name=signature]").value = strokes > 3 ? canvas.toDataURL("image/png") : "";
  });
})();
