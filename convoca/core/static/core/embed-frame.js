// Runs in the embed page (actions/embed_base.html): tells the page around the frame
// how tall the content is and what it is called, for core/embed.js to size and name
// the frame. Both are public, so any parent page may hear them.
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function report() {
    // The element's own height, not scrollHeight: that never drops below the frame's
    // height, so a frame once too tall could never shrink back.
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ convocaHeight: height, convocaTitle: document.title }, "*");
  }
  report();
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.body);
})();
