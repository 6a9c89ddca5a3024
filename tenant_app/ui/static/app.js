/* The few behaviours every page shares (loaded by base.html, no CDN):
   - a button or form with data-confirm="…" asks before it submits: the sentence names what the
     step does and that it cannot be undone; "cancel" leaves everything as it was;
   - every table of the page sits in a box that scrolls sideways on a narrow screen, so the page
     itself never does. */
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
  }

  document.addEventListener("DOMContentLoaded", function () {
    wrapTables(document);
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
