"""A deliberately plain, independent re-statement of the rules, for property tests.

It walks the standing facts up to a date and keeps a dict; nothing is shared with
domain/timeline.py but the Fact type.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.facts import Fact

PAIRS = {
    "relations_established": ("relations", "on"),
    "relations_severed": ("relations", "off"),
    "terrorist_listing_added": ("listing", "on"),
    "terrorist_listing_removed": ("listing", "off"),
}


class Broken(Exception):
    pass


def standing(facts: list[Fact]) -> list[Fact]:
    gone = {str(f.details["retracts"]) for f in facts if f.type.value == "fact_retracted"}
    return [f for f in facts if str(f.fact_id) not in gone and not f.type.is_correction]


def walk(facts: list[Fact], until: date | None = None) -> dict[str, Any]:
    """The state after the standing facts in effect up to `until` (all if None); raises Broken."""
    live = standing(facts)
    for i, a in enumerate(live):
        for b in live[:i]:
            if (a.type, a.effective_on, a.details) == (b.type, b.effective_on, b.details):
                raise Broken("duplicate")
    ordered = sorted(live, key=lambda f: f.effective_on.start)
    s: dict[str, Any] = {
        "rec": None,
        "relations": None,
        "listing": None,
        "acc": None,
        "sent": None,
        "missions": {},
        "sanctions": {},
    }
    for f in ordered:
        if until is not None and f.effective_on.start > until:
            break
        t, d = f.type.value, f.details
        if t == "recognition_granted":
            if s["rec"] and s["rec"][1] == "on" and s["rec"][2] == d["form"]:
                raise Broken("duplicate")
            s["rec"] = (f, "on", d["form"])
        elif t == "recognition_withdrawn":
            if not (s["rec"] and s["rec"][1] == "on"):
                raise Broken("not_in_force")
            s["rec"] = (f, "off", None)
        elif t in PAIRS:
            key, want = PAIRS[t]
            current = s[key][1] if s[key] else None
            if (want == "on" and current == "on") or (want == "off" and current != "on"):
                raise Broken(t)
            s[key] = (f, want)
        elif t in ("ambassador_accepted", "ambassador_sent"):
            key = "acc" if t == "ambassador_accepted" else "sent"
            if s[key] and s[key][1] == "on" and s[key][2] == d.get("name"):
                raise Broken("duplicate")
            s[key] = (f, "on", d.get("name"))
        elif t in ("ambassador_expelled", "ambassador_recalled"):
            key = "acc" if t == "ambassador_expelled" else "sent"
            if not (s[key] and s[key][1] == "on"):
                raise Broken("not_in_force")
            if d.get("name") and s[key][2] and d["name"] != s[key][2]:
                raise Broken("other_envoy")
            s[key] = (f, "off", None)
        elif t == "mission_opened":
            k = (d["kind"], d.get("city"))
            if k in s["missions"]:
                raise Broken("duplicate")
            s["missions"][k] = f
        elif t == "mission_closed":
            if s["missions"].pop((d["kind"], d.get("city")), None) is None:
                raise Broken("not_in_force")
        elif t == "sanctions_imposed":
            if d["regime"] in s["sanctions"]:
                raise Broken("duplicate")
            s["sanctions"][d["regime"]] = f
        elif t == "sanctions_lifted" and s["sanctions"].pop(d["regime"], None) is None:
            raise Broken("not_in_force")
    return s


def valid(facts: list[Fact]) -> bool:
    try:
        walk(facts)
    except Broken:
        return False
    return True


def summary(facts: list[Fact], day: date) -> dict[str, Any]:
    """What the design says the status on `day` is, in a comparable shape."""
    s = walk(facts, day)
    rec_on = bool(s["rec"] and s["rec"][1] == "on")
    form = s["rec"][2] if rec_on else None
    acc_on = bool(s["acc"] and s["acc"][1] == "on")
    sent_on = bool(s["sent"] and s["sent"][1] == "on")
    embassy = any(k[0] == "embassy" for k in s["missions"])
    relations_on = bool(s["relations"] and s["relations"][1] == "on")
    if rec_on and form == "de_jure":
        level = "recognised"
    elif rec_on or acc_on or sent_on or embassy:
        level = "de_facto"
    elif relations_on or s["missions"]:
        level = "engaged"
    else:
        level = "none"
    basis = [v[0] for k, v in s.items() if k in ("rec", "relations", "listing", "acc", "sent") and v]
    basis += list(s["missions"].values()) + list(s["sanctions"].values())
    disputed = {str(f.details["disputes"]) for f in _standing_disputes(facts)}
    return {
        "recognised": rec_on,
        "form": form,
        "level": level,
        "hostile": bool(s["listing"] and s["listing"][1] == "on") or bool(s["sanctions"]),
        "envoys": (acc_on and s["acc"][2], sent_on and s["sent"][2]),
        "missions": sorted(s["missions"], key=str),
        "sanctions": sorted(s["sanctions"]),
        "basis": sorted(str(f.fact_id) for f in basis),
        "approximate": any(not f.effective_on.is_exact and day < f.effective_on.end for f in basis),
        "disputed": any(str(f.fact_id) in disputed for f in basis),
    }


def _standing_disputes(facts: list[Fact]) -> list[Fact]:
    gone = {str(f.details["retracts"]) for f in facts if f.type.value == "fact_retracted"}
    return [f for f in facts if f.type.value == "fact_disputed" and str(f.fact_id) not in gone]
