/* A zoomable map on the operator's own tile server (MAP_TILE_URL), only when configured.
   The server-drawn SVG map stays above as the map without scripts; this adds zoom and drag.
   Tiles are Web Mercator, {z}/{x}/{y}; events come from the page's JSON, not from a request. */
(function () {
  "use strict";
  var box = document.querySelector(".tile-map[data-tiles]");
  var data = document.getElementById("map-events");
  if (!box || !data) return;
  var events = JSON.parse(data.textContent), template = box.dataset.tiles, SIZE = 256;
  var zoom = 2, cx = 0.5, cy = 0.4; /* centre, in world fractions */
  var layer = document.createElement("div");
  layer.className = "tiles";
  box.appendChild(layer);
  function world(lat, lon) {
    var s = Math.sin(lat * Math.PI / 180);
    return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
  }
  function draw() {
    var n = Math.pow(2, zoom), w = box.clientWidth, h = box.clientHeight;
    var left = cx * n * SIZE - w / 2, top = cy * n * SIZE - h / 2;
    layer.textContent = "";
    for (var ty = Math.floor(top / SIZE); ty <= Math.floor((top + h) / SIZE); ty++) {
      if (ty < 0 || ty >= n) continue;
      for (var tx = Math.floor(left / SIZE); tx <= Math.floor((left + w) / SIZE); tx++) {
        var img = document.createElement("img");
        img.alt = "";
        img.width = img.height = SIZE;
        img.src = template.replace("{z}", zoom).replace("{x}", ((tx % n) + n) % n).replace("{y}", ty);
        img.style.left = (tx * SIZE - left) + "px";
        img.style.top = (ty * SIZE - top) + "px";
        layer.appendChild(img);
      }
    }
    events.forEach(function (e) {
      var p = world(e.lat, e.lon), a = document.createElement("a");
      a.href = e.url;
      a.className = "marker";
      a.title = e.title;
      a.textContent = "\u25CF";
      a.style.left = (p[0] * n * SIZE - left) + "px";
      a.style.top = (p[1] * n * SIZE - top) + "px";
      layer.appendChild(a);
    });
  }
  function zoomBy(step) { zoom = Math.max(1, Math.min(16, zoom + step)); draw(); }
  box.querySelector("[data-zoom-in]").addEventListener("click", function () { zoomBy(1); });
  box.querySelector("[data-zoom-out]").addEventListener("click", function () { zoomBy(-1); });
  var drag = null;
  box.addEventListener("pointerdown", function (ev) {
    if (ev.target.closest("a,button")) return;
    drag = [ev.clientX, ev.clientY, cx, cy];
    box.setPointerCapture(ev.pointerId);
  });
  box.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    var n = Math.pow(2, zoom) * SIZE;
    cx = drag[2] - (ev.clientX - drag[0]) / n;
    cy = Math.max(0, Math.min(1, drag[3] - (ev.clientY - drag[1]) / n));
    draw();
  });
  box.addEventListener("pointerup", function () { drag = null; });
  box.hidden = false;
  draw();
})();
