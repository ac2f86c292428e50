// Shows a Convoca action in a partner's page, where the partner writes:
// <script src="https://SITE/static/core/embed.js" async
//   data-convoca-action="https://SITE/en/actions/SLUG/embed/?source=PARTNER"></script>
// Optional: data-convoca-title, data-convoca-height (pixels, until the page reports).
(function () {
  "use strict";
  var scripts = document.querySelectorAll("script[data-convoca-action]");
  Array.prototype.forEach.call(scripts, function (script) {
    // Several embeds on a page, or this file included twice: one frame per tag.
    if (script.hasAttribute("data-convoca-done")) return;
    script.setAttribute("data-convoca-done", "");
    var url;
    try {
      url = new URL(script.getAttribute("data-convoca-action"), script.src || location.href);
    } catch (error) {
      return;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return;
    var frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = script.getAttribute("data-convoca-title") || url.hostname;
    frame.setAttribute("width", "100%");
    frame.setAttribute("height", parseInt(script.getAttribute("data-convoca-height"), 10) || 640);
    frame.setAttribute("loading", "lazy");
    frame.setAttribute("frameborder", "0");
    frame.style.border = "0";
    frame.style.width = "100%";
    script.parentNode.insertBefore(frame, script.nextSibling);
    // Only this frame, showing a page of the site it was given, may resize it.
    window.addEventListener("message", function (event) {
      if (event.source !== frame.contentWindow || event.origin !== url.origin) return;
      var data = event.data || {};
      if (typeof data.convocaHeight === "number" && data.convocaHeight > 0) {
        frame.setAttribute("height", Math.min(Math.ceil(data.convocaHeight), 10000));
      }
      if (typeof data.convocaTitle === "string" && data.convocaTitle) {
        frame.title = data.convocaTitle.slice(0, 200);
      }
    });
  });
})();
