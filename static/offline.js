/* Registers the service worker that keeps protocols for reading offline, after
   the page has loaded, and only for someone signed in. Signed out, it removes
   the worker and everything kept, in case the browser ignored Clear-Site-Data. */
"use strict";
window.addEventListener("load", function () {
  if (!("serviceWorker" in navigator) || !window.caches) return;
  var signedIn = document.body.hasAttribute("data-signed-in");
  if (signedIn) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (registration) {
      var worker = registration.active;
      if (worker && navigator.onLine) worker.postMessage("refresh");
    });
  } else {
    navigator.serviceWorker.getRegistrations().then(function (registrations) {
      registrations.forEach(function (registration) { registration.unregister(); });
    });
    caches.keys().then(function (names) {
      names.forEach(function (name) { caches.delete(name); });
    });
  }
});
