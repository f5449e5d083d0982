// The page's controller: its state lives in the URL; every view is drawn from API answers.

import { Answers, ApiError, download, get, hasToken, setToken, url } from "./api.js";
import { AUDIT_FILTERS, AuditLog } from "./audit.js";
import { Chart, dayNumber, dayText } from "./chart.js";
import { el } from "./dom.js";
import { describe, LEVEL_LABELS, LEVELS } from "./labels.js";
import { Live } from "./live.js";
import { WorldMap } from "./map.js";
import { RelationPanel } from "./panel.js";

const $ = (id) => document.getElementById(id);
const today = () => new Date().toISOString().slice(0, 10);
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const SYSTEM_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)$/i;
const answers = new Answers();
const timings = { firstUsefulPaint: null, redraws: [] };
window.ledgerTimings = timings;

const state = {
  view: "subject", subject: "", actor: "", at: "", recorded: "", selected: "", tab: "map", audit: {}, after: 0,
};
let subjects = [];
let actors = new Map();
let map;
let chart;
let panel;
let audit;
let notice = ""; // said once the next view is drawn
let focusAfter = null; // what takes the focus once the view is drawn: "panel", or a selector
let drawing = 0;
let inFlight = null; // the AbortController of the latest draw's requests // the latest draw; an older one that finishes later is dropped
let playing = null;
let redrawSoon = null;
let drawnSubjects = new Map();

// A record written while the page shows "now": one redraw for a burst of them. EventSource cannot send
// a token, so a page reading with one is not live.
const live = new Live((record) => {
  answers.clear();
  notice = `Updated: a ${(record.type || "record").replaceAll("_", " ")} was recorded at ${record.recorded_at}.`;
  if (!redrawSoon) redrawSoon = setTimeout(() => { redrawSoon = null; draw(); }, 200);
}, document.getElementById("live"));
const followable = () => !state.recorded && !hasToken() && state.tab === "map";

function readUrl() {
  const query = new URLSearchParams(location.search);
  state.view = query.get("view") === "actor" ? "actor" : "subject";
  state.subject = query.get("subject") || "";
  state.actor = query.get("actor") || "";
  state.at = query.get("at") || today();
  if (!DAY.test(state.at)) {
    notice = `"${state.at}" is not a date (YYYY-MM-DD); this is today.`;
    state.at = today();
  }
  state.recorded = query.get("recorded_at") || "";
  if (state.recorded && !SYSTEM_TIME.test(state.recorded)) {
    notice = `"${state.recorded}" is not a system time (RFC 3339); this is now.`;
    state.recorded = "";
  }
  state.selected = query.get("select") || "";
  state.tab = query.get("tab") === "audit" ? "audit" : "map";
  state.audit = {};
  for (const name of AUDIT_FILTERS) if (query.get(`log_${name}`)) state.audit[name] = query.get(`log_${name}`);
  state.after = Number(query.get("log_after")) || 0;
}

function writeUrl() {
  const params = {
    view: state.view === "actor" ? "actor" : "",
    subject: state.view === "subject" ? state.subject : "",
    actor: state.view === "actor" ? state.actor : "",
    at: state.at,
    recorded_at: state.recorded,
    select: state.selected,
    tab: state.tab === "audit" ? "audit" : "",
  };
  if (state.tab === "audit") {
    for (const [name, value] of Object.entries(state.audit)) params[`log_${name}`] = value;
    if (state.after) params.log_after = state.after;
  }
  history.replaceState(null, "", url(location.pathname, params));
}

function say(text, isError = false) {
  const message = $("message");
  message.textContent = text;
  message.classList.toggle("error", isError);
}

function failed(error) {
  if (error.name === "AbortError") return;
  if (error instanceof ApiError && error.status === 401) {
    $("token-box").open = true;
    say(`The ledger needs a token to read: ${error.message}`, true);
  } else {
    say(error instanceof ApiError ? `${error.problem.title || "Refused"}: ${error.message}` : String(error), true);
  }
}

// Subjects and actors are found by id or code, name or alias, in any case.
function findSubject(text) {
  const wanted = text.trim().toLowerCase();
  if (!wanted) return [];
  const exact = subjects.filter((s) => [s.id, s.name, ...s.aliases].some((n) => n.toLowerCase() === wanted));
  if (exact.length) return exact;
  return subjects.filter((s) => [s.id, s.name, ...s.aliases].some((n) => n.toLowerCase().includes(wanted)));
}

function findActor(text) {
  const wanted = text.trim().toLowerCase();
  if (!wanted) return null;
  for (const a of actors.values()) if (a.code.toLowerCase() === wanted || a.name.toLowerCase() === wanted) return a;
  const some = [...actors.values()].filter((a) => a.name.toLowerCase().includes(wanted));
  return some.length === 1 ? some[0] : null;
}

function subjectById(id) {
  return subjects.find((s) => s.id === id);
}

function showMatches(found) {
  $("subject-matches").replaceChildren(...found.slice(0, 8).map((s) => {
    const button = el("button", { type: "button" }, `${s.name} (${s.id})`);
    button.addEventListener("click", () => chooseSubject(s.id));
    return el("li", {}, button);
  }));
}

function chooseSubject(id) {
  stop();
  state.subject = id;
  state.selected = "";
  $("subject").value = subjectById(id)?.name || id;
  showMatches([]);
  draw();
}

// The range of the date slider: from a year before the subject's first dated event to today.
function range(history) {
  const days = [...history.points.map((p) => p.date), ...history.milestones.map((m) => m.effective_on)];
  const first = days.length ? days.sort()[0] : `${Number(today().slice(0, 4)) - 10}-01-01`;
  const start = dayNumber(`${Number(first.slice(0, 4)) - 1}-01-01`);
  const end = Math.max(dayNumber(today()), ...days.map(dayNumber));
  return [start, end];
}

function setSlider([start, end]) {
  const slider = $("slider");
  slider.min = start;
  slider.max = end;
  slider.value = Math.min(end, Math.max(start, dayNumber(state.at)));
  slider.setAttribute("aria-valuetext", state.at);
}

const swatch = () => el("span", { class: "swatch", "aria-hidden": "true" });
const MARKS = [["hostile", "hostile (hatched)"], ["disputed", "disputed (dashed outline)"],
  ["approximate", "approximate (dotted)"]];

function legend(counts, marks) {
  $("legend").replaceChildren(
    ...LEVELS.map((level) => el("li", { "data-level": level }, swatch(), `${LEVEL_LABELS[level]}: ${counts[level]}`)),
    ...MARKS.map(([mark, words]) => el("li", { class: `mark ${mark}` }, swatch(), `${words}: ${marks[mark]}`)),
  );
}

function sideList(rows, title, note) {
  $("offmap-title").textContent = title;
  $("offmap").querySelector("p").textContent = note;
  $("offmap-list").replaceChildren(...rows.map(({ code, name, entry }) => {
    const button = el("button", { type: "button", "data-code": code, "data-level": entry.level }, swatch(),
      describe(name, entry));
    button.classList.toggle("selected", code === state.selected);
    button.addEventListener("click", () => select(code));
    return el("li", {}, button);
  }));
}

function counted(relations, unknown) {
  const counts = Object.fromEntries(LEVELS.map((l) => [l, 0]));
  const marks = { hostile: 0, disputed: 0, approximate: 0 };
  for (const r of relations) {
    counts[r.level] += 1;
    for (const m of Object.keys(marks)) if (r[m]) marks[m] += 1;
  }
  counts.no_facts = unknown;
  return [counts, marks];
}

function links(path) {
  const params = { at: state.at, recorded_at: state.recorded };
  $("csv").href = url(path, { ...params, format: "csv" });
  $("api-answer").href = url(path, params);
}

async function drawSubject(mine, signal) {
  const subject = subjectById(state.subject);
  const params = { at: state.at, recorded_at: state.recorded };
  const path = `/v1/subjects/${encodeURIComponent(state.subject)}/status`;
  const [status, history] = await Promise.all([
    answers.get(path, params, signal),
    answers.get(`/v1/subjects/${encodeURIComponent(state.subject)}/history`, { recorded_at: state.recorded }, signal),
  ]);
  if (mine !== drawing) return false;
  live.follow({ subject: state.subject }, followable(), status.recorded_at);
  const entries = new Map(status.relations.map((r) => [r.actor, r]));
  const unknown = map.show(entries, state.selected);
  legend(...counted(status.relations, unknown));
  $("map-title").textContent = `${status.subject_name}: who recognises it on ${status.at}` +
    (state.recorded ? `, as recorded at ${state.recorded}` : "");
  const off = status.relations
    .filter((r) => !map.has(r.actor) || actors.get(r.actor)?.source !== "iso3166-1")
    .map((r) => ({ code: r.actor, name: r.actor_name, entry: r }));
  sideList(off, "Not on the map",
    "Actors the map cannot show as ISO states: organisations, entities ISO lacks, states too small for it.");
  const days = range(history);
  setSlider(days);
  chart.draw(history, days);
  chart.mark(state.at);
  $("chart-box").hidden = false;
  links(path);
  document.title = `${subject ? subject.name : state.subject} · Recognition Ledger`;
  return true;
}

async function drawActor(mine, signal) {
  const params = { at: state.at, recorded_at: state.recorded };
  const path = `/v1/actors/${encodeURIComponent(state.actor)}/status`;
  const status = await answers.get(path, params, signal);
  if (mine !== drawing) return false;
  live.follow({ actor: state.actor }, followable(), status.recorded_at);
  const entries = new Map();
  drawnSubjects = new Map(); // territory -> the subject drawn on it, for a click on the map
  for (const r of status.relations) {
    const territory = subjectById(r.subject)?.territory;
    if (territory && !entries.has(territory)) {
      entries.set(territory, r);
      drawnSubjects.set(territory, r.subject);
    }
  }
  map.show(entries, subjectById(state.selected)?.territory);
  legend(...counted(status.relations, subjects.length - status.relations.length));
  $("map-title").textContent = `How ${status.actor_name} sees every subject on ${status.at}` +
    (state.recorded ? `, as recorded at ${state.recorded}` : "");
  sideList(status.relations.map((r) => ({ code: r.subject, name: r.subject_name, entry: r })), "Subjects",
    "Each subject the actor has facts about; on the map, its territory.");
  setSlider([dayNumber("1945-01-01"), dayNumber(today())]);
  $("chart-box").hidden = true;
  links(path);
  document.title = `${status.actor_name} · Recognition Ledger`;
  return true;
}

async function drawPanel(mine, signal) {
  if (!state.selected) {
    panel.hide();
    return;
  }
  const [actor, subject] = state.view === "subject" ? [state.selected, state.subject] : [state.actor, state.selected];
  const path = `/v1/relations/${encodeURIComponent(actor)}/${encodeURIComponent(subject)}`;
  const params = { at: state.at, recorded_at: state.recorded };
  if (panel.shown !== `${actor}/${subject}`) {
    panel.loading(state.view === "subject" ? actors.get(actor)?.name || actor : subjectById(subject)?.name || subject);
  }
  try {
    const relation = await answers.get(path, params, signal);
    if (mine === drawing) panel.show(relation, url(path, params));
  } catch (error) {
    if (mine === drawing && error.name !== "AbortError") panel.hide();
    throw error;
  }
}

// The focus stays where it was across a redraw, or goes where the last action sent it.
function refocus(before) {
  const target = focusAfter === "panel" ? panel.heading() : focusAfter ? document.querySelector(focusAfter) : null;
  focusAfter = null;
  if (target) target.focus();
  else if (before && !document.body.contains(before) && before.dataset?.code) {
    document.querySelector(`#offmap-list [data-code="${CSS.escape(before.dataset.code)}"]`)?.focus();
  }
}

// Draws the whole view for the state; `started` is when the user asked, for the redraw timings.
async function draw(started = performance.now()) {
  writeUrl();
  $("date").value = state.at;
  $("recorded").value = state.recorded;
  const mine = ++drawing;
  if (inFlight) inFlight.abort();
  inFlight = new AbortController();
  const { signal } = inFlight;
  if (state.tab === "audit") return;
  const focused = document.activeElement;
  try {
    const wanted = state.view === "subject" ? state.subject : state.actor;
    if (!wanted) {
      say(state.view === "subject" ? "Choose a subject." : "Choose an actor.");
      return;
    }
    const done = await (state.view === "subject" ? drawSubject(mine, signal) : drawActor(mine, signal));
    if (!done) return;
    say(notice, Boolean(notice));
    notice = "";
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const elapsed = performance.now() - started;
    if (timings.firstUsefulPaint === null) timings.firstUsefulPaint = performance.now();
    else timings.redraws.push(elapsed);
    document.body.dataset.drawn = String(mine);
    await drawPanel(mine, signal);
    if (mine === drawing) refocus(focused);
  } catch (error) {
    if (mine !== drawing) return; // a later draw says what holds now
    failed(error);
    $("map-title").textContent = "Not redrawn: the map still shows the previous answer.";
  }
}

function select(code) {
  state.selected = code;
  focusAfter = "panel";
  draw();
}

function closePanel() {
  const code = state.view === "subject" ? state.selected : subjectById(state.selected)?.territory;
  state.selected = "";
  if (code) focusAfter = `[data-code="${CSS.escape(code)}"][tabindex], #offmap-list [data-code="${CSS.escape(code)}"]`;
  draw();
}

function onMapChoose(code) {
  if (state.view === "subject") select(code);
  else if (drawnSubjects.has(code)) select(drawnSubjects.get(code));
}

function stop() {
  if (playing) {
    playing.stopped = true;
    playing = null;
    $("play").textContent = "Play";
    $("play").setAttribute("aria-pressed", "false");
  }
}

// Play: every change date of the subject's history, and even steps between, from the date shown to today.
async function play() {
  if (playing) {
    stop();
    return;
  }
  const run = { stopped: false };
  playing = run;
  $("play").textContent = "Pause";
  $("play").setAttribute("aria-pressed", "true");
  const slider = $("slider");
  const [start, end] = [Number(slider.min), Number(slider.max)];
  const history = state.view === "subject" ? await answers.get(
    `/v1/subjects/${encodeURIComponent(state.subject)}/history`, { recorded_at: state.recorded }) : null;
  let from = dayNumber(state.at);
  if (from >= end) from = start;
  const frames = new Set();
  for (let i = 0; i <= 120; i += 1) frames.add(Math.round(from + ((end - from) * i) / 120));
  if (history) {
    for (const day of [...history.points.map((p) => p.date), ...history.milestones.map((m) => m.effective_on)]) {
      if (dayNumber(day) >= from && dayNumber(day) <= end) frames.add(dayNumber(day));
    }
  }
  for (const day of [...frames].sort((a, b) => a - b)) {
    if (run.stopped) return;
    state.at = dayText(day);
    await Promise.all([draw(), new Promise((resolve) => setTimeout(resolve, 120))]);
  }
  if (playing === run) stop();
}

function switchTab(tab) {
  stop();
  state.tab = tab;
  for (const [name, view] of [["map", "map-view"], ["audit", "audit-view"]]) {
    const button = $(`tab-${name}`);
    button.setAttribute("aria-selected", String(name === tab));
    button.tabIndex = name === tab ? 0 : -1;
    $(view).hidden = name !== tab;
  }
  if (tab === "audit") {
    live.stop();
    audit.fill(state.audit);
    audit.load(state.audit, state.after);
  } else draw();
}

function setView(view) {
  stop();
  state.view = view;
  state.selected = "";
  for (const radio of document.querySelectorAll("input[name=view]")) radio.checked = radio.value === view;
  $("subject-field").hidden = view !== "subject";
  $("actor-field").hidden = view !== "actor";
  if (view === "actor" && !state.actor) {
    state.actor = "RUS";
    $("actor").value = actors.get("RUS")?.name || "RUS";
  }
  draw();
}

function wire() {
  $("subject").addEventListener("input", (event) => showMatches(findSubject(event.target.value)));
  $("subject").addEventListener("change", (event) => {
    const found = findSubject(event.target.value);
    if (found.length === 1) chooseSubject(found[0].id);
    else if (!found.length) say(`No subject matches "${event.target.value}".`, true);
  });
  $("actor").addEventListener("change", (event) => {
    const found = findActor(event.target.value);
    if (!found) {
      say(`No single actor matches "${event.target.value}".`, true);
      return;
    }
    stop();
    state.actor = found.code;
    state.selected = "";
    event.target.value = found.name;
    draw();
  });
  $("controls").addEventListener("submit", (event) => event.preventDefault());
  for (const radio of document.querySelectorAll("input[name=view]")) {
    radio.addEventListener("change", () => setView(radio.value));
  }
  $("date").addEventListener("change", (event) => {
    if (!DAY.test(event.target.value)) return;
    stop();
    state.at = event.target.value;
    draw();
  });
  $("slider").addEventListener("input", (event) => {
    const started = performance.now();
    stop();
    state.at = dayText(Number(event.target.value));
    event.target.setAttribute("aria-valuetext", state.at);
    draw(started);
  });
  $("play").addEventListener("click", play);
  $("csv").addEventListener("click", (event) => {
    if (!hasToken()) return; // the link itself downloads it
    event.preventDefault();
    download($("csv").getAttribute("href")).catch(failed);
  });
  $("recorded").addEventListener("change", (event) => {
    const text = event.target.value.trim();
    if (text && (!SYSTEM_TIME.test(text) || Number.isNaN(Date.parse(text)))) {
      say(`"${text}" is not a system time: write it as RFC 3339, like 2025-07-03T12:00:00Z.`, true);
      return;
    }
    stop();
    state.recorded = text;
    draw();
  });
  $("now").addEventListener("click", () => {
    stop();
    state.recorded = "";
    answers.clear();
    draw();
  });
  $("tab-map").addEventListener("click", () => switchTab("map"));
  $("tab-audit").addEventListener("click", () => switchTab("audit"));
  for (const tab of ["tab-map", "tab-audit"]) {
    $(tab).addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        const other = tab === "tab-map" ? "audit" : "map";
        switchTab(other);
        $(`tab-${other}`).focus();
      }
    });
  }
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.selected && !event.target.closest("input, select, textarea")) closePanel();
  });
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    setToken($("token").value.trim());
    $("token").value = "";
    answers.clear();
    init();
  });
}

async function init() {
  try {
    const [world, subjectList, actorList] = await Promise.all([
      fetch("/web/vendor/world-110m.json").then((r) => r.json()),
      get("/v1/subjects"),
      get("/v1/actors"),
    ]);
    subjects = subjectList;
    actors = new Map(actorList.map((a) => [a.code, a]));
    if (!map) map = new WorldMap($("map"), world, onMapChoose);
    $("subject-list").replaceChildren(...subjects.map((s) => new Option([s.name, ...s.aliases].join(" · "), s.id)));
    $("actor-list").replaceChildren(...actorList.map((a) => new Option(a.name, a.code)));
  } catch (error) {
    failed(error);
    return;
  }
  if (!state.subject || !subjectById(state.subject)) {
    const asked = state.subject;
    state.subject = (subjectById("taliban-iea") || subjects[0] || { id: "" }).id;
    if (asked) notice = `No subject has the id "${asked}"; this is ${state.subject}.`;
  }
  $("subject").value = subjectById(state.subject)?.name || "";
  $("actor").value = actors.get(state.actor)?.name || state.actor;
  for (const radio of document.querySelectorAll("input[name=view]")) radio.checked = radio.value === state.view;
  $("subject-field").hidden = state.view !== "subject";
  $("actor-field").hidden = state.view !== "actor";
  switchTab(state.tab);
}

readUrl();
chart = new Chart($("chart"), (day) => {
  stop();
  state.at = day;
  draw();
});
panel = new RelationPanel($("relation"), (recorded) => {
  stop();
  state.recorded = recorded;
  focusAfter = "panel";
  draw();
}, closePanel);
audit = new AuditLog($("audit-view"), (filters, after) => {
  state.audit = filters;
  state.after = after;
  writeUrl();
}, failed);
wire();
init();
