// gridlog web console. Every figure and event on these pages comes from an ordinary API call
// (the README's API table) made with the key the user typed, kept in sessionStorage only.
// Event content is only ever put into the page as text (textContent), never as markup.
"use strict";

const API_VERSION = "2024-06-01";
const CREDENTIAL = "gridlog.console.authorization";
const PAGES = ["namespace", "live", "peek", "deadletters", "publish"];
const LIVE_INTERVAL_MS = 2000;
const LIVE_WINDOW_MS = 5 * 60 * 1000;
const DEAD_LETTER_ATTRIBUTES = ["deadletterreason", "deliveryattempts", "deliveryresult", "publishutc", "deliveryattemptutc"];

const $ = (id) => document.getElementById(id);

/** An element with attributes and children (strings become text nodes, never markup). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") node.textContent = String(value);
    else if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// ---- credentials and API calls ----------------------------------------------------------

/** The Authorization header value for what the user typed: a SAS token or an access key. */
function authorizationFor(input) {
  const value = input.trim();
  if (/^SharedAccessSignature\s/i.test(value)) return value;
  if (/^r=/.test(value) && /&s=/.test(value)) return "SharedAccessSignature " + value;
  return "SharedAccessKey " + value;
}

class ApiFailure extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** One API call with the session's credential; JSON answer, or an ApiFailure. */
async function api(method, path, body, contentType) {
  const headers = { Authorization: sessionStorage.getItem(CREDENTIAL) || "" };
  if (body !== undefined) headers["Content-Type"] = contentType || "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body, cache: "no-store", credentials: "omit" });
  } catch (error) {
    throw new ApiFailure(0, "NetworkError", "the server did not answer: " + error.message);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
  if (!response.ok) {
    const error = json && json.error ? json.error : {};
    const failure = new ApiFailure(response.status, error.code || String(response.status), error.message || text || response.statusText);
    if (response.status === 401 && !signingIn) signOut("The key was refused (401 Unauthorized).");
    throw failure;
  }
  return json;
}

const enc = encodeURIComponent;
const topicPath = (topic) => "/topics/" + enc(topic);
const subPath = (topic, sub) => topicPath(topic) + "/eventsubscriptions/" + enc(sub);
const describe = (failure) => failure.code + ": " + failure.message;

// ---- sign in, sign out, pages -----------------------------------------------------------

let timer = null;
let signingIn = false;

function signOut(message) {
  sessionStorage.removeItem(CREDENTIAL);
  stopTimer();
  show("login");
  $("login-error").textContent = message || "";
}

async function signIn(event) {
  event.preventDefault();
  const typed = $("login-key").value;
  $("login-error").textContent = "";
  if (!typed.trim()) {
    $("login-error").textContent = "Type an access key or a SAS token.";
    return;
  }
  sessionStorage.setItem(CREDENTIAL, authorizationFor(typed));
  signingIn = true;
  try {
    await api("GET", "/_gridlog/namespace");
  } catch (failure) {
    sessionStorage.removeItem(CREDENTIAL);
    $("login-error").textContent = "Refused: " + describe(failure);
    return;
  } finally {
    signingIn = false;
  }
  $("login-key").value = "";
  if (!PAGES.includes(location.hash.slice(1))) location.hash = "#namespace";
  route();
}

function stopTimer() {
  if (timer !== null) clearInterval(timer);
  timer = null;
}

function show(page) {
  for (const section of document.querySelectorAll(".page")) section.hidden = section.id !== "page-" + page;
  $("nav").hidden = page === "login";
  for (const name of PAGES) {
    const link = $("nav-" + name);
    if (name === page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function route() {
  stopTimer();
  if (!sessionStorage.getItem(CREDENTIAL)) {
    show("login");
    $("login-key").focus();
    return;
  }
  const page = PAGES.includes(location.hash.slice(1)) ? location.hash.slice(1) : "namespace";
  show(page);
  const start = { namespace: startNamespace, live: startLive, peek: startPeek, deadletters: startDeadLetters, publish: startPublish }[page];
  start().catch((failure) => console.warn(failure));
}

function every(ms, tick) {
  stopTimer();
  const run = () => tick().catch((failure) => console.warn(failure));
  run();
  timer = setInterval(run, ms);
}

// ---- figures ----------------------------------------------------------------------------

async function sample() {
  const [namespace, topics] = await Promise.all([api("GET", "/_gridlog/namespace"), api("GET", "/_gridlog/topics")]);
  return { at: Date.now(), namespace, topics: topics.value || [] };
}

function subscriptionsOf(topic) {
  return topic.eventSubscriptions || [];
}

function deliveryOf(sub) {
  const config = (sub.properties || {}).deliveryConfiguration || {};
  return config.queue || config.push || {};
}

const number = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
const rate = (n) => (n === null ? "–" : n.toFixed(n >= 100 ? 0 : 1));
function bytes(n) {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}

/** Per-second rate of `read` between two samples of the same object, or null. */
function perSecond(now, before, read) {
  if (!before || now.at <= before.at) return null;
  return Math.max(0, (read(now) - read(before)) / ((now.at - before.at) / 1000));
}

function findTopic(s, name) {
  return s && s.topics.find((t) => t.name === name);
}

function findSub(topic, name) {
  return topic && subscriptionsOf(topic).find((x) => x.name === name);
}

// ---- Namespace page ---------------------------------------------------------------------

let previous = null;

function card(title, rows) {
  return el("div", { class: "card" }, el("h3", { text: title }),
    el("dl", {}, rows.map(([name, value]) => [el("dt", { text: name }), el("dd", { text: value })])));
}

function renderNamespace(now, before) {
  const ns = now.namespace;
  const throttled = ns.throttled || {};
  const storage = ns.storage || {};
  let publishUnits = 0, deliveryUnits = 0, settlementUnits = 0;
  for (const topic of now.topics) {
    publishUnits += (topic.meters || {}).publishBillingUnits || 0;
    for (const sub of subscriptionsOf(topic)) {
      deliveryUnits += (sub.meters || {}).deliveryBillingUnits || 0;
      settlementUnits += (sub.meters || {}).settlementBillingUnits || 0;
    }
  }
  const cards = $("namespace-cards");
  clear(cards);
  cards.append(
    card("Throughput", [
      ["Throughput units", ns.throughputUnits === null ? "unlimited" : number(ns.throughputUnits)],
      ["Throttled publishes", number(throttled.publish)],
      ["Throttled receives", number(throttled.receive)],
      ["Throttled settlements", number(throttled.settlement)],
    ]),
    card("Billing units (64 KB)", [
      ["Publish", number(publishUnits)],
      ["Delivery", number(deliveryUnits)],
      ["Settlement", number(settlementUnits)],
    ]),
    card("Storage", [
      ["Segments", number(storage.segments)],
      ["Used", bytes(storage.usedBytes)],
      ["On disk", bytes(storage.diskBytes)],
      ["Positions", storage.firstSequenceNumber === undefined ? "–" : number(storage.firstSequenceNumber) + " – " + number(storage.nextSequenceNumber)],
    ]),
  );
  const body = $("namespace-topics").tBodies[0];
  clear(body);
  for (const topic of now.topics) {
    const old = findTopic(before, topic.name);
    const published = perSecond({ at: now.at, t: topic }, old && { at: before.at, t: old }, (x) => (x.t.meters || {}).events || 0);
    body.append(el("tr", { class: "topic", "data-topic": topic.name },
      el("td", { text: topic.name }), el("td"), el("td"), el("td"),
      el("td", { text: rate(published) }), el("td"), el("td"),
      el("td", { text: number((topic.meters || {}).publishBillingUnits) })));
    for (const sub of subscriptionsOf(topic)) {
      const m = sub.meters || {};
      const was = findSub(old, sub.name);
      const pair = (read) => perSecond({ at: now.at, m }, was && { at: before.at, m: was.meters || {} }, (x) => read(x.m));
      const delivered = pair((x) => x.delivered || 0);
      const settled = pair((x) => (x.acknowledged || 0) + (x.released || 0) + (x.rejected || 0));
      body.append(el("tr", { class: "sub", "data-topic": topic.name, "data-subscription": sub.name },
        el("td", { text: sub.name }),
        el("td", { class: "backlog", text: number(m.backlog) }),
        el("td", { class: "locked", text: number(m.locked) }),
        el("td", { class: "dead", text: number(m.deadLettered) }),
        el("td"),
        el("td", { text: rate(delivered) }),
        el("td", { text: rate(settled) }),
        el("td", { text: number((m.deliveryBillingUnits || 0) + (m.settlementBillingUnits || 0)) })));
    }
  }
  if (now.topics.length === 0) body.append(el("tr", {}, el("td", { colspan: 8, text: "No topics." })));
  // Event Hubs: shown from `eventHubs` in GET /_gridlog/namespace when the server reports it.
  const hubs = $("namespace-hubs");
  clear(hubs);
  const list = Array.isArray(ns.eventHubs) ? ns.eventHubs : [];
  if (list.length === 0) {
    hubs.append(el("p", { class: "hint", text: "No event hubs reported by this server." }));
  } else {
    hubs.append(el("div", { class: "scroll" }, el("table", {},
      el("thead", {}, el("tr", {}, ["Event hub", "Partitions", "Events sent", "Retained"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, list.map((hub) => el("tr", {},
        el("td", { text: hub.name }),
        el("td", { text: number(Array.isArray(hub.partitions) ? hub.partitions.length : hub.partitionCount) }),
        el("td", { text: number(hub.events) }),
        el("td", { text: number(hub.retainedEvents) })))))));
  }
  $("namespace-updated").textContent = "Updated " + new Date(now.at).toLocaleTimeString() + "; rates over the last " + (before ? ((now.at - before.at) / 1000).toFixed(1) + " s" : "– s") + ".";
}

async function startNamespace() {
  every(LIVE_INTERVAL_MS, async () => {
    const now = await sample();
    renderNamespace(now, previous);
    previous = now;
  });
}

// ---- Live page --------------------------------------------------------------------------

const samples = [];

function seriesFromHistory() {
  const rates = { published: [], received: [], acknowledged: [] };
  const backlog = new Map();
  const throttled = { publish: [], receive: [], settlement: [] };
  for (let i = 0; i < samples.length; i += 1) {
    const now = samples[i];
    for (const topic of now.topics) {
      for (const sub of subscriptionsOf(topic)) {
        const key = topic.name + "/" + sub.name;
        if (!backlog.has(key)) backlog.set(key, []);
        backlog.get(key).push([now.at, (sub.meters || {}).backlog || 0]);
      }
    }
    if (i === 0) continue;
    const before = samples[i - 1];
    const total = (s, read) => s.topics.reduce((sum, t) => sum + read(t), 0);
    const subsTotal = (s, name) => total(s, (t) => subscriptionsOf(t).reduce((n, x) => n + ((x.meters || {})[name] || 0), 0));
    const dt = (now.at - before.at) / 1000;
    rates.published.push([now.at, Math.max(0, total(now, (t) => (t.meters || {}).events || 0) - total(before, (t) => (t.meters || {}).events || 0)) / dt]);
    rates.received.push([now.at, Math.max(0, subsTotal(now, "delivered") - subsTotal(before, "delivered")) / dt]);
    rates.acknowledged.push([now.at, Math.max(0, subsTotal(now, "acknowledged") - subsTotal(before, "acknowledged")) / dt]);
    for (const name of Object.keys(throttled)) {
      const read = (s) => ((s.namespace.throttled || {})[name] || 0);
      throttled[name].push([now.at, Math.max(0, read(now) - read(before))]);
    }
  }
  return {
    rates: Object.entries(rates).map(([name, points]) => ({ name, points })),
    backlog: [...backlog.entries()].map(([name, points]) => ({ name, points })),
    throttled: Object.entries(throttled).map(([name, points]) => ({ name, points })),
  };
}

/** A line chart (inline SVG) of `series` over the last LIVE_WINDOW_MS. */
function lineChart(container, series, end, format) {
  const width = 600, height = 180, left = 44, bottom = 18, top = 8;
  const start = end - LIVE_WINDOW_MS;
  const max = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1])));
  const x = (t) => left + ((t - start) / LIVE_WINDOW_MS) * (width - left - 4);
  const y = (v) => top + (1 - v / max) * (height - top - bottom);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none", role: "img" });
  const last = (s) => (s.points.length ? format(s.points[s.points.length - 1][1]) : "–");
  chart.setAttribute("aria-label", series.map((s) => s.name + " " + last(s)).join(", "));
  chart.append(svg("line", { class: "axis", x1: left, y1: y(0), x2: width, y2: y(0) }));
  chart.append(svg("line", { class: "axis", x1: left, y1: top, x2: left, y2: y(0) }));
  for (const [value, label] of [[max, format(max)], [0, "0"]]) {
    const tick = svg("text", { class: "tick", x: left - 4, y: y(value) + 4, "text-anchor": "end" });
    tick.textContent = label;
    chart.append(tick);
  }
  const ago = svg("text", { class: "tick", x: left, y: height - 4 });
  ago.textContent = "5 min ago";
  chart.append(ago);
  series.forEach((s, i) => {
    const points = s.points.filter((p) => p[0] >= start);
    if (points.length === 0) return;
    const d = points.map((p, j) => (j === 0 ? "M" : "L") + x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1)).join(" ");
    chart.append(svg("path", { d, class: "s" + (i % 6) }));
  });
  clear(container);
  container.append(chart, el("ul", { class: "legend" }, series.map((s, i) =>
    el("li", {}, el("span", { class: "s" + (i % 6), "aria-hidden": "true" }), s.name + ": " + last(s)))));
}

async function startLive() {
  every(LIVE_INTERVAL_MS, async () => {
    const now = await sample();
    samples.push(now);
    while (samples.length > 0 && samples[0].at < now.at - LIVE_WINDOW_MS) samples.shift();
    const series = seriesFromHistory();
    lineChart($("chart-rates"), series.rates, now.at, rate);
    lineChart($("chart-backlog"), series.backlog, now.at, number);
    lineChart($("chart-throttled"), series.throttled, now.at, number);
  });
}

// ---- topic and subscription pickers -----------------------------------------------------

let topicsCache = [];

async function loadTopics() {
  topicsCache = (await api("GET", "/_gridlog/topics")).value || [];
  return topicsCache;
}

function fillSelect(select, options, keep) {
  const current = keep ? select.value : "";
  clear(select);
  for (const [value, label] of options) select.append(el("option", { value, text: label }));
  if (options.some(([value]) => value === current)) select.value = current;
}

// ---- events (Peek and Dead letters) -----------------------------------------------------

function pretty(event) {
  return JSON.stringify(event, null, 2);
}

function eventItem(entry, extra) {
  const event = entry.event || {};
  const dead = entry.deadLetter;
  const state = entry.state || "";
  const meta = el("div", { class: "meta" },
    el("span", {}, "position ", el("b", { text: entry.sequenceNumber })),
    el("span", { class: "badge" + (state === "locked" ? " locked" : "") + (dead ? " dead" : ""), text: dead ? "dead letter" : state }),
    state === "logged" ? null : el("span", {}, "deliveries ", el("b", { class: "delivery-count", text: entry.deliveryCount })),
    el("span", {}, "stored ", el("b", { text: entry.publishedAt })),
    el("span", {}, "type ", el("b", { class: "event-type", text: event.type })),
    event.subject === undefined ? null : el("span", {}, "subject ", el("b", { class: "event-subject", text: event.subject })),
    el("span", {}, "id ", el("b", { class: "event-id", text: event.id })),
    dead ? el("span", {}, "from ", el("b", { text: (dead.topic || "(deleted)") + "/" + (dead.subscription || "(deleted)") })) : null);
  return el("li", { class: "event", "data-sequence-number": entry.sequenceNumber }, meta, extra || null, el("pre", { class: "event-json", text: pretty(event) }));
}

// ---- Peek page --------------------------------------------------------------------------

let peekNext = null;

function peekSubscriptions() {
  const topic = topicsCache.find((t) => t.name === $("peek-topic").value);
  fillSelect($("peek-sub"), [["", "(the topic's log)"], ...subscriptionsOf(topic || {}).map((s) => [s.name, s.name])], true);
}

async function startPeek() {
  await loadTopics();
  fillSelect($("peek-topic"), topicsCache.map((t) => [t.name, t.name]), true);
  peekSubscriptions();
}

async function peek(from) {
  const topic = $("peek-topic").value;
  const sub = $("peek-sub").value;
  const query = new URLSearchParams({ "api-version": API_VERSION, from: String(from), maxEvents: $("peek-max").value || "20" });
  if ($("peek-type").value) query.set("type", $("peek-type").value);
  if ($("peek-subject").value) query.set("subject", $("peek-subject").value);
  const path = (sub ? subPath(topic, sub) : topicPath(topic)) + ":peek?" + query;
  const list = $("peek-events");
  clear(list);
  $("peek-status").textContent = "Reading…";
  try {
    const page = await api("GET", path);
    for (const entry of page.value) list.append(eventItem(entry));
    peekNext = page.nextSequenceNumber < page.endSequenceNumber ? page.nextSequenceNumber : null;
    $("peek-next").disabled = peekNext === null;
    $("peek-status").textContent = page.value.length + " event(s) from position " + from + (peekNext === null ? "; end of the log." : "; more from " + peekNext + ".");
  } catch (failure) {
    $("peek-status").textContent = describe(failure);
  }
}

// ---- Dead letters page ------------------------------------------------------------------

async function startDeadLetters() {
  await loadTopics();
  const targets = new Set();
  for (const topic of topicsCache) {
    for (const sub of subscriptionsOf(topic)) {
      const dl = deliveryOf(sub).deadLetterTopic;
      if (dl) targets.add(dl);
    }
  }
  const names = topicsCache.map((t) => t.name);
  const ordered = [...names.filter((n) => targets.has(n)), ...names.filter((n) => !targets.has(n))];
  fillSelect($("dl-topic"), ordered.map((n) => [n, targets.has(n) ? n + " (dead-letter topic)" : n]), true);
  if ($("dl-topic").value) await loadDeadLetters();
}

async function loadDeadLetters() {
  const topic = $("dl-topic").value;
  const list = $("dl-events");
  clear(list);
  let from = 0;
  let shown = 0;
  try {
    for (;;) {
      const query = new URLSearchParams({ "api-version": API_VERSION, from: String(from), maxEvents: "100" });
      const page = await api("GET", topicPath(topic) + ":peek?" + query);
      for (const entry of page.value.filter((e) => e.deadLetter)) {
        const event = entry.event || {};
        const facts = el("dl", { class: "facts" }, DEAD_LETTER_ATTRIBUTES.map((name) => [el("dt", { text: name }), el("dd", { class: name, text: event[name] === undefined ? "–" : event[name] })]));
        const button = el("button", { type: "button", class: "republish", text: "Re-publish to " + (entry.deadLetter.topic || "(deleted topic)"), onclick: () => republish(topic, { sequenceNumbers: [entry.sequenceNumber] }) });
        button.disabled = !entry.deadLetter.topic;
        list.append(eventItem(entry, el("div", {}, facts, el("div", { class: "actions" }, button))));
        shown += 1;
      }
      if (page.nextSequenceNumber >= page.endSequenceNumber || shown >= 500) break;
      from = page.nextSequenceNumber;
    }
    $("dl-status").textContent = shown + " dead-letter event(s) in " + topic + ".";
  } catch (failure) {
    $("dl-status").textContent = describe(failure);
  }
}

async function republish(topic, selection) {
  $("dl-status").textContent = "Re-publishing…";
  try {
    const answer = await api("POST", topicPath(topic) + ":republishDeadLetters?api-version=" + API_VERSION, JSON.stringify(selection));
    const done = answer.republished.map((r) => r.id + " → " + r.topic);
    const failed = answer.failed.map((f) => f.sequenceNumber + ": " + f.error.code);
    $("dl-status").textContent = "Re-published " + answer.republished.length + (done.length ? " (" + done.join(", ") + ")" : "") + (failed.length ? "; failed " + failed.join(", ") : "") + ".";
  } catch (failure) {
    $("dl-status").textContent = describe(failure);
  }
}

// ---- Publish page -----------------------------------------------------------------------

function newId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
}

async function startPublish() {
  await loadTopics();
  fillSelect($("publish-topic"), topicsCache.map((t) => [t.name, t.name]), true);
  if (!$("publish-id").value) $("publish-id").value = newId();
}

async function publish(event) {
  event.preventDefault();
  const result = $("publish-result");
  result.className = "";
  const cloudEvent = { specversion: "1.0", id: $("publish-id").value, source: $("publish-source").value, type: $("publish-type").value };
  if ($("publish-subject").value) cloudEvent.subject = $("publish-subject").value;
  const data = $("publish-data").value;
  if (data.trim()) {
    try { cloudEvent.data = JSON.parse(data); } catch (_) { cloudEvent.data = data; }
  }
  const topic = $("publish-topic").value;
  try {
    await api("POST", topicPath(topic) + ":publish?api-version=" + API_VERSION, JSON.stringify(cloudEvent), "application/cloudevents+json; charset=utf-8");
    result.className = "ok";
    result.textContent = "Published " + cloudEvent.id + " to " + topic + ".";
    $("publish-id").value = newId();
  } catch (failure) {
    result.className = "error";
    result.textContent = "Refused (" + failure.status + ") " + describe(failure);
  }
}

// ---- wiring -----------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", () => signOut(""));
  $("peek-topic").addEventListener("change", peekSubscriptions);
  $("peek-form").addEventListener("submit", (e) => { e.preventDefault(); peek(Number($("peek-from").value) || 0); });
  $("peek-next").addEventListener("click", () => { if (peekNext !== null) peek(peekNext); });
  $("dl-form").addEventListener("submit", (e) => { e.preventDefault(); loadDeadLetters(); });
  $("dl-topic").addEventListener("change", loadDeadLetters);
  $("dl-republish-all").addEventListener("click", () => {
    const topic = $("dl-topic").value;
    if (topic && window.confirm("Publish every dead-letter event of " + topic + " again into its original topic?")) republish(topic, { all: true });
  });
  $("publish-form").addEventListener("submit", publish);
  window.addEventListener("hashchange", route);
  route();
});
