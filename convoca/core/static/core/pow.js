// Solves the proof-of-work challenge of each form that has one (convoca/core/pow.py)
// from page load: given in the field's data-pow-challenge, or fetched from its
// data-pow-url when the page is cached and the same for everyone; so the answer is usually ready before the visitor submits; a form
// sent earlier waits for it. Without crypto.subtle (old browsers, plain http other
// than localhost) the field stays empty and the form is sent as it is.
(function () {
  "use strict";
  var subtle = window.crypto && window.crypto.subtle;
  // A batch's digests resolve as tasks that starve timers and repaints, so every
  // TURN_MS the solver waits for a timer to give the page a turn.
  var BATCH = 500;
  var TURN_MS = 30;

  function bytes(hex) {
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return out;
  }

  function same(buffer, target) {
    var got = new Uint8Array(buffer);
    for (var i = 0; i < target.length; i++) if (got[i] !== target[i]) return false;
    return got.length === target.length;
  }

  async function solve(c) {
    var encoder = new TextEncoder();
    var target = bytes(c.challenge);
    var resumed = performance.now();
    for (var start = 0; start <= c.maxnumber; start += BATCH) {
      var hashes = [];
      for (var n = start; n < start + BATCH && n <= c.maxnumber; n++) {
        hashes.push(subtle.digest("SHA-256", encoder.encode(c.salt + n)));
      }
      hashes = await Promise.all(hashes);
      for (var i = 0; i < hashes.length; i++) if (same(hashes[i], target)) return start + i;
      if (performance.now() - resumed > TURN_MS) {
        await new Promise(function (resume) { setTimeout(resume, 0); });
        resumed = performance.now();
      }
    }
    return null;
  }

  function setUp(input) {
    // The script is included once per form, so it may run more than once.
    if (!input.form || input.hasAttribute("data-pow-state")) return;
    input.setAttribute("data-pow-state", "solving");
    input.value = "";
    var form = input.form;
    var url = input.getAttribute("data-pow-url");
    var challenge = url
      ? fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
          return r.json();
        })
      : Promise.resolve(JSON.parse(input.getAttribute("data-pow-challenge")));
    var done = challenge
      .then(function (c) {
        return subtle && solve(c).then(function (number) {
          if (number === null) return;
          input.value = btoa(JSON.stringify({
            algorithm: c.algorithm,
            challenge: c.challenge,
            number: number,
            salt: c.salt,
            signature: c.signature,
          }));
        });
      })
      .catch(function () {})
      .then(function () { input.setAttribute("data-pow-state", "done"); });
    var waiting = false;
    form.addEventListener("submit", function (event) {
      if (input.getAttribute("data-pow-state") !== "solving") return;
      event.preventDefault();
      if (waiting) return;
      waiting = true;
      var submitter = event.submitter || undefined;
      done.then(function () {
        if (form.requestSubmit) form.requestSubmit(submitter);
        else form.submit();
      });
    });
  }

  // Not only inside a <form>: a field may belong to one through its form attribute.
  document.querySelectorAll("[data-pow-challenge], [data-pow-url]").forEach(setUp);
})();
