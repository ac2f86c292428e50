/* "In your time zone": the event's start and end in the reader's own zone, when scripts run. */
(function () {
  "use strict";
  document.querySelectorAll(".your-time[data-start]").forEach(function (item) {
    var start = new Date(item.dataset.start), end = new Date(item.dataset.end);
    if (isNaN(start) || isNaN(end)) return;
    var lang = item.dataset.lang || undefined;
    var day = { weekday: "long", year: "numeric", month: "long", day: "numeric" };
    var time = { hour: "numeric", minute: "2-digit", timeZoneName: "short" };
    item.querySelector("span").textContent =
      start.toLocaleDateString(lang, day) + ", " +
      start.toLocaleTimeString(lang, { hour: "numeric", minute: "2-digit" }) + " – " +
      end.toLocaleTimeString(lang, time);
    item.hidden = false;
  });
})();
