/* Registers the service worker that keeps protocols for reading offline, after
   the page has loaded, and only for someone signed in. Signed out, it removes
   the worker and everything kept, in case the browser ignored Clear-Site-Data. */
"use strict";
window.addEventListener("load", function () {
  if (!("serviceWorker" in navigator) || !window.caches) return;
  var signedIn = document.body.hasAttribute("data-signed-in");
  if (signedIn) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" });
    // Once a worker is active (at once, or after its first install), ask it to
    // refresh the copies: it does when they are old or in another language.
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active && navigator.onLine) {
        registration.active.postMessage({ refresh: document.documentElement.lang });
      }
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
