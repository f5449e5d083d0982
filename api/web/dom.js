// Elements made from data: text is always set as text, never parsed as markup.

const SVG = "http://www.w3.org/2000/svg";

// An HTML element with attributes and children (strings become text; null and undefined are skipped).
export function el(name, attributes = {}, ...children) {
  const element = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  for (const child of children) if (child !== null && child !== undefined) element.append(child);
  return element;
}

// An SVG element with attributes, appended to `parent` if given, with `text` as its text if given.
export function svg(name, attributes = {}, parent = null, text = null) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== null) element.textContent = text;
  if (parent) parent.appendChild(element);
  return element;
}
