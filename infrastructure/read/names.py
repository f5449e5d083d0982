"""Names as people type them: compared without case or accents, and a did-you-mean for a miss."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

# How alike a misspelling and a name must be (difflib's ratio) to be suggested: one letter
# off in ten, not one in three (so a wrong three-letter code suggests nothing).
CLOSE = 0.8
HINTED = 5  # subjects named in a hint at most
MIN_GUESSED = 4  # letters, at least, of a spelling that is guessed at rather than only folded
WORDS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Text without case or accents: 'Kosovës' and 'kosoves' fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def did_you_mean(given: str, spellings: Mapping[str, str]) -> str | None:
    """What `given` most likely meant: `spellings` maps each way of writing a name (a code, a
    name, an alias) to what to suggest. The same spelling in another case or accent wins; then
    the closest spelling, if it is close and no other is as close; then the one thing with a word that starts so."""
    folded: dict[str, str] = {}
    for spelling, meant in spellings.items():
        folded.setdefault(fold(spelling), meant)
    key = fold(given)
    if key in folded:
        return folded[key]
    if len(key) < MIN_GUESSED:  # 'uk' is as close to UKR as a guess gets, and means GBR
        return None
    scores = {spelling: difflib.SequenceMatcher(None, key, spelling).ratio() for spelling in folded}
    best = max(scores.values(), default=0.0)
    closest = {folded[spelling] for spelling, score in scores.items() if score == best}
    if best >= CLOSE and len(closest) == 1:  # two equally close: neither is obvious
        return closest.pop()
    starting = {meant for spelling, meant in folded.items() if any(w.startswith(key) for w in WORDS.split(spelling))}
    return starting.pop() if len(starting) == 1 else None


def subject_spellings(bodies: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Every way a subject is written (its id, name and aliases), to its id."""
    spellings: dict[str, str] = {}
    for body in bodies:
        for spelling in (body["id"], body["name"], *body.get("aliases", ())):
            spellings.setdefault(spelling, body["id"])
    return spellings


def subjects_matching(bodies: Iterable[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The subjects whose id, name or an alias contains `text`, without regard to case, accents or
    the spaces around it."""
    key = fold(text).strip()
    return [b for b in bodies if any(key in fold(s) for s in (b["id"], b["name"], *b.get("aliases", ())))]


def subject_hint(bodies: list[dict[str, Any]], given: str) -> str | None:
    """What a client naming an unknown subject may have meant: the subject it most likely means,
    or the few whose names contain what it gave."""
    meant = did_you_mean(given, subject_spellings(bodies))
    if meant is not None:
        return f"did you mean {meant!r}?"
    found = [repr(b["id"]) for b in subjects_matching(bodies, given)] if given.strip() else []
    if 1 < len(found) <= HINTED:
        return f"did you mean one of {', '.join(found)}?"
    return None
