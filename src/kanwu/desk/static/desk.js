// kanwu serve: follows the desk's state (Server-Sent Events), shows the pages, findings and stories,
// marks a finding on its page and shows its source lines. Text from the issue is only ever set as
// textContent, never as HTML.
"use strict";

const QUIET = new Set(["normalized-punctuation"]); // many and harmless: listed folded, as the CLI does
const $ = (id) => document.getElementById(id);
let state = null;      // the latest /api/state
let shown = null;      // the build whose pages are on screen
let selected = null;   // {kind: "finding"|"failed"|"story", key}
let foldOpen = false;  // the folded punctuation findings are open (kept across rebuilds)

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function clickable(item, action) {
  // a list entry that acts like a button: clicked, or Enter / space with the keyboard
  item.tabIndex = 0;
  item.addEventListener("click", action);
  item.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); action(); }
  });
  return item;
}

// ------------------------------------------------------------------ state

async function refresh() {
  try {
    const answer = await fetch("/api/state", {cache: "no-store"});
    state = await answer.json();
  } catch (e) {
    return offline();
  }
  render();
}

function offline() {
  const s = $("status");
  s.className = "offline";
  s.textContent = "与 kanwu 的连接已断开（kanwu serve 停止了？）/ disconnected: is kanwu serve still running?";
}

function render() {
  const view = state.view;
  document.title = `kanwu 校样 · ${state.issue}`;
  $("issue").textContent = state.issue;
  document.body.dataset.version = state.version;
  renderStatus(view);
  renderFailed();
  if (view && (!shown || shown.build !== view.build)) { // a new build: everything below is redrawn
    renderPages(view);
    renderDownloads(view);
    renderFindings(view);
    renderStories(view);
    shown = view;
    reselect();
  }
}

function renderStatus(view) {
  const s = $("status");
  if (state.building) {
    s.className = "building";
    s.textContent = "正在重新排版… / building…";
  } else if (state.failed.length) {
    s.className = "failed";
    s.textContent = "排版失败，见上方说明 / the build failed: see above";
  } else if (view) {
    s.className = "";
    const verdict = view.ok ? "可以付印" : "有错误，未生成印刷文件";
    s.textContent = `${view.finished} 排好（${view.seconds} 秒）· ${verdict} / built at ${view.finished}`;
  }
}

function renderFailed() {
  const box = $("failed"), list = $("failed-list");
  box.hidden = !state.failed.length;
  list.replaceChildren(...state.failed.map((f) => {
    const li = el("li", "", f.where ? `${f.where}: ${f.message}` : f.message);
    return clickable(li, () => select({kind: "failed", key: f.index}, f));
  }));
}

// ------------------------------------------------------------------ pages

function pageWidth(view) {
  const natural = view.trim.width * 96 / 72; // the previews are 96 dpi, cropped to the trim
  const zoom = $("zoom").value, pages = $("pages");
  const room = pages.clientWidth - 40 - 24;  // padding and a gap
  if (zoom === "fit1") return Math.max(200, room);
  if (zoom === "fit2") return Math.max(200, Math.floor((room - 24) / 2));
  return natural * Number(zoom);
}

function applyZoom() {
  if (state && state.view) $("pages").style.setProperty("--page-w", `${pageWidth(state.view)}px`);
}

function renderPages(view) {
  const pages = $("pages");
  $("empty")?.remove();
  pages.dataset.build = view.build;
  view.pages.forEach((p) => {
    let fig = $(`page-${p.number}`);
    if (!fig) {
      fig = el("figure", "page");
      fig.id = `page-${p.number}`;
      const img = el("img");
      img.alt = `第 ${p.number} 版`;
      fig.append(img, el("figcaption", "", `第 ${p.number} 版`));
      pages.append(fig);
    }
    const img = fig.querySelector("img");
    // the new page is fetched first, so the old one stays on screen until it can be swapped
    const next = new Image();
    next.onload = () => { img.src = p.url; };
    next.src = p.url;
    if (!img.getAttribute("src")) img.src = p.url;
  });
  [...pages.querySelectorAll("figure.page")].forEach((fig) => {
    if (Number(fig.id.slice(5)) > view.pages.length) fig.remove();
  });
  applyZoom();
}

function renderDownloads(view) {
  $("downloads").replaceChildren(...view.downloads.map((d) => {
    const a = el("a", "", d.label);
    a.href = d.url;
    a.download = d.name;
    a.dataset.kind = d.kind;
    return a;
  }));
}

// ------------------------------------------------------------------ findings and stories

function findingItem(f) {
  const li = el("li");
  li.dataset.index = f.index;
  li.dataset.code = f.code;
  li.append(el("span", `level ${f.level}`, f.level === "error" ? "错误" : "提示"), el("span", "message", f.message));
  const where = [f.where, f.page ? `第 ${f.page} 版` : "", f.code].filter(Boolean).join(" · ");
  li.append(el("span", "where", where));
  return clickable(li, () => select({kind: "finding", key: keyOf(f)}, f));
}

function keyOf(f) {
  return `${f.code}|${f.where}|${f.message}`;
}

function renderFindings(view) {
  const list = $("findings");
  const loud = view.findings.filter((f) => !QUIET.has(f.code));
  const quiet = view.findings.filter((f) => QUIET.has(f.code));
  const c = view.counts;
  $("counts").textContent = c.error || c.warning ? `${c.error} 个错误，${c.warning} 个提示` : "没有问题";
  $("counts").className = c.error || c.warning ? "" : "counts-ok";
  const items = loud.map(findingItem);
  if (quiet.length) {
    const fold = el("details");
    fold.open = foldOpen;
    fold.addEventListener("toggle", () => { foldOpen = fold.open; });
    fold.append(el("summary", "", `标点已规范化 ${quiet.length} 处（印出来已改好，源文件未动）`));
    const inner = el("ul");
    inner.append(...quiet.map(findingItem));
    fold.append(inner);
    const li = el("li");
    li.className = "fold";
    li.append(fold);
    items.push(li);
  }
  list.replaceChildren(...items);
}

function renderStories(view) {
  $("stories").replaceChildren(...view.stories.map((s) => {
    const li = el("li");
    li.dataset.story = s.id;
    const pages = s.pages.length ? `第 ${s.pages.join("、")} 版` : "未排入 / not placed";
    li.append(el("span", "message headline", s.headline), el("span", "where", `${s.id} · ${pages} · ${s.characters} 字`));
    return clickable(li, () => select({kind: "story", key: s.id}, s));
  }));
}

// ------------------------------------------------------------------ selecting: mark, scroll, source

function clearMarks() {
  document.querySelectorAll(".mark").forEach((m) => m.remove());
  document.querySelectorAll("#side li.selected, #failed li.selected").forEach((li) => li.classList.remove("selected"));
}

function mark(place, cls) {
  const fig = $(`page-${place.page}`);
  if (!fig) return null;
  const m = el("div", `mark ${cls}`);
  m.style.left = `${place.left}%`;
  m.style.top = `${place.top}%`;
  m.style.width = `${place.width}%`;
  m.style.height = `${place.height}%`;
  fig.append(m);
  return m;
}

function select(what, item, scroll = true) {
  selected = what;
  clearMarks();
  let first = null;
  if (what.kind === "story") {
    document.querySelector(`#stories li[data-story="${CSS.escape(item.id)}"]`)?.classList.add("selected");
    item.places.forEach((p) => { const m = mark(p, "story"); first = first || m; });
    $("source").hidden = true;
  } else if (what.kind === "finding") {
    const li = document.querySelector(`#findings li[data-index="${item.index}"]`);
    li?.classList.add("selected");
    if (li && li.closest("details")) li.closest("details").open = true;
    if (item.place) first = mark(item.place, item.level);
    else if (item.page) first = $(`page-${item.page}`);
    showSource(`/api/source?build=${encodeURIComponent(shown.build)}&finding=${item.index}`);
  } else {
    showSource(`/api/source?failed=${item.index}`);
  }
  if (first && scroll) first.scrollIntoView({block: "center", inline: "nearest", behavior: "smooth"});
}

function reselect() {
  // after a rebuild the same finding (or story) is marked again, where it now is
  if (!selected || selected.kind === "failed") return;
  if (selected.kind === "story") {
    const s = state.view.stories.find((x) => x.id === selected.key);
    if (s) select(selected, s, false); else clearMarks();
    return;
  }
  const f = state.view.findings.find((x) => keyOf(x) === selected.key);
  if (f) select(selected, f, false); else { clearMarks(); selected = null; }
}

async function showSource(url) {
  const box = $("source"), note = $("source-note"), pre = $("source-lines");
  let doc;
  try {
    const answer = await fetch(url, {cache: "no-store"});
    if (answer.status === 409) return; // a newer build is on its way; it re-selects the finding
    doc = await answer.json();
  } catch (e) {
    return offline();
  }
  box.hidden = false;
  $("source-title").textContent = doc.line ? `${doc.file}:${doc.line}${doc.column ? ":" + doc.column : ""}` : (doc.file || "");
  note.hidden = !doc.error;
  note.textContent = doc.error || "";
  pre.replaceChildren(...(doc.lines || []).map((l) => {
    const line = el("span", l.number === doc.line ? "line here" : "line");
    line.append(el("span", "number", String(l.number)));
    if (l.number === doc.line && doc.column > 0 && doc.column <= l.text.length) {
      const chars = Array.from(l.text), at = doc.column - 1;
      line.append(chars.slice(0, at).join(""), el("mark", "", chars[at] || ""), chars.slice(at + 1).join(""));
    } else {
      line.append(l.text);
    }
    return line;
  }));
  pre.querySelector(".here")?.scrollIntoView({block: "center"});
}

// ------------------------------------------------------------------ start

function start() {
  const zoom = $("zoom");
  const saved = localStorage.getItem("kanwu-zoom");
  if (saved && [...zoom.options].some((o) => o.value === saved)) zoom.value = saved;
  zoom.addEventListener("change", () => { localStorage.setItem("kanwu-zoom", zoom.value); applyZoom(); });
  window.addEventListener("resize", applyZoom);
  const events = new EventSource("/api/events");
  events.addEventListener("state", refresh);
  events.onerror = () => { if (events.readyState !== EventSource.OPEN) offline(); };
}

start();
