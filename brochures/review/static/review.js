// The reviewer page: entries of one language and brochure in page order, edit / approve /
// send back / revert, the page preview with the text highlighted. Every text is set with
// textContent (never as HTML), so markup in a translation shows as text.
"use strict";

const T = JSON.parse(document.getElementById("ui-strings").textContent);
const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const $ = (id) => document.getElementById(id);
const state = { languages: [], lang: null, brochure: null, entries: [], index: 0, page: null };

async function api(method, path, body) {
  const options = { method, headers: { "X-CSRF-Token": CSRF }, credentials: "same-origin" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  return { status: response.status, data };
}

const entryPath = (what, id) =>
  `/api/languages/${encodeURIComponent(state.lang)}/${what}/${encodeURIComponent(id)}`;

function option(select, value, label) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = label;
  select.appendChild(o);
}

async function start() {
  const { data } = await api("GET", "/api/languages");
  state.languages = data || [];
  for (const l of state.languages) option($("language"), l.code, `${l.name} (${l.code})`);
  $("language").addEventListener("change", () => chooseLanguage($("language").value));
  $("brochure").addEventListener("change", () => chooseBrochure($("brochure").value));
  $("edition").addEventListener("change", () => { state.page = null; showPreview(); });
  $("previous-button").addEventListener("click", () => go(-1));
  $("next").addEventListener("click", () => go(1));
  $("approve").addEventListener("click", () => save(true));
  $("save").addEventListener("click", () => save(false));
  $("send-back").addEventListener("click", sendBack);
  document.addEventListener("keydown", shortcut);
  $("preview").addEventListener("load", () => $("preview").classList.remove("loading"));
  $("preview").addEventListener("error", () => $("preview").classList.remove("loading"));
  if (state.languages.length) await chooseLanguage(state.languages[0].code);
}

function shortcut(event) {
  if (event.altKey && event.key === "ArrowDown") { event.preventDefault(); go(1); }
  else if (event.altKey && event.key === "ArrowUp") { event.preventDefault(); go(-1); }
  else if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    event.preventDefault();
    save(true);
  }
}

async function chooseLanguage(code) {
  state.lang = code;
  const language = state.languages.find((l) => l.code === code);
  const field = $("translation");
  field.lang = code;
  field.dir = language.direction;
  field.style.fontFamily = language.font;
  $("suggestion").lang = code;
  $("suggestion").dir = language.direction;
  $("conflict-text").lang = code;
  $("conflict-text").dir = language.direction;
  $("brochure").replaceChildren();
  for (const b of language.brochures) option($("brochure"), b, b);
  await chooseBrochure(language.brochures[0]);
}

async function chooseBrochure(id) {
  state.brochure = id;
  const query = `?brochure=${encodeURIComponent(id)}`;
  const { data } = await api("GET", `/api/languages/${encodeURIComponent(state.lang)}/entries${query}`);
  state.entries = data || [];
  state.index = Math.max(0, state.entries.findIndex((e) => e.state !== "reviewed"));
  state.page = null;
  show();
}

function counts() {
  const c = { missing: 0, unreviewed: 0, outdated: 0, reviewed: 0 };
  for (const e of state.entries) c[e.state] += 1;
  $("counts").textContent = Object.keys(c).map((k) => `${T[k]}: ${c[k]}`).join(" · ");
}

function go(step) {
  if (!state.entries.length) return;
  state.index = Math.min(state.entries.length - 1, Math.max(0, state.index + step));
  state.page = null;
  show();
}

function show() {
  counts();
  $("message").textContent = "";
  $("conflict").hidden = true;
  const entry = state.entries[state.index];
  if (!entry) {
    $("position").textContent = T.none;
    return;
  }
  $("position").textContent = `${state.index + 1} ${T.of} ${state.entries.length}`;
  $("state").textContent = T[entry.state];
  $("state").className = `state ${entry.state}`;
  $("entry-id").textContent = entry.id;
  $("source").textContent = entry.source;
  $("translation").value = entry.translation;
  $("comment").value = "";
  $("previous-box").hidden = !entry.previous;
  if (entry.previous) {
    $("previous-label").textContent = T.previous_german;
    $("previous").replaceChildren(...wordDiff(entry.previous, entry.source));
  }
  $("checks").replaceChildren(...entry.checks.map((c) => {
    const li = document.createElement("li");
    li.className = c.severity;
    li.textContent = `${c.check}: ${c.detail}`;
    return li;
  }));
  $("suggestion-box").hidden = !entry.suggestion;
  $("suggestion").textContent = entry.suggestion || "";
  showHistory(entry);
  showPreview();
}

// A word diff of the German the translation was made for against today's German.
function wordDiff(before, after) {
  const a = before.split(/(\s+)/), b = after.split(/(\s+)/);
  const n = a.length, m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  const push = (tag, text) => {
    const node = tag ? document.createElement(tag) : document.createTextNode(text);
    if (tag) node.textContent = text;
    out.push(node);
  };
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) { push(null, a[i]); i++; j++; }
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) { push("del", a[i]); i++; }
    else { push("ins", b[j]); j++; }
  }
  while (i < n) push("del", a[i++]);
  while (j < m) push("ins", b[j++]);
  return out;
}

function placesOf(entry) {
  const edition = $("edition").value;
  const place = entry.pages.find((p) => p.edition === edition && p.brochure === state.brochure);
  return place ? place.pages : [];
}

function showPreview() {
  const entry = state.entries[state.index];
  if (!entry) return;
  const pages = placesOf(entry);
  if (state.page === null) state.page = pages.length ? pages[0] : 1;
  $("pages").replaceChildren(...pages.map((p) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = `${T.page} ${p}`;
    button.setAttribute("aria-pressed", String(p === state.page));
    button.addEventListener("click", () => { state.page = p; showPreview(); });
    return button;
  }));
  const params = new URLSearchParams({
    edition: $("edition").value, highlight: entry.id, v: entry.version,
  });
  const path = `/api/languages/${encodeURIComponent(state.lang)}/preview/` +
    `${encodeURIComponent(state.brochure)}/${state.page}.png?${params}`;
  if ($("preview").getAttribute("src") !== path) {
    $("preview").classList.add("loading"); // the previous page stays visible, dimmed, until then
    $("preview").src = path;
  }
}

async function showHistory(entry) {
  $("history").replaceChildren(); // never the previous text's log (and its revert buttons)
  const { data } = await api("GET", entryPath("history", entry.id));
  const current = state.entries[state.index];
  if (!current || current.id !== entry.id) return; // the reviewer moved on meanwhile
  const records = data || [];
  if (!records.length) {
    const li = document.createElement("li");
    li.textContent = T.no_history;
    $("history").replaceChildren(li);
    return;
  }
  $("history").replaceChildren(...records.map((r) => {
    const li = document.createElement("li");
    const head = document.createElement("p");
    head.textContent = `${r.time} · ${r.reviewer} · ${r.action} · ${T[r.old.state]} → ${T[r.new.state]}`;
    const old = document.createElement("del");
    old.textContent = r.old.translation;
    const now = document.createElement("ins");
    now.textContent = r.new.translation;
    li.append(head, old, " ", now);
    if (r.comment) {
      const c = document.createElement("p");
      c.textContent = r.comment;
      li.append(c);
    }
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = T.revert;
    button.addEventListener("click", () => revert(r.seq));
    li.append(button);
    return li;
  }));
}

async function revert(seq) {
  const entry = state.entries[state.index];
  const result = await api("POST", entryPath("revert", entry.id), { seq, version: entry.version });
  done(result, T.reverted, false);
}

function sendBack() {
  if (!$("comment").value.trim()) {
    $("message").textContent = T.comment_needed;
    $("comment").focus();
    return;
  }
  save(false, $("comment").value.trim());
}

async function save(reviewed, comment) {
  const entry = state.entries[state.index];
  if (!entry) return;
  const body = { translation: $("translation").value, reviewed, version: entry.version };
  if (comment) body.comment = comment;
  else if ($("comment").value.trim()) body.comment = $("comment").value.trim();
  const result = await api("PUT", entryPath("entries", entry.id), body);
  done(result, reviewed ? T.approved : comment ? T.sent_back : T.saved, reviewed);
}

function done({ status, data }, message, advance) {
  if (status === 200) {
    state.entries[state.index] = { ...data, pages: state.entries[state.index].pages };
    if (advance && state.index < state.entries.length - 1) { state.index += 1; state.page = null; }
    show();
    $("message").textContent = message;
  } else if (status === 409 && data && data.current) {
    // keep the reviewer's text in the field; show theirs; the next save may overwrite
    const typed = $("translation").value;
    state.entries[state.index] = { ...data.current, pages: state.entries[state.index].pages };
    show();
    $("translation").value = typed;
    $("message").textContent = T.conflict;
    $("conflict").hidden = false;
    $("conflict-label").textContent = T.their_version;
    $("conflict-text").textContent = data.current.translation;
  } else if (status === 422 && data) {
    $("message").textContent = `${T.refused} ${data.error}`;
  } else {
    $("message").textContent = `${T.failed} ${(data && data.error) || status}`;
  }
}

start();
