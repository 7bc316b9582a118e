"use strict";
// The drop page. Every string a person reads comes from the server's message table
// (GET api/messages/LANG, scanner/ui/messages.py); every name taken from a file goes into the
// page as text, never as markup. Files are sent one by one (api/jobs), the page asks for the
// state of the whole line in one poll (api/queue), and fetches each result once.

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const MAX_UPLOAD = Number(document.body.dataset.maxUpload);
const FIXABLE = new Set(document.body.dataset.fixable.split(" "));
const NEVER_FIXED = new Set(document.body.dataset.neverFixed.split(" "));  // no copy when one of these blocks
// A browser opens at most 6 connections to one host: 3 for uploads, the rest for polls and results.
const UPLOADS_AT_ONCE = 3;
const RESULTS_AT_ONCE = 2;
const POLL_MS = 700;
const BUSY_RETRY_MS = 2000;
// Screen readers hear the counter at most this often while files are checked, then once at the end.
const ANNOUNCE_EVERY_MS = 10000;

const catalogues = {};
let lang = document.documentElement.lang;
const items = [];
let uploading = 0;
let polling = false;
let lastAnnounced = 0;
let announcedAll = false;

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- messages

function t(id, values = {}) {
  const template = (catalogues[lang] || {})[id] ?? (catalogues.en || {})[id] ?? id;
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

// A reason kept as a message id and values, so it can be said again in the other language.
function say(reason) {
  const said = reason.said && reason.said[lang];  // the server's reason, in the page's language
  return t(reason.id, said ? { ...reason.values, reason: said } : reason.values || {});
}

async function loadCatalogue(code) {
  if (catalogues[code]) return true;
  const reply = await call(`api/messages/${encodeURIComponent(code)}`);
  if (!reply.ok) return false;
  catalogues[code] = reply.body;
  return true;
}

// ---------------------------------------------------------------- the server

async function call(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { ...options, headers: { "X-Smscan-Token": TOKEN }, cache: "no-store" });
  } catch (failure) {
    return { ok: false, status: 0, body: {} };
  }
  let body = {};
  if ((response.headers.get("content-type") || "").startsWith("application/json")) {
    try {
      body = await response.json();
    } catch (failure) {
      body = {};
    }
  }
  return { ok: response.ok, status: response.status, body };
}

// What went wrong with a request, in the person's words (never the server's raw answer).
function problem(reply) {
  if (reply.status === 0) return { id: "error_offline" };
  if (reply.status === 413) return { id: "error_too_large", values: { limit: reply.body.limit_mb ?? megabytes(MAX_UPLOAD) } };
  if (reply.status === 403) return { id: "error_forbidden" };
  if (reply.status === 404) return { id: "error_gone" };
  return { id: "error_server", values: { status: reply.status } };
}

function megabytes(bytes) {
  return Math.round(bytes / 1048576);
}

// ---------------------------------------------------------------- files in, results out

function add(file, name) {
  const item = { name, file, phase: "sending", id: null, position: 0, result: null, problem: null, copy: null,
                 retryAt: 0, node: document.createElement("li") };
  items.push(item);
  $("results").append(item.node);
  if (file.size > MAX_UPLOAD) {
    finish(item, null, { id: "error_too_large", values: { limit: megabytes(MAX_UPLOAD) } });
  } else {
    render(item);
  }
  announcedAll = false;
  update();
  pump();
}

function pump() {
  const now = Date.now();
  for (const item of items) {
    if (uploading >= UPLOADS_AT_ONCE) break;
    if (item.phase === "sending" && !item.inFlight && item.retryAt <= now) send(item);
  }
}

async function send(item) {
  item.inFlight = true;
  uploading += 1;
  const form = new FormData();
  form.append("file", item.file, item.name);
  const reply = await call("api/jobs", { method: "POST", body: form });
  uploading -= 1;
  item.inFlight = false;
  if (reply.status === 503) {  // the server's line is full: try again shortly
    item.retryAt = Date.now() + BUSY_RETRY_MS;
    setTimeout(pump, BUSY_RETRY_MS);
  } else if (!reply.ok) {
    finish(item, null, problem(reply));
  } else {
    item.id = reply.body.id;
    setPhase(item, reply.body.state, reply.body.position || 0);
    poll();
  }
  update();
  pump();
}

async function poll() {
  if (polling) return;
  polling = true;
  while (items.some((i) => i.id && i.phase !== "done")) {
    const reply = await call("api/queue");
    if (!reply.ok) {
      items.filter((i) => i.id && i.phase !== "done").forEach((i) => finish(i, null, problem(reply)));
      break;
    }
    const queued = new Map(reply.body.queued.map((id, index) => [id, index + 1]));
    const checking = new Set(reply.body.checking);
    const finished = [];
    for (const item of items) {
      if (!item.id || item.phase === "done") continue;
      if (queued.has(item.id)) setPhase(item, "queued", queued.get(item.id));
      else if (checking.has(item.id)) setPhase(item, "checking", 0);
      else finished.push(item);
    }
    await fetchResults(finished);
    update();
    await sleep(POLL_MS);
  }
  polling = false;
  update();
}

async function fetchResults(finished) {
  const next = async () => {
    const item = finished.shift();
    if (!item) return;
    const reply = await call(`api/jobs/${encodeURIComponent(item.id)}`);
    if (!reply.ok) finish(item, null, problem(reply));
    else if (reply.body.state === "done") finish(item, reply.body.result, null);
    else setPhase(item, reply.body.state, reply.body.position || 0);
    await next();
  };
  await Promise.all(Array.from({ length: RESULTS_AT_ONCE }, next));
}

function setPhase(item, phase, position) {
  if (item.phase === phase && item.position === position) return;
  item.phase = phase;
  item.position = position;
  render(item);
}

// A file that could not be sent or checked is blocked: the page never shows it as passed.
function finish(item, result, reason) {
  item.phase = "done";
  item.result = result;
  item.problem = reason;
  render(item);
}

function blocked(item) {
  return item.phase === "done" && (!item.result || item.result.verdict === "block");
}

// ---------------------------------------------------------------- what the page shows

function el(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) if (child !== null && child !== undefined && child !== "") node.append(child);
  return node;
}

// A file name with break opportunities after separators, so a long path wraps at / _ - .
// rather than in the middle of a word.
function nameNode(name) {
  const span = el("span", { className: "name" });
  name.split(/(?<=[/\\_\-.])/).forEach((piece, index) => {
    if (index) span.append(document.createElement("wbr"));
    span.append(piece);
  });
  return span;
}

function badge(state) {
  const words = { pass: "verdict_pass", block: "verdict_block", checking: "verdict_checking" };
  return el("span", { className: `badge ${state}`, textContent: t(words[state] || "verdict_waiting") });
}

function stateOf(item) {
  if (item.phase !== "done") return item.phase === "checking" ? "checking" : "waiting";
  return blocked(item) ? "block" : "pass";
}

function render(item) {
  const state = stateOf(item);
  const result = item.result;
  const node = item.node;
  node.className = "result";
  node.dataset.verdict = state;
  node.classList.toggle("compact", state !== "block" && !(result && result.findings.length));
  node.replaceChildren(el("h3", {}, [badge(state), " ", nameNode(item.name)]));
  if (item.phase === "sending") node.append(el("p", { className: "state", textContent: t("state_sending") }));
  if (item.phase === "queued") node.append(el("p", { className: "state", textContent: t("state_queued", { position: item.position }) }));
  if (item.phase === "checking") node.append(el("p", { className: "state", textContent: t("state_checking") }));
  if (item.problem) node.append(el("p", { className: "error", textContent: t("cannot_check", { reason: say(item.problem) }) }));
  if (!result) return;
  if (result.error) node.append(el("p", { className: "error", textContent: unchecked(result) }));
  node.append(...findingsBlock(result));
  if (canFix(result) && !(item.copy && item.copy.report)) node.append(fixButton(item));
  if (result.previews) node.append(pictures(item.name, result.previews));
  if (item.copy && item.copy.phase !== "working") node.append(copyBlock(item.copy));
}

// Why a file could not be checked, in the page's language when the server said it in it.
function unchecked(result) {
  const said = result.reason && result.reason[lang];
  return said ? said.charAt(0).toUpperCase() + said.slice(1) : t("cannot_check", { reason: result.error });
}

function findingsBlock(result) {
  if (!result.findings.length) return [];
  const anyBlocks = result.findings.some((f) => f.blocks);
  const list = el("ol", { className: "findings" }, result.findings.map((f, index) => findingItem(f, index + 1)));
  return [el("p", { className: "why", textContent: t(anyBlocks && result.verdict === "block" ? "why_blocked" : "found") }), list];
}

// The box with number N on a picture is finding N here. What a finding says (what was found and
// what to do, with the guideline) comes from its check's declaration, in both languages.
function findingItem(finding, number) {
  const said = finding.message && (finding.message[lang] || finding.message.en);
  const what = said || t("found.other", { kind: finding.kind, label: finding.label });
  const where = t(finding.part ? "where_part" : "where", { page: finding.page, part: finding.part });
  const detail = [finding.kind, finding.label, `${Math.round(finding.confidence * 100)} %`,
                  finding.excerpt, finding.detail].filter(Boolean).join(" · ");
  return el("li", { value: number, className: "finding" }, [
    el("span", { className: "what", textContent: what }),
    finding.blocks ? null : el("span", { className: "todo", textContent: " " + t("not_blocking") }),
    el("span", { className: "where", textContent: where }),
    el("details", {}, [el("summary", { textContent: t("technical_detail") }), el("span", { textContent: detail })]),
  ]);
}

function pictures(name, previews) {
  return el("div", { className: "previews" }, previews.map((p) => el("figure", {}, [
    el("img", { src: p.image, alt: t("preview_alt", { name, page: p.page }) }),
    el("figcaption", { textContent: t("page_caption", { page: p.page }) }),
  ])));
}

// ---------------------------------------------------------------- the shareable copy

function canFix(result) {
  const blocking = result.findings.filter((f) => f.blocks);
  return result.verdict === "block" && !result.error && blocking.some((f) => FIXABLE.has(f.kind))
    && !blocking.some((f) => NEVER_FIXED.has(f.kind));
}

function fixButton(item) {
  const working = item.copy && item.copy.phase === "working";
  const button = el("button", { type: "button", className: "fix", textContent: t(working ? "fixing" : "fix") });
  if (working) button.setAttribute("aria-disabled", "true");
  button.addEventListener("click", () => makeCopy(item, button));
  return button;
}

async function makeCopy(item, button) {
  if (item.copy && item.copy.phase === "working") return;
  item.copy = { phase: "working" };
  button.textContent = t("fixing");
  button.setAttribute("aria-disabled", "true");
  const form = new FormData();
  form.append("file", item.file, item.name);
  const reply = await call("api/fix", { method: "POST", body: form });
  if (reply.ok) {
    const bytes = Uint8Array.from(atob(reply.body.data), (c) => c.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes], { type: reply.body.media_type }));
    item.copy = { phase: "done", name: reply.body.name, url, report: reply.body.report,
                  changes: reply.body.changes || {}, whyNot: reply.body.why_not || {} };
    const verdict = t(reply.body.report.verdict === "pass" ? "verdict_pass" : "verdict_block");
    announce(t("copy_announce", { name: item.name, verdict }));
  } else {
    const reason = reply.status === 422 ? { id: "fix_failed", said: reply.body.why || {}, values: { reason: reply.body.error } }
      : problem(reply);
    item.copy = { phase: "failed", problem: reason };
    announce(say(reason));
  }
  render(item);
  const target = item.node.querySelector(".copy h4, .copy .error");
  if (target) target.focus();  // the button is gone: keyboard users continue from the copy
}

function copyBlock(copy) {
  const box = el("section", { className: "copy" });
  if (copy.phase === "failed") {
    box.append(el("p", { className: "error", tabIndex: -1, textContent: say(copy.problem) }));
    return box;
  }
  const report = copy.report;
  const state = report.verdict === "pass" ? "pass" : "block";
  box.append(el("h4", { tabIndex: -1 }, [badge(state), " ", t("copy_title", { name: copy.name })]));
  const changes = copy.changes[lang] || [];
  if (changes.length) {
    box.append(el("p", { textContent: t("copy_changes") }), el("ul", {}, changes.map((c) => el("li", { textContent: c }))));
  }
  box.append(el("p", { textContent: t(state === "pass" ? "copy_passes" : "copy_still_blocked") }));
  if (state === "block" && copy.whyNot[lang]) box.append(el("p", { textContent: copy.whyNot[lang] }));
  if (report.error) box.append(el("p", { className: "error", textContent: unchecked(report) }));
  if (state === "block") box.append(...findingsBlock(report).slice(1));
  if (report.previews) box.append(pictures(copy.name, report.previews));
  box.append(el("p", {}, [el("a", { className: "download", href: copy.url, download: copy.name,
                                     textContent: t("copy_download", { name: copy.name }) })]));
  return box;
}

// ---------------------------------------------------------------- counter and announcements

function update() {
  const total = items.length;
  const done = items.filter((i) => i.phase === "done").length;
  const blockedCount = items.filter(blocked).length;
  const checking = items.filter((i) => i.phase === "checking").length;
  const values = { checked: done, total, blocked: blockedCount, checking, waiting: total - done - checking,
                   passed: done - blockedCount };
  let text = t("counter_empty");
  if (total) text = t(done < total ? "counter_working" : "counter", values);
  $("counter").textContent = text;
  $("results").setAttribute("aria-busy", String(done < total));
  if (total && done === total) {
    if (!announcedAll) announce(t("all_done", values));
    announcedAll = true;
  } else if (total && done && Date.now() - lastAnnounced > ANNOUNCE_EVERY_MS) {
    announce(text);
  }
}

function announce(text) {
  lastAnnounced = Date.now();
  $("announce").textContent = text;
}

// ---------------------------------------------------------------- dropping and picking

function readEntry(entry, prefix) {
  if (entry.isFile) {
    entry.file((file) => add(file, prefix + file.name));
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    const more = () => reader.readEntries((entries) => {
      entries.forEach((e) => readEntry(e, `${prefix}${entry.name}/`));
      if (entries.length) more();  // a folder is listed in batches
    });
    more();
  }
}

// The dropped items must be read during the event; they are added once the messages are in.
function dropped(event) {
  event.preventDefault();
  $("drop").classList.remove("over");
  const entries = [...(event.dataTransfer.items || [])].map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
  const files = [...event.dataTransfer.files];
  ready.then(() => {
    if (entries.length && entries.every((e) => e)) entries.forEach((e) => readEntry(e, ""));
    else files.forEach((f) => add(f, f.name));
  });
}

async function switchLanguage() {
  const button = $("lang");
  const next = button.dataset.lang;
  if (!(await loadCatalogue(next))) return;
  const previous = lang;
  lang = next;
  document.documentElement.lang = lang;
  button.lang = previous;
  button.dataset.lang = previous;
  document.querySelectorAll("[data-t]").forEach((node) => { node.textContent = t(node.dataset.t); });
  document.title = t("title");
  items.forEach(render);
  update();
  history.replaceState(null, "", `?lang=${encodeURIComponent(lang)}&token=${encodeURIComponent(TOKEN)}`);
}

// Both languages at once: switching is then immediate, with no request that could fail.
const ready = Promise.all([loadCatalogue(lang), loadCatalogue($("lang").dataset.lang)]).then(([ok]) => {
  if (!ok) $("counter").textContent = document.body.dataset.offline;  // said by the server with the page
  document.body.dataset.ready = String(ok);
});

// A file dropped anywhere on the page is taken, not opened by the browser in place of the page.
document.addEventListener("dragover", (event) => {
  event.preventDefault();
  $("drop").classList.add("over");
});
document.addEventListener("dragleave", (event) => {
  if (!event.relatedTarget) $("drop").classList.remove("over");
});
document.addEventListener("drop", dropped);
$("choose-files").addEventListener("click", () => $("pick-files").click());
$("choose-folder").addEventListener("click", () => $("pick-folder").click());
$("pick-files").addEventListener("change", (event) => {
  const picked = [...event.target.files];
  event.target.value = "";
  ready.then(() => picked.forEach((f) => add(f, f.name)));
});
$("pick-folder").addEventListener("change", (event) => {
  const picked = [...event.target.files].sort((a, b) => a.webkitRelativePath.localeCompare(b.webkitRelativePath));
  event.target.value = "";
  ready.then(() => picked.forEach((f) => add(f, f.webkitRelativePath || f.name)));
});
$("blocked-only").addEventListener("change", (event) => $("results").classList.toggle("blocked-only", event.target.checked));
$("lang").addEventListener("click", switchLanguage);
