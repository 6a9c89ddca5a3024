/* Search-as-you-type pickers (ui/templates/_picker.html). htmx asks for the matches as one
   types; this keeps what was chosen when the matches change:
   - choosing a match (radio or checkbox in .picker-results) moves it to .picker-selected,
     replacing the previous choice of a single picker;
   - a match already chosen is not offered twice;
   - Enter in the search box searches (htmx) instead of submitting the form.
   Without scripts the picker's own search button submits the form and the page answers. */
(function () {
  "use strict";

  function pickerOf(el) {
    return el && el.closest ? el.closest("[data-picker]") : null;
  }

  function chosenValues(picker) {
    var out = {};
    var boxes = picker.querySelectorAll(".picker-selected input");
    for (var i = 0; i < boxes.length; i++) out[boxes[i].value] = true;
    return out;
  }

  function dropDuplicates(picker) {
    var chosen = chosenValues(picker);
    var offered = picker.querySelectorAll(".picker-results input");
    for (var i = 0; i < offered.length; i++) {
      if (chosen[offered[i].value]) {
        var label = offered[i].closest("label");
        if (label) label.remove();
      }
    }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(".picker-results input")) return;
    var picker = pickerOf(input);
    if (!picker || !input.checked) return;
    var label = input.closest("label");
    var selected = picker.querySelector(".picker-selected");
    if (!label || !selected) return;
    if (!picker.hasAttribute("data-multiple")) selected.innerHTML = "";
    label.classList.add("chosen");
    selected.appendChild(label);
    input.focus();
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches(".picker-search input")) return;
    event.preventDefault();
    if (window.htmx) window.htmx.trigger(input, "search");
  });

  document.addEventListener("htmx:afterSettle", function () {
    var pickers = document.querySelectorAll("[data-picker]");
    for (var i = 0; i < pickers.length; i++) dropDuplicates(pickers[i]);
  });
})();
