// The policy page's rule cards: open on a desk, folded on a phone (each card is a <details>
// whose summary names the rule); the search box filters the cards as one types (pressing Enter
// asks the server, which filters the same way, so the page works without scripts too).
(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll(".rule-card"));
  if (!cards.length) return;
  var box = document.getElementById("rule-search");
  var count = document.getElementById("rules-count");
  var wide = window.matchMedia("(min-width: 768px)").matches;
  if (wide && !(box && box.value)) {
    cards.forEach(function (c) { c.open = true; });
  }
  if (!box) return;
  var total = count ? count.getAttribute("data-total") : "";
  var template = count ? count.getAttribute("data-template") : "";
  function filter() {
    var q = box.value.trim().toLowerCase();
    var shown = 0;
    cards.forEach(function (c) {
      var text = (c.getAttribute("data-search") || "") + " " + c.textContent.toLowerCase();
      var hit = !q || text.indexOf(q) !== -1;
      c.hidden = !hit;
      if (hit) shown += 1;
      if (hit && q) c.open = true;
    });
    if (count && template) {
      count.textContent = template.replace("%(total)s", total).replace("%(shown)s", String(shown));
    }
  }
  box.addEventListener("input", filter);
})();
