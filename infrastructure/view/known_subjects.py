"""Which subjects are registered: asked of the view, and a yes kept, as subjects are never removed."""

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
        self.names: dict[str, str] = {}  # a subject's name is given once, when it is registered

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
        name = self.names.get(slug)
        if name is None:
            body = self.view.subject(slug)
            if body is None:
                return None
            name = self.names.setdefault(slug, body["name"])
            self.known.add(slug)
        return name
