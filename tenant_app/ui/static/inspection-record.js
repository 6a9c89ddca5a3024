/* The inspection record on a phone at the plant gate (inspections/show.html):
   - autosave: each checklist item and each field of the record is posted by htmx as it is
     chosen or typed (hx-post on the item). This keeps a "not saved yet" mark on what was typed
     and not confirmed, retries it when the network fails or comes back, and asks before
     leaving the page while something is unsaved;
   - uploads: evidence files go by XHR with a progress bar; a lost connection is retried with
     the same idempotency key (upload_key), so the server keeps the file once however many
     times it arrives. The key is kept per file in sessionStorage, so even a reload of the page
     resends the same key for the same photo. Without scripts the forms post as usual.
   Every sentence shown comes from the page (data-msg-*), translated there. */
(function () {
  "use strict";

  var RETRY_DELAYS = [2, 4, 8, 15, 30, 60];

  function msg(form, name, values) {
    var text = (form && form.getAttribute("data-msg-" + name)) || "";
    Object.keys(values || {}).forEach(function (k) {
      text = text.split("{" + k + "}").join(String(values[k]));
    });
    return text;
  }

  /* ---- autosave (htmx) ---- */

  function autosaveItem(el) {
    return el && el.closest ? el.closest("form[data-autosave] [hx-post]") : null;
  }

  function stateBox(item) {
    return item.querySelector(".save-state");
  }

  function show(item, text, kind) {
    var box = stateBox(item);
    if (!box) return;
    box.innerHTML = "";
    var span = document.createElement("span");
    span.className = "save-state-text" + (kind === "error" ? " text-danger" : "");
    span.setAttribute("data-state", kind);
    span.textContent = text;
    box.appendChild(span);
  }

  function retryLater(item) {
    var n = Number(item.getAttribute("data-retries") || "0");
    item.setAttribute("data-retries", String(n + 1));
    var delay = RETRY_DELAYS[Math.min(n, RETRY_DELAYS.length - 1)];
    clearTimeout(item._retry);
    item._retry = setTimeout(function () {
      if (item.hasAttribute("data-dirty") && window.htmx) window.htmx.trigger(item, "change");
    }, delay * 1000);
  }

  document.addEventListener("input", function (event) {
    var item = autosaveItem(event.target);
    if (item) item.setAttribute("data-dirty", "1");
  });
  document.addEventListener("change", function (event) {
    var item = autosaveItem(event.target);
    if (item) item.setAttribute("data-dirty", "1");
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var item = autosaveItem(event.detail.elt) || event.detail.elt;
    if (item && item.closest && item.closest("form[data-autosave]")) {
      show(item, msg(item.closest("form"), "pending"), "pending");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var item = event.detail.elt;
    if (!item || !item.closest || !item.closest("form[data-autosave]")) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 200 && status < 300) {
      item.removeAttribute("data-dirty");
      item.removeAttribute("data-retries");
    } else if (status === 409 || status === 422) {
      item.removeAttribute("data-retries"); // refused: the reason is shown; typing again retries
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var item = event.detail.elt;
    if (!item || !item.closest || !item.closest("form[data-autosave]")) return;
    show(item, msg(item.closest("form"), "offline"), "error");
    retryLater(item);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var item = event.detail.elt;
    if (!item || !item.closest || !item.closest("form[data-autosave]")) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    show(item, msg(item.closest("form"), "failed"), "error");
    if (status >= 500 || status === 0) retryLater(item);
  });

  window.addEventListener("online", function () {
    var dirty = document.querySelectorAll("form[data-autosave] [data-dirty]");
    for (var i = 0; i < dirty.length; i++) if (window.htmx) window.htmx.trigger(dirty[i], "change");
    var stalled = document.querySelectorAll("form[data-upload][data-stalled]");
    for (var j = 0; j < stalled.length; j++) upload(stalled[j]);
  });

  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector("form[data-autosave] [data-dirty]") ||
        document.querySelector("form[data-upload][data-busy]")) {
      var form = document.querySelector("form[data-autosave]") || document.querySelector("form[data-upload]");
      event.preventDefault();
      event.returnValue = msg(form, "leave") || "";
      return event.returnValue;
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-autosave]") || event.defaultPrevented) return;
    // the whole form goes to the server: nothing of it is left unsaved by leaving the page
    var dirty = form.querySelectorAll("[data-dirty]");
    for (var i = 0; i < dirty.length; i++) {
      dirty[i].removeAttribute("data-dirty");
      clearTimeout(dirty[i]._retry);
    }
  });

  /* ---- uploads (XHR with progress, retried with one key per file) ---- */

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function fileId(form, file) {
    return "upload-key:" + form.action + ":" + file.name + ":" + file.size + ":" + file.lastModified;
  }

  function keyFor(form, file) {
    var id = fileId(form, file);
    var key = null;
    try { key = window.sessionStorage.getItem(id); } catch (e) { key = null; }
    if (!key) {
      key = newKey();
      try { window.sessionStorage.setItem(id, key); } catch (e) { /* private mode: per page */ }
    }
    return key;
  }

  function forget(form, file) {
    try { window.sessionStorage.removeItem(fileId(form, file)); } catch (e) { /* nothing kept */ }
  }

  function say(form, text, isError) {
    var box = form.querySelector(".upload-state");
    if (!box) return;
    box.textContent = text;
    box.classList.toggle("text-danger", !!isError);
  }

  function fragmentText(html) {
    var div = document.createElement("div");
    div.innerHTML = html;
    return (div.textContent || "").trim();
  }

  function upload(form) {
    var input = form.querySelector("input[type=file]");
    var file = input && input.files && input.files[0];
    if (!file) { say(form, ""); return; }
    var bar = form.querySelector("progress");
    var key = keyFor(form, file);
    form.querySelector("input[name=upload_key]").value = key;
    var data = new FormData(form);
    var tries = Number(form.getAttribute("data-tries") || "0");
    form.setAttribute("data-busy", "1");
    form.removeAttribute("data-stalled");
    clearTimeout(form._retry);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.timeout = 120000;
    if (bar) { bar.hidden = false; bar.value = 0; }
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.floor((e.loaded / e.total) * 100);
      if (bar) bar.value = pct;
      say(form, msg(form, "progress", { pct: pct }));
    };
    function failedNetwork() {
      form.setAttribute("data-tries", String(tries + 1));
      if (tries < RETRY_DELAYS.length) {
        var s = RETRY_DELAYS[tries];
        say(form, msg(form, "retry", { s: s, n: tries + 1 }), true);
        form._retry = setTimeout(function () { upload(form); }, s * 1000);
      } else {
        form.removeAttribute("data-busy");
        form.setAttribute("data-stalled", "1");
        say(form, msg(form, "stalled"), true);
      }
    }
    xhr.onerror = failedNetwork;
    xhr.ontimeout = failedNetwork;
    xhr.onload = function () {
      if (xhr.status >= 500) { failedNetwork(); return; }
      form.removeAttribute("data-busy");
      form.removeAttribute("data-tries");
      if (xhr.status >= 200 && xhr.status < 300) {
        var list = document.getElementById("evidence-list");
        if (list) list.innerHTML = xhr.responseText;
        forget(form, file);
        input.value = "";
        if (bar) bar.value = 100;
        say(form, msg(form, "done"));
      } else {
        var why = xhr.status === 409 || xhr.status === 422 ? fragmentText(xhr.responseText) : "";
        say(form, why || msg(form, "failed", { status: xhr.status }), true);
      }
    };
    xhr.send(data);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-upload]") || event.defaultPrevented) return;
    if (!window.FormData || !window.XMLHttpRequest) return;
    event.preventDefault();
    form.removeAttribute("data-tries");
    upload(form);
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("form[data-upload][data-autostart] input[type=file]")) return;
    var form = input.closest("form");
    form.removeAttribute("data-tries");
    upload(form);
  });
})();
