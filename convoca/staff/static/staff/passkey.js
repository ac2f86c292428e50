// Passkeys (WebAuthn) for the staff sign-in: shows the passkey form, asks the browser
// for a passkey when it is sent, and sends the browser's answer with the form.
// Everything else on these pages works without this script.
(function () {
  "use strict";

  function decode(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    return Uint8Array.from(binary, function (c) { return c.charCodeAt(0); }).buffer;
  }

  function encode(buffer) {
    var binary = String.fromCharCode.apply(null, new Uint8Array(buffer));
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(options) {
    options.challenge = decode(options.challenge);
    options.user.id = decode(options.user.id);
    (options.excludeCredentials || []).forEach(function (c) { c.id = decode(c.id); });
    return options;
  }

  function requestOptions(options) {
    options.challenge = decode(options.challenge);
    (options.allowCredentials || []).forEach(function (c) { c.id = decode(c.id); });
    return options;
  }

  function answer(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: encode(credential.rawId),
      type: credential.type,
      response: { clientDataJSON: encode(response.clientDataJSON) },
      clientExtensionResults: credential.getClientExtensionResults(),
    };
    if (response.attestationObject) {
      json.response.attestationObject = encode(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = encode(response.authenticatorData);
      json.response.signature = encode(response.signature);
      if (response.userHandle) json.response.userHandle = encode(response.userHandle);
    }
    return JSON.stringify(json);
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    var status = form.querySelector("[data-passkey-status]");
    form.hidden = false;
    if (!window.PublicKeyCredential || !navigator.credentials) {
      status.textContent = form.dataset.unsupported;
      form.querySelector("button").disabled = true;
      return;
    }
    form.addEventListener("submit", function (event) {
      if (form.elements.credential.value) return;
      event.preventDefault();
      var options = JSON.parse(form.dataset.options);
      var asked = form.dataset.passkey === "create"
        ? navigator.credentials.create({ publicKey: creationOptions(options) })
        : navigator.credentials.get({ publicKey: requestOptions(options) });
      asked.then(function (credential) {
        form.elements.credential.value = answer(credential);
        form.submit();
      }, function () {
        status.textContent = form.dataset.cancelled;
      });
    });
  });
})();
