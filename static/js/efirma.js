/*
 * Signing with the e.firma in the page (companies/_efirma_form.html).
 *
 * The founder picks their .cer and .key and types the password. This script reads both files,
 * decrypts the key (encrypted PKCS#8, PBES2 with AES or DES-EDE3-CBC, as SAT writes it) with the
 * vendored node-forge, checks that the key is the certificate's, and signs the bytes the server
 * hands out with RSASSA-PKCS1-v1_5 / SHA-256. The server's contract (companies/views/efirma.py),
 * every request with the CSRF token in X-CSRFToken:
 *   POST data-prepare-url  multipart: certificate=<the .cer's DER, as a file>[, founder=<id>]
 *        -> 200 {"to_be_signed": "<base64>", "finish": "/<path>", ...}
 *           | 4xx {"error": "<code>", "message": "<text for the founder>"}
 *   POST answer.finish     signature=<base64>
 *        -> 200 {"status": "signed", "message": "<text>", "signatures": "/<path>"}
 *           | 202 {"status": "waiting", "message": "<text>"}
 *           | 4xx {"error": "<code>", "message": "<text>"}
 * A 403 SignInAgain (the e-identity sign-in is older than 5 minutes) carries "sign_in", the
 * portal path of a fresh sign-in that comes back to the signing room: it is shown as a link.
 * A 409 SomeoneSignedFirst (another founder's signature changed the document meanwhile) means:
 * prepare again and sign the new bytes, once. After a counted signature the page goes to the
 * answer's "signatures" path (or reloads).
 * Neither the key, its password nor anything derived from them is ever sent.
 * Every text shown comes from the section's data-msg-* attributes (Django's gettext).
 */
(function () {
  "use strict";

  var MAX_BYTES = 64 * 1024;

  /** A reason to stop, shown to the founder: a data-msg-* name, or the server's own text. */
  function Refusal(code, text, input, error, link) {
    this.code = code;
    this.text = text || "";
    this.input = input || null;
    this.error = error || ""; // the server's code of a refusal, e.g. "SomeoneSignedFirst"
    this.link = link || null; // a portal path to follow (SignInAgain: the fresh sign-in)
  }

  /** Only a path on the portal: the page never follows an answer elsewhere. */
  function portalPath(value) {
    return typeof value === "string" && /^\/(?![\/\\])/.test(value) ? value : null;
  }

  function bytesOf(file) {
    return file.arrayBuffer().then(function (buffer) {
      return forge.util.binary.raw.encode(new Uint8Array(buffer));
    });
  }

  /** DER as SAT gives it; a PEM copy is accepted too. */
  function pemBody(bytes, label) {
    if (bytes.indexOf("-----BEGIN ") !== 0) {
      return bytes;
    }
    var blocks = forge.pem.decode(bytes);
    if (!blocks.length || blocks[0].type !== label) {
      return null;
    }
    return blocks[0].body;
  }

  function parseDer(bytes) {
    return forge.asn1.fromDer(bytes, { strict: true, parseAllBytes: true });
  }

  function readCertificate(bytes, input) {
    var der, asn1;
    try {
      der = pemBody(bytes, "CERTIFICATE");
      if (der === null) {
        throw new Refusal("notCertificate", "", input);
      }
      asn1 = parseDer(der);
    } catch (error) {
      throw error instanceof Refusal ? error : new Refusal("cerDamaged", "", input);
    }
    try {
      return { certificate: forge.pki.certificateFromAsn1(asn1), der: der };
    } catch (error) {
      throw new Refusal("notCertificate", "", input);
    }
  }

  /** EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier, OCTET STRING }. */
  function looksEncryptedPkcs8(asn1) {
    var types = forge.asn1.Type;
    return (
      asn1.tagClass === forge.asn1.Class.UNIVERSAL &&
      asn1.type === types.SEQUENCE &&
      asn1.value.length === 2 &&
      asn1.value[0].type === types.SEQUENCE &&
      asn1.value[1].type === types.OCTETSTRING
    );
  }

  function readKey(bytes, password, input) {
    var der, asn1, info;
    try {
      der = pemBody(bytes, "ENCRYPTED PRIVATE KEY");
      if (der === null) {
        throw new Refusal("notKey", "", input);
      }
      asn1 = parseDer(der);
    } catch (error) {
      throw error instanceof Refusal ? error : new Refusal("keyDamaged", "", input);
    }
    if (!looksEncryptedPkcs8(asn1)) {
      throw new Refusal("notKey", "", input);
    }
    try {
      info = forge.pki.decryptPrivateKeyInfo(asn1, password);
    } catch (error) {
      // forge says "Cannot read ..." of a structure or algorithm it does not know; anything
      // else is the decrypted garbage of a wrong password that happened to unpad cleanly.
      if (/^Cannot read/.test(error.message)) {
        throw new Refusal("notKey", "", input);
      }
      info = null;
    }
    if (info === null) {
      throw new Refusal("wrongPassword");
    }
    try {
      return forge.pki.privateKeyFromAsn1(info);
    } catch (error) {
      throw new Refusal("wrongPassword");
    }
  }

  function sameKey(certificate, key) {
    var pub = certificate.publicKey;
    return Boolean(pub && pub.n && pub.n.equals(key.n) && pub.e.equals(key.e));
  }

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (field && field.value) {
      return field.value;
    }
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function post(url, body, token) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, Accept: "application/json" },
      body: body,
    }).then(
      function (response) {
        return response.json().then(
          function (answer) {
            if (!response.ok || answer === null || typeof answer !== "object") {
              var error = answer && typeof answer.error === "string" ? answer.error : "";
              throw new Refusal(
                "failed",
                answer && typeof answer.message === "string" ? answer.message : "",
                null,
                error,
                error === "SignInAgain" ? portalPath(answer.sign_in) : null
              );
            }
            return answer;
          },
          function () {
            throw new Refusal("failed");
          }
        );
      },
      function () {
        throw new Refusal("failed");
      }
    );
  }

  /** The server's bytes to sign for this certificate, and where to send the signature. */
  function prepare(section, der, token) {
    var body = new FormData();
    var bytes = forge.util.binary.raw.decode(der);
    body.append("certificate", new Blob([bytes], { type: "application/pkix-cert" }), "efirma.cer");
    if (section.dataset.founder) {
      body.append("founder", section.dataset.founder);
    }
    return post(section.dataset.prepareUrl, body, token).then(function (answer) {
      var finish = portalPath(answer.finish);
      if (typeof answer.to_be_signed !== "string" || finish === null) {
        throw new Refusal("failed");
      }
      return { toBeSigned: forge.util.decode64(answer.to_be_signed), finish: finish };
    });
  }

  function init(section) {
    var form = section.querySelector("[data-efirma-form]");
    var cerInput = form.querySelector("[data-efirma-cer]");
    var keyInput = form.querySelector("[data-efirma-key]");
    var passwordInput = form.querySelector("[data-efirma-password]");
    var message = form.querySelector("[data-efirma-message]");
    var button = form.querySelector("button[type=submit]");
    var messages = section.dataset;

    /** One message at a time, in a live region that is always there (so it is announced);
     * with a link after it when there is somewhere to go (a fresh sign-in). */
    function say(text, kind, link) {
      var line = document.createElement("p");
      line.className = "message" + (kind ? " message-" + kind : "");
      line.textContent = text;
      if (link) {
        var anchor = document.createElement("a");
        anchor.href = link;
        anchor.textContent = messages.msgSignIn;
        line.append(" ", anchor);
      }
      message.replaceChildren(line);
    }

    function mark(input) {
      [cerInput, keyInput, passwordInput].forEach(function (each) {
        if (each === input) {
          each.setAttribute("aria-invalid", "true");
        } else {
          each.removeAttribute("aria-invalid");
        }
      });
    }

    function refuse(refusal) {
      var name = "msg" + refusal.code.charAt(0).toUpperCase() + refusal.code.slice(1);
      say(refusal.text || messages[name] || messages.msgFailed, "error", refusal.link);
      if (refusal.code === "wrongPassword") {
        passwordInput.value = "";
        mark(passwordInput);
        passwordInput.focus();
      } else {
        mark(refusal.input);
        if (refusal.input) {
          refusal.input.focus();
        }
      }
    }

    async function sign() {
      var cerFile = cerInput.files[0];
      var keyFile = keyInput.files[0];
      var password = passwordInput.value;
      if (!cerFile || !keyFile || !password) {
        throw new Refusal("missing", "", !cerFile ? cerInput : !keyFile ? keyInput : passwordInput);
      }
      // Refused before a byte is read.
      if (cerFile.size > MAX_BYTES) {
        throw new Refusal("tooLarge", "", cerInput);
      }
      if (keyFile.size > MAX_BYTES) {
        throw new Refusal("tooLarge", "", keyInput);
      }
      var cer = readCertificate(await bytesOf(cerFile), cerInput);
      var key = readKey(await bytesOf(keyFile), password, keyInput);
      password = null;
      if (!sameKey(cer.certificate, key)) {
        throw new Refusal("keyMismatch", "", keyInput);
      }
      var token = csrfToken(form);
      var done;
      for (var attempt = 0; ; attempt += 1) {
        var prepared = await prepare(section, cer.der, token);
        var digest = forge.md.sha256.create();
        digest.update(prepared.toBeSigned);
        var signature = forge.util.encode64(key.sign(digest));
        try {
          done = await post(prepared.finish, new URLSearchParams({ signature: signature }), token);
          break;
        } catch (error) {
          // another founder signed first: the document changed, sign its new state (once)
          if (!(error instanceof Refusal) || error.error !== "SomeoneSignedFirst" || attempt > 0) {
            throw error;
          }
        }
      }
      key = null;
      passwordInput.value = "";
      mark(null);
      say(typeof done.message === "string" && done.message ? done.message : messages.msgSigned, "success");
      if (done.status === "waiting") {
        return; // SAT has not answered yet: the founder is told, and the signature waits
      }
      window.location.assign(portalPath(done.signatures) || window.location.href);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (button.disabled) {
        return;
      }
      button.disabled = true;
      say(messages.msgWorking, "");
      // Let the "signing" message paint before the synchronous key work.
      window.setTimeout(function () {
        sign()
          .catch(function (error) {
            refuse(error instanceof Refusal ? error : new Refusal("failed"));
          })
          .then(function () {
            button.disabled = false;
          });
      }, 0);
    });
    section.hidden = false;
  }

  if (typeof forge === "undefined") {
    return; // the library did not load: the section stays hidden, the founder signs another way
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-efirma]"), init);
})();
