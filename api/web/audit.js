// The audit tab: the ledger's facts in the order they were recorded, filtered and paged.

import { el } from "./dom.js";
import { get } from "./api.js";
import { FACT_TYPES, knownDate, typeLabel } from "./labels.js";

export const AUDIT_FILTERS = ["actor", "subject", "type", "recorded_by", "effective_from", "effective_to",
  "recorded_from", "recorded_to"];
const PAGE = 50;

export class AuditLog {
  // `onState(filters, after)` keeps the page's URL in step; `onError(error)` reports a refused filter.
  constructor(root, onState, onError) {
    this.root = root;
    this.onState = onState;
    this.onError = onError;
    this.form = root.querySelector("form");
    this.rows = root.querySelector("tbody");
    this.next = root.querySelector("#audit-next");
    this.first = root.querySelector("#audit-first");
    this.info = root.querySelector("#audit-info");
    const types = this.form.elements.type;
    for (const type of FACT_TYPES) types.append(el("option", { value: type }, typeLabel(type)));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.load(this.filters(), 0);
    });
    this.next.addEventListener("click", () => this.load(this.current, this.nextAfter));
    this.first.addEventListener("click", () => this.load(this.current, 0));
  }

  filters() {
    const found = {};
    for (const name of AUDIT_FILTERS) {
      const value = this.form.elements[name].value.trim();
      if (value) found[name] = value;
    }
    return found;
  }

  fill(filters) {
    for (const name of AUDIT_FILTERS) this.form.elements[name].value = filters[name] || "";
  }

  async load(filters, after) {
    this.current = filters;
    this.onState(filters, after);
    const mine = (this.sequence = (this.sequence || 0) + 1); // only the latest page asked for is shown
    let page;
    try {
      page = await get("/v1/facts", { ...filters, after, limit: PAGE });
    } catch (error) {
      if (mine === this.sequence) this.onError(error);
      return;
    }
    if (mine !== this.sequence) return;
    this.rows.replaceChildren(...page.items.map((fact) => this.#row(fact)));
    this.nextAfter = page.next_after;
    this.next.disabled = page.next_after === null || page.items.length < PAGE;
    this.first.disabled = after === 0;
    const shown = page.items.length;
    this.info.textContent = shown
      ? `Positions ${page.items[0].position} to ${page.items[shown - 1].position}`
      : "No facts match these filters.";
  }

  #row(fact) {
    const link = el("a", { href: `/v1/facts/${encodeURIComponent(fact.fact_id)}` }, fact.fact_id.slice(0, 8));
    const row = el("tr", {},
      el("td", {}, String(fact.position)),
      el("td", {}, fact.recorded_at),
      el("td", {}, fact.recorded_by),
      el("td", {}, typeLabel(fact.type)),
      el("td", {}, fact.actor),
      el("td", {}, fact.subject),
      el("td", {}, knownDate(fact.effective_on, fact.precision)),
      el("td", {}, link),
    );
    if (fact.retracted_by) row.classList.add("retracted");
    return row;
  }
}
