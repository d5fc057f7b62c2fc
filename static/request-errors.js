/* When a request htmx makes without leaving the page fails, say so at the top
   of the page instead of doing nothing: a form refused, the server failing, no
   signal. What the reader typed stays where it is. The notice is the error
   page's own words (its .what-went-wrong part: templates/error.html). It goes
   at the next request that works: any, if a refresh nobody asked for put it
   there; else one the reader asked for; never, if it says the page must be
   opened again. */
"use strict";
(function () {
  function notice() {
    return document.getElementById("request-error");
  }

  function cause(event) {
    var config = event.detail.requestConfig;
    return (config && config.triggeringEvent) || null;
  }

  // Whether the reader started the request (not a timer), and whether by a tap
  // or a form sent: only then is the page moved to the notice. Typing or ticking
  // a box that asks for something on the side leaves the reader where they are.
  function asked(event) {
    return Boolean(cause(event) && cause(event).isTrusted);
  }

  function tapped(event) {
    return asked(event) && (cause(event).type === "click" || cause(event).type === "submit");
  }

  // One of the box's own sentences (data-offline, data-failed), as a paragraph.
  function sentence(name) {
    var p = document.createElement("p");
    p.textContent = notice() ? notice().dataset[name] : "";
    return p;
  }

  function say(nodes, event, by) {
    var box = notice();
    if (!box) return;
    box.replaceChildren.apply(box, nodes);
    box.dataset.by = by || (asked(event) ? "reader" : "refresh");
    if (tapped(event)) {
      box.scrollIntoView({ block: "start" });
      box.focus({ preventScroll: true });
    }
  }

  function problemIn(page) {
    var part = page.querySelector(".what-went-wrong") || page.querySelector("main") || page.body;
    var inner = part.querySelector("#request-error");
    if (inner) inner.remove();
    // An empty answer (a proxy's 502 while the app restarts, say) still says something.
    if (!part.textContent.trim()) return [sentence("failed")];
    // The page's heading becomes the notice's first line: the page keeps its own h1.
    var heading = part.querySelector("h1");
    if (heading) {
      var first = document.createElement("p");
      var strong = document.createElement("strong");
      strong.textContent = heading.textContent;
      first.append(strong);
      heading.replaceWith(first);
    }
    return Array.prototype.slice.call(part.childNodes);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var page = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
    // A page that stays (forms refused until it is opened again) keeps its notice.
    say(problemIn(page), event, page.querySelector("[data-until-reload]") ? "page" : null);
  });

  document.addEventListener("htmx:sendError", function (event) {
    say([sentence("offline")], event);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var box = notice();
    if (!box || !event.detail.successful || box.dataset.by === "page") return;
    if (asked(event) || box.dataset.by === "refresh") box.replaceChildren();
  });
})();
