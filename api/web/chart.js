// The recognition count over time, as a step line, with the subject's milestones and the chosen date.

import { svg } from "./dom.js";
import { typeLabel } from "./labels.js";

const WIDTH = 960;
const HEIGHT = 130;
const PAD = { left: 36, right: 12, top: 14, bottom: 22 };

export const dayNumber = (day) => Date.parse(`${day}T00:00:00Z`) / 86400000;
export const dayText = (n) => new Date(n * 86400000).toISOString().slice(0, 10);

export class Chart {
  constructor(root, onPick) {
    this.root = root;
    this.onPick = onPick;
    root.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
    root.addEventListener("click", (event) => {
      if (!this.range) return;
      const box = root.getBoundingClientRect();
      const x = ((event.clientX - box.left) / box.width) * WIDTH;
      const [start, end] = this.range;
      const share = Math.min(1, Math.max(0, (x - PAD.left) / (WIDTH - PAD.left - PAD.right)));
      this.onPick(dayText(Math.round(start + share * (end - start))));
    });
  }

  // `history`: the API's /history answer; `range`: [first day, last day] as day numbers.
  draw(history, range) {
    if (history === this.history && this.range && range.every((v, i) => v === this.range[i])) return;
    this.history = history;
    this.range = range;
    const [start, end] = range;
    const root = this.root;
    root.replaceChildren();
    const top = Math.max(1, ...history.points.map((p) => p.count));
    const x = (n) => PAD.left + ((n - start) / Math.max(1, end - start)) * (WIDTH - PAD.left - PAD.right);
    const y = (count) => HEIGHT - PAD.bottom - (count / top) * (HEIGHT - PAD.top - PAD.bottom);
    svg("title", {}, root, "Recognitions over time");
    for (const tick of [0, top]) {
      svg("text", { x: PAD.left - 6, y: y(tick) + 4, class: "axis", "text-anchor": "end" }, root, String(tick));
    }
    for (let year = Number(dayText(start).slice(0, 4)) + 1; year <= Number(dayText(end).slice(0, 4)); year += 1) {
      const n = dayNumber(`${year}-01-01`);
      const span = Number(dayText(end).slice(0, 4)) - Number(dayText(start).slice(0, 4));
      if (year % (span > 40 ? 10 : span > 12 ? 5 : 1) === 0) {
        svg("line", { x1: x(n), x2: x(n), y1: PAD.top, y2: HEIGHT - PAD.bottom, class: "grid" }, root);
        svg("text", { x: x(n), y: HEIGHT - 6, class: "axis", "text-anchor": "middle" }, root, String(year));
      }
    }
    let d = `M${x(start)},${y(0)}`;
    let count = 0;
    for (const point of history.points) {
      const n = Math.min(end, Math.max(start, dayNumber(point.date)));
      d += `H${x(n)}V${y(point.count)}`;
      count = point.count;
    }
    d += `H${x(end)}`;
    svg("path", { d, class: "count" }, root);
    svg("text", { x: x(end) - 4, y: y(count) - 4, class: "axis", "text-anchor": "end" }, root, String(count));
    for (const milestone of history.milestones) {
      const n = dayNumber(milestone.effective_on);
      if (n < start || n > end) continue;
      const mark = svg("g", { class: "milestone" }, root);
      svg("title", {}, mark, `${typeLabel(milestone.kind)} ${milestone.effective_on}`);
      svg("line", { x1: x(n), x2: x(n), y1: PAD.top, y2: HEIGHT - PAD.bottom }, mark);
      svg("text", { x: x(n) + 3, y: PAD.top + 8 }, mark, typeLabel(milestone.kind));
    }
    this.cursor = svg("line", { y1: PAD.top - 4, y2: HEIGHT - PAD.bottom, class: "cursor" }, root);
    this.x = x;
  }

  mark(day) {
    if (!this.cursor) return;
    const n = dayNumber(day);
    this.cursor.setAttribute("x1", this.x(n));
    this.cursor.setAttribute("x2", this.x(n));
  }
}
