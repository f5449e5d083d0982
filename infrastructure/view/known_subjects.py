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
        self.names: dict[str, str] = {}  # given once, when the subject is registered
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

    def name(self, slug: str) -> str | None:
        """The subject's display name, None if it is not registered."""
        return self.names[slug] if slug in self.names or self._read(slug) else None

    def territory(self, slug: str) -> str | None:
        """The registered subject's territory (None: it has none, or no such subject)."""
        return self.territories[slug] if slug in self.territories or self._read(slug) else None

    def _read(self, slug: str) -> bool:
        """Keep what the subject's body says of it once and for all; whether it is registered."""
        body = self.view.subject(slug)
        if body is None:
            return False
        self.territories[slug] = body.get("territory")
        self.names[slug] = body["name"]
        self.known.add(slug)
        return True
