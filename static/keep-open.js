/* A board that htmx replaces keeps the folds someone opened: /oncall/ swaps its
   board every few minutes, and someone reading folded notices keeps their place.
   Folds are matched by id; what is in them is the new board's. */
"use strict";
(function () {
  var opened = [];
  document.addEventListener("htmx:beforeSwap", function (event) {
    var folds = event.detail.target.querySelectorAll("details[id][open]");
    opened = Array.prototype.map.call(folds, function (fold) { return fold.id; });
  });
  document.addEventListener("htmx:afterSwap", function () {
    opened.forEach(function (id) {
      var fold = document.getElementById(id);
      if (fold && fold.tagName === "DETAILS") fold.open = true;
    });
    opened = [];
  });
})();
