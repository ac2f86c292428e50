// Solves the proof-of-work challenge of each form that has one (convoca/core/pow.py).
// Work starts as soon as the page loads, so the answer is usually ready before the
// visitor submits; a form sent earlier waits for it. Without crypto.subtle (an old
// browser, or plain http other than localhost) the field stays empty and the form
// is sent as it is: the server then applies a stricter rate limit, it does not refuse.
(function () {
  "use strict";
  var subtle = window.crypto && window.crypto.subtle;
  // Hashes requested at once: enough to keep the hashing busy, few enough that the
  // page gets a turn between batches.
  var BATCH = 500;

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

  async function solve(challenge) {
    var encoder = new TextEncoder();
    var target = bytes(challenge.challenge);
    for (var start = 0; start <= challenge.maxnumber; start += BATCH) {
      var end = Math.min(start + BATCH - 1, challenge.maxnumber);
      var hashes = [];
      for (var n = start; n <= end; n++) {
        hashes.push(subtle.digest("SHA-256", encoder.encode(challenge.salt + n)));
      }
      hashes = await Promise.all(hashes);
      for (var i = 0; i < hashes.length; i++) if (same(hashes[i], target)) return start + i;
    }
    return null;
  }

  function setUp(input) {
    // The script is included once per form, so it may run more than once.
    if (!input.form || input.hasAttribute("data-pow-state")) return;
    input.setAttribute("data-pow-state", "solving");
    input.value = "";
    var form = input.form;
    var challenge;
    try {
      challenge = JSON.parse(input.getAttribute("data-pow-challenge"));
    } catch (error) {
      challenge = null;
    }
    var done = (subtle && challenge ? solve(challenge) : Promise.resolve(null))
      .then(function (number) {
        if (number === null) return;
        input.value = btoa(JSON.stringify({
          algorithm: challenge.algorithm,
          challenge: challenge.challenge,
          number: number,
          salt: challenge.salt,
          signature: challenge.signature,
        }));
      })
      .catch(function () {})
      .then(function () {
        input.setAttribute("data-pow-state", "done");
      });
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

  document.querySelectorAll("form [data-pow-challenge]").forEach(setUp);
})();
