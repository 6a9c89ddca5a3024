/* The few behaviours every page shares (loaded by base.html, no CDN):
   - a button or form with data-confirm="…" asks before it submits: the sentence names what the
     step does and that it cannot be undone; "cancel" leaves everything as it was;
   - every table of the page sits in a box that scrolls sideways on a narrow screen, so the page
     itself never does; a box that does scroll is a stop of the keyboard's Tab order
     (tabindex="0"), so arrow keys can scroll it without a mouse (WCAG 2.1.1, axe's
     "scrollable-region-focusable"); a box that fits is not. */
(function () {
  "use strict";

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var message =
        (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  // A button with data-print prints the page (the printable record); inline onclick handlers
  // are blocked by the Content-Security-Policy.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });

  function wrapTables(root) {
    var tables = root.querySelectorAll("main table");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      var parent = table.parentElement;
      if (parent && parent.classList.contains("table-scroll")) continue;
      var box = document.createElement("div");
      box.className = "table-scroll";
      parent.insertBefore(box, table);
      box.appendChild(table);
    }
    markScrolling(root);
  }

  function markScrolling(root) {
    var boxes = root.querySelectorAll(".table-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex");
    }
  }

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      markScrolling(document);
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    wrapTables(document);
  });
  window.addEventListener("load", function () {
    markScrolling(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    wrapTables(document);
  });
})();

/* htmx answers a refused partial request with 409 or 422 and the reasons by field (pickers, the
   inspection record saved item by item): those answers are shown like any other, where htmx
   would drop every 4xx by default. */
document.addEventListener("DOMContentLoaded", function () {
  if (window.htmx && window.htmx.config && window.htmx.config.responseHandling) {
    window.htmx.config.responseHandling.unshift({ code: "^(409|422)$", swap: true, error: false });
  }
});
