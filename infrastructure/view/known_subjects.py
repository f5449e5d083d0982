"""Which subjects are registered, and their territories: asked of the view, and kept, as subjects
are never removed or changed."""

from __future__ import annotations

from threading import Lock

from infrastructure.view.reader import ViewReader


class KnownSubjects:
    """Every registered slug is read once, on the first question; a slug not among them is asked
    about again (another process may have registered it since)."""

    def __init__(self, view: ViewReader) -> None:
        self.view = view
        self.known: set[str] = set()
        self.listed = False
        self.listing = Lock()
        self.territories: dict[str, str | None] = {}

    def exists(self, slug: str) -> bool:
        if slug in self.known:
            return True
        if not self.listed:
            with self.listing:
                if not self.listed:
                    self.known.update(self.view.subject_slugs())
                    self.listed = True
            if slug in self.known:
                return True
        if self.view.subject(slug) is None:
            return False
        self.known.add(slug)
        return True

    def territory(self, slug: str) -> str | None:
        """The registered subject's territory (None: it has none, or no such subject)."""
        try:
            return self.territories[slug]
        except KeyError:
            body = self.view.subject(slug)
            if body is None:
                return None
            territory = self.territories[slug] = body.get("territory")
            return territory
