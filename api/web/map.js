// The world map: drawn once from the vendored geometry, then recoloured for each answer.

import { svg } from "./dom.js";
import { describe } from "./labels.js";

// Shapes the geometry draws apart that ISO 3166 counts as part of a state: drawn as part of it.
const PART_OF = { CYN: "CYP", SOL: "SOM" };
const WIDTH = 960;
const HEIGHT = 500;

// code -> the state's name and its geometries, in the geometry's order.
function states(world) {
  const found = new Map();
  for (const geometry of world.objects.countries.geometries) {
    const own = geometry.properties?.a3;
    if (!own) continue;
    const code = PART_OF[own] || own;
    if (!found.has(code)) found.set(code, { name: geometry.properties.name, geometries: [] });
    if (!PART_OF[own]) found.get(code).name = geometry.properties.name;
    found.get(code).geometries.push(geometry);
  }
  return found;
}

export class WorldMap {
  // `onChoose(code)` is called when a state with facts is clicked or chosen with the keyboard.
  constructor(root, world, onChoose) {
    this.root = root;
    this.onChoose = onChoose;
    this.shapes = new Map(); // code -> {path, name}
    root.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
    const defs = svg("defs", {}, root);
    const hatch = svg("pattern", { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)" }, defs);
    svg("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "hatch-line" }, hatch);
    const dots = svg("pattern", { id: "dots", width: 5, height: 5, patternUnits: "userSpaceOnUse" }, defs);
    svg("circle", { cx: 2.5, cy: 2.5, r: 0.9, class: "dot" }, dots);

    const projection = d3.geoNaturalEarth1().fitSize([WIDTH, HEIGHT], { type: "Sphere" });
    const path = d3.geoPath(projection);
    svg("path", { d: path({ type: "Sphere" }), class: "sphere" }, root);
    this.states = svg("g", { class: "states" }, root);
    this.overlay = svg("g", { class: "overlay", "aria-hidden": "true" }, root);
    for (const [code, { name, geometries }] of states(world)) {
      const outline = geometries.length > 1 ? topojson.merge(world, geometries) : topojson.feature(world, geometries[0]);
      const shape = svg("path", { d: path(outline), id: `state-${code}`, "data-code": code, "data-level": "no_facts" },
        this.states);
      this.shapes.set(code, { path: shape, name });
    }
    this.states.addEventListener("click", (event) => this.#chosen(event));
    this.states.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        this.#chosen(event);
      }
    });
  }

  has(code) {
    return this.shapes.has(code);
  }

  name(code) {
    return this.shapes.get(code)?.name;
  }

  #chosen(event) {
    const code = event.target.getAttribute?.("data-code");
    if (code && event.target.getAttribute("data-level") !== "no_facts") this.onChoose(code);
  }

  // `entries`: code -> status entry (level, hostile, disputed, approximate, parts).
  // Returns how many states of the map have no facts.
  show(entries, selected) {
    let unknown = 0;
    this.overlay.replaceChildren();
    for (const [code, { path, name }] of this.shapes) {
      const entry = entries.get(code);
      const level = entry ? entry.level : "no_facts";
      if (!entry) unknown += 1;
      path.setAttribute("data-level", level);
      path.setAttribute("aria-label", describe(name, entry));
      path.classList.toggle("selected", code === selected);
      if (entry) {
        path.setAttribute("role", "button");
        path.setAttribute("tabindex", "0");
        for (const mark of ["hostile", "disputed", "approximate"]) {
          if (entry[mark]) svg("path", { d: path.getAttribute("d"), class: mark }, this.overlay);
        }
      } else {
        path.setAttribute("role", "img");
        path.removeAttribute("tabindex");
      }
    }
    return unknown;
  }
}
