// One-time links (templates/_one_time_link.html): Copy, and Share where the
// phone has it. Without this script the field is still there to select by hand.
(function () {
  "use strict";

  function say(box, key) {
    var status = box.querySelector("[data-copied]");
    if (status) status.textContent = status.getAttribute(key) || "";
  }

  function selectAll(field) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
  }

  function copy(box, field) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { say(box, "data-copied-text"); },
        function () { selectAll(field); say(box, "data-select-text"); }
      );
      return;
    }
    selectAll(field);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    say(box, copied ? "data-copied-text" : "data-select-text");
  }

  function enhance(box) {
    if (box.hasAttribute("data-enhanced")) return;
    box.setAttribute("data-enhanced", "");
    var field = box.querySelector("[data-link-field]");
    var copyButton = box.querySelector("[data-copy]");
    var shareButton = box.querySelector("[data-share]");
    if (!field) return;
    field.addEventListener("focus", function () { field.select(); });
    if (copyButton) {
      copyButton.hidden = false;
      copyButton.addEventListener("click", function () { copy(box, field); });
    }
    if (shareButton && typeof navigator.share === "function") {
      shareButton.hidden = false;
      shareButton.addEventListener("click", function () {
        navigator.share({ title: box.getAttribute("data-title") || document.title, url: field.value })
          .catch(function () { /* dismissed: nothing to do */ });
      });
    }
  }

  function enhanceAll() {
    document.querySelectorAll("[data-one-time-link]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
  document.addEventListener("htmx:afterSettle", enhanceAll);
})();
