// The relation panel: one actor toward one subject, its statuses over time and every fact with its sources.

import { el } from "./dom.js";
import { describe, knownDate, LEVEL_LABELS, typeLabel } from "./labels.js";

const CORRECTIONS = new Set(["fact_retracted", "fact_disputed"]);

// Only web links: a source's URL is data, and a `javascript:` one must not become a link.
function sourceLink(source) {
  const label = source.title || source.url;
  let safe = false;
  try {
    safe = ["http:", "https:"].includes(new URL(source.url).protocol);
  } catch {
    safe = false;
  }
  const link = safe ? el("a", { href: source.url, rel: "noopener noreferrer", target: "_blank" }, label) : label;
  const about = [source.publisher, source.published_on].filter(Boolean).join(", ");
  return el("li", { class: "source" }, link, about ? ` (${about})` : null,
    source.quote ? el("blockquote", {}, source.quote) : null);
}

function sources(list) {
  return list.length ? el("ul", { class: "sources" }, ...list.map(sourceLink)) : el("p", { class: "muted" }, "No sources.");
}

function details(fact) {
  const parts = Object.entries(fact.details || {}).map(([k, v]) => `${typeLabel(k)}: ${v}`);
  return parts.length ? el("p", { class: "details" }, parts.join("; ")) : null;
}

export class RelationPanel {
  // `onRecordedAt(text)` moves the page's "as recorded at" control; `onClose()` closes the panel.
  constructor(root, onRecordedAt, onClose) {
    this.root = root;
    this.onRecordedAt = onRecordedAt;
    this.onClose = onClose;
  }

  hide() {
    this.shown = null;
    this.root.hidden = true;
    this.root.replaceChildren();
  }

  // The panel's heading, which takes the focus when the panel is opened.
  heading() {
    return this.root.querySelector("h2");
  }

  loading(name) {
    this.shown = null;
    this.root.hidden = false;
    this.root.setAttribute("aria-label", name);
    this.root.replaceChildren(el("h2", { tabindex: "-1" }, name), el("p", { class: "muted" }, "Loading…"));
  }

  show(relation, apiLink) {
    const root = this.root;
    this.shown = `${relation.actor}/${relation.subject}`;
    root.hidden = false;
    root.setAttribute("aria-label", relation.actor_name);
    const close = el("button", { type: "button", class: "close", "aria-label": "Close the relation" }, "×");
    close.addEventListener("click", () => this.onClose());
    const facts = relation.facts.filter((f) => !CORRECTIONS.has(f.type));
    const byId = new Map(relation.facts.map((f) => [f.fact_id, f]));
    root.replaceChildren(
      close,
      el("h2", { tabindex: "-1" }, relation.actor_name),
      el("p", { class: "toward" }, `toward ${relation.subject_name}, on ${relation.at}`),
      el("p", { class: "now" }, describe(relation.actor_name, relation.status)),
      el("p", {}, el("a", { href: apiLink, class: "api-link" }, "The API answer behind this panel")),
      el("h3", {}, "Statuses over time"),
      this.#timeline(relation.timeline),
      el("h3", {}, `Facts (${facts.length})`),
      el("ol", { class: "facts" }, ...facts.map((f) => this.#fact(f, byId))),
    );
  }

  #timeline(intervals) {
    return el("ol", { class: "timeline" }, ...intervals.map((i) => {
      const from = i.valid_from || "…";
      const to = i.valid_to || "now";
      const label = i.no_facts ? LEVEL_LABELS.no_facts : LEVEL_LABELS[i.status.level];
      const marks = i.no_facts ? [] : ["hostile", "disputed", "approximate"].filter((m) => i.status[m]);
      return el("li", { "data-level": i.no_facts ? "no_facts" : i.status.level },
        el("span", { class: "swatch", "aria-hidden": "true" }),
        `${from} – ${to}: ${label}${marks.length ? ` (${marks.join(", ")})` : ""}`);
    }));
  }

  #fact(fact, byId) {
    const item = el("li", { class: "fact", id: `fact-${fact.fact_id}` },
      el("p", { class: "fact-head" },
        el("strong", {}, knownDate(fact.effective_on, fact.precision)), ` ${typeLabel(fact.type)}`,
        fact.precision !== "day" ? ` (known to the ${fact.precision})` : null),
      details(fact),
      fact.note ? el("p", { class: "note" }, fact.note) : null,
      sources(fact.sources),
      el("p", { class: "recorded muted" }, `Recorded ${fact.recorded_at} by ${fact.recorded_by}`));
    if (fact.retracted_by) {
      item.classList.add("retracted");
      item.append(this.#correction("Retracted", byId.get(fact.retracted_by)));
    }
    for (const id of fact.disputed_by) {
      item.classList.add("disputed");
      item.append(this.#correction("Disputed", byId.get(id)));
    }
    return item;
  }

  #correction(word, correction) {
    if (!correction) return el("p", { class: "correction" }, word);
    const before = el("button", { type: "button", class: "before" }, `Show the ledger as recorded before this`);
    before.addEventListener("click", () => this.onRecordedAt(justBefore(correction.recorded_at)));
    return el("div", { class: "correction" },
      el("p", {}, el("strong", {}, `${word}: `), correction.details.reason || ""),
      el("p", { class: "muted" }, `Recorded ${correction.recorded_at} by ${correction.recorded_by} `, before),
      sources(correction.sources));
  }
}

// One microsecond before a system time the API gave (RFC 3339, microseconds, Z).
export function justBefore(text) {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!match) return text;
  const micros = BigInt(Date.parse(`${match[1]}${match[3]}`)) * 1000n + BigInt((match[2] || "").padEnd(6, "0"));
  const earlier = micros - 1n;
  const seconds = new Date(Number(earlier / 1000000n) * 1000).toISOString().slice(0, 19);
  return `${seconds}.${String(earlier % 1000000n).padStart(6, "0")}Z`;
}
