/* The line's service worker: keeps protocols, decision trees and resources for
   reading with no signal, and nothing else. The server names every address it
   may keep (/offline/copies.json, drawn from an allow-list of routes); a page
   that is not on that list is never written to the cache, whatever it is. */
"use strict";
const CONFIG = {{ config|safe }};
const CACHE = "crisisline-offline-v1";
const LIST = "/offline/kept-list";  // where the last list is kept, inside the cache
const REFRESH_EVERY = 10 * 60 * 1000;
// The worker's own requests. A redirect is not followed: it only ever leads to
// the sign-in page (signed out), which the worker has no use for; and one loaded
// in the instant after a sign-out, before a CSRF cookie is set again, would set
// a new one under the sign-in form the reader is filling in.
const OWN = { credentials: "same-origin", cache: "no-store", redirect: "manual" };
let refreshing = null;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(CONFIG.always)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  // {refresh: language}: the page asks for fresh copies, at once when the reader changed language.
  if (event.data && event.data.refresh) event.waitUntil(refresh(event.data.refresh));
  if (event.data === "forget") event.waitUntil(forget());
});

async function forget() {
  const names = await caches.keys();
  await Promise.all(names.map((name) => caches.delete(name)));
  await self.registration.unregister();
}

async function keptList() {
  const cache = await caches.open(CACHE);
  const response = await cache.match(LIST);
  if (!response) return { addresses: [], fallbacks: {}, at: 0 };
  return response.json();
}

function refresh(language) {
  // One refresh at a time. A request in the language already being fetched joins
  // it; one in another language (the reader just switched) runs after it, so
  // the switch is never swallowed by a refresh that started in the old language.
  if (refreshing && refreshing.language === language) return refreshing.done;
  const previous = refreshing ? refreshing.done : Promise.resolve();
  const entry = { language, done: null };
  entry.done = previous.then(() => doRefresh(language)).catch(() => {}).finally(() => {
    if (refreshing === entry) refreshing = null;
  });
  refreshing = entry;
  return entry.done;
}

async function doRefresh(language) {
  const previous = await keptList();
  const due = Date.now() - previous.at >= REFRESH_EVERY || language !== previous.language;
  if (!due) return;
  let response;
  try {
    response = await fetch(CONFIG.copies, OWN);
  } catch (error) {
    return;  // no signal: keep what we have
  }
  if (!response.ok) {
    // Signed out (sent to sign in): nothing may stay on this device.
    if (response.type === "opaqueredirect" || response.status === 403) await forget();
    return;
  }
  const list = await response.json();
  const cache = await caches.open(CACHE);
  // A few at a time: quick on a good connection, gentle on the server.
  const queue = [...list.addresses];
  const worker = async () => {
    while (queue.length) await keep(cache, queue.shift());
  };
  await Promise.all([worker(), worker(), worker()]);
  const wanted = new Set([...list.addresses, ...list.always, LIST].map((a) => new URL(a, self.location).href));
  for (const request of await cache.keys()) {
    if (!wanted.has(request.url)) await cache.delete(request);
  }
  list.at = Date.now();
  list.language = language;
  await cache.put(LIST, new Response(JSON.stringify(list), { headers: { "Content-Type": "application/json" } }));
}

async function keep(cache, address, fetched) {
  try {
    const response = fetched || await fetch(address, OWN);
    if (!response.ok || response.redirected) return;
    const body = await response.clone().text();
    const headers = new Headers(response.headers);
    headers.set("X-Offline-Copy-At", new Date().toISOString());
    await cache.put(address, new Response(body, { status: 200, headers }));
  } catch (error) {
    // One page that did not come keeps its older copy.
  }
}

function localPath(url) {
  return url.pathname + url.search;
}

async function fromCache(url) {
  const cache = await caches.open(CACHE);
  const list = await keptList();
  let response = await cache.match(localPath(url));
  if (!response && list.fallbacks[url.pathname]) response = await cache.match(list.fallbacks[url.pathname]);
  if (response) return labelled(response);
  return cache.match(CONFIG.offline);
}

async function labelled(response) {
  const at = response.headers.get("X-Offline-Copy-At");
  let html = await response.text();
  const lang = (html.match(/<html lang="([a-z]{2})/) || [])[1] || "en";
  const label = CONFIG.labels[lang] || CONFIG.labels.en;
  const when = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short", timeZone: CONFIG.timeZone })
    .format(new Date(at));
  const note = `<p class="offline-copy" role="status">${label} <time datetime="${at}">${when}</time></p>`;
  html = html.replace('<main id="main">', `<main id="main">${note}`);
  return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (CONFIG.always.includes(url.pathname)) {
    event.respondWith(fetch(request).catch(() => caches.match(url.pathname)));
  }
});

async function navigate(event, url) {
  let response;
  try {
    response = await fetch(event.request);
  } catch (error) {
    return fromCache(url);
  }
  const list = await keptList();
  if (list.addresses.includes(localPath(url)) && response.ok && !response.redirected) {
    // Online: the page just read becomes the kept copy.
    event.waitUntil(caches.open(CACHE).then((cache) => keep(cache, localPath(url), response.clone())));
  }
  return response;
}
