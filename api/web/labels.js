// Words for levels, fact types and dates, shared by the map, the lists and the panel.

export const LEVELS = ["recognised", "de_facto", "engaged", "none", "no_facts"];

export const LEVEL_LABELS = {
  recognised: "recognised (de jure)",
  de_facto: "de facto",
  engaged: "engaged",
  none: "facts recorded, none in force",
  no_facts: "no facts recorded",
};

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];

// A date as precisely as it is known: "2025-07-03", "May 1997", "1997".
export function knownDate(day, precision) {
  if (!day) return "";
  if (precision === "year") return day.slice(0, 4);
  if (precision === "month") return `${MONTHS[Number(day.slice(5, 7)) - 1]} ${day.slice(0, 4)}`;
  return day;
}

export function typeLabel(type) {
  return type.replaceAll("_", " ");
}

// Since when a recognised (de jure) entry is so: its recognition's date, as precisely as known. Other
// levels say no date here: the day a level began is the relation's timeline's to tell (the panel).
export function levelSince(status) {
  const r = status.recognition;
  if (status.level !== "recognised" || !r.since) return null;
  return { day: r.since, precision: r.since_precision || "day" };
}

// "Russia: recognised (de jure) since 2025-07-03", with hostile, disputed and approximate marks.
export function describe(name, entry) {
  if (!entry) return `${name}: ${LEVEL_LABELS.no_facts}`;
  let text = `${name}: ${LEVEL_LABELS[entry.level]}`;
  const since = levelSince(entry);
  if (since) text += ` since ${knownDate(since.day, since.precision)}`;
  const marks = [];
  if (entry.hostile) marks.push("hostile (listed as terrorist or sanctioning)");
  if (entry.disputed) marks.push("disputed");
  if (entry.approximate) marks.push("approximate");
  return marks.length ? `${text}; ${marks.join(", ")}` : text;
}

// The ledger's fact types, for the audit log's filter (a test keeps this list equal to the domain's).
export const FACT_TYPES = [
  "recognition_granted", "recognition_withdrawn", "relations_established", "relations_severed",
  "ambassador_accepted", "ambassador_expelled", "ambassador_sent", "ambassador_recalled",
  "mission_opened", "mission_closed", "terrorist_listing_added", "terrorist_listing_removed",
  "sanctions_imposed", "sanctions_lifted", "statement_made", "fact_retracted", "fact_disputed",
];
