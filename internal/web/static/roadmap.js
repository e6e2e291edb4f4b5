// Dragging the ends of the roadmap's bars: a bar's start or end handle is
// dragged along the axis and the new date is saved through the same form
// handler that the release page's date form posts to. Without this script
// the roadmap reads the same and dates change through that form.
(function () {
  "use strict";
  var svg = document.getElementById("timeline");
  if (!svg) { return; }
  var from = new Date(svg.dataset.from + "T00:00:00Z").getTime();
  var days = Number(svg.dataset.days);
  var left = Number(svg.dataset.left);
  var right = Number(svg.dataset.right);
  var dayMS = 86400000;

  function toSVG(evt) {
    var pt = svg.createSVGPoint();
    pt.x = evt.clientX; pt.y = evt.clientY;
    return pt.matrixTransform(svg.getScreenCTM().inverse()).x;
  }
  function dateAt(x, field) {
    var f = (x - left) / (right - left);
    var d = Math.round(f * days);
    // The end handle sits at the end of the release day.
    if (field === "release_date") { d -= 1; }
    var t = new Date(from + d * dayMS);
    return t.toISOString().slice(0, 10);
  }
  function status(msg) {
    var el = document.getElementById("drag-status");
    if (!el) {
      el = document.createElement("p");
      el.id = "drag-status";
      el.setAttribute("role", "status");
      svg.parentNode.parentNode.insertBefore(el, svg.parentNode);
    }
    el.textContent = msg;
  }
  function save(ref, field, date) {
    var body = new URLSearchParams();
    body.set(field, date);
    return fetch("/releases/" + encodeURIComponent(ref) + "/dates", {
      method: "POST",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "same-origin"
    }).then(function (res) {
      return res.json().then(function (j) { return { ok: res.ok, body: j }; });
    });
  }

  var drag = null;
  svg.addEventListener("pointerdown", function (evt) {
    var h = evt.target;
    if (!h.classList || !h.classList.contains("handle")) { return; }
    evt.preventDefault();
    var bar = h.parentNode.querySelector(".bar");
    drag = { handle: h, bar: bar, x0: toSVG(evt), bx: Number(bar.getAttribute("x")), bw: Number(bar.getAttribute("width")),
      hx: Number(h.getAttribute("x")), end: h.classList.contains("end") };
    h.classList.add("dragging");
    h.setPointerCapture(evt.pointerId);
  });
  svg.addEventListener("pointermove", function (evt) {
    if (!drag) { return; }
    var dx = toSVG(evt) - drag.x0;
    if (drag.end) {
      drag.bar.setAttribute("width", Math.max(3, drag.bw + dx));
    } else {
      drag.bar.setAttribute("x", drag.bx + dx);
      drag.bar.setAttribute("width", Math.max(3, drag.bw - dx));
    }
    drag.handle.setAttribute("x", drag.hx + dx);
  });
  function finish(evt) {
    if (!drag) { return; }
    var d = drag;
    drag = null;
    d.handle.classList.remove("dragging");
    var field = d.handle.dataset.field;
    var x = d.end ? Number(d.bar.getAttribute("x")) + Number(d.bar.getAttribute("width")) : Number(d.bar.getAttribute("x"));
    var date = dateAt(x, field);
    if (date === d.handle.dataset.date) { return; }
    var ref = d.handle.dataset.release;
    status("Saving " + ref + "…");
    save(ref, field, date).then(function (r) {
      if (r.ok) {
        d.handle.dataset.date = date;
        status(ref + ": " + field.replace(/_/g, " ") + " is now " + date + ".");
        window.location.reload();
      } else {
        d.bar.setAttribute("x", d.bx); d.bar.setAttribute("width", d.bw); d.handle.setAttribute("x", d.hx);
        status(ref + " was not changed: " + r.body.errors.message);
      }
    }, function () {
      d.bar.setAttribute("x", d.bx); d.bar.setAttribute("width", d.bw); d.handle.setAttribute("x", d.hx);
      status(ref + " was not changed: the server did not answer.");
    });
  }
  svg.addEventListener("pointerup", finish);
  svg.addEventListener("pointercancel", finish);
}());
