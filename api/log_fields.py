"""Text from clients and from the database, made safe to write into a one-line log record.

A path or a token name with CR or LF in it must not add a line that looks like the server's own.
"""

from __future__ import annotations

from urllib.parse import quote

# Kept as they are in a path; everything else (space, CR, LF, other controls, non-ASCII) is %-encoded.
PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def field(text: str) -> str:
    """One space-free field: a path or a name, %-encoded where it could end the line or the field."""
    return quote(text, safe=PATH_SAFE)


def prose(text: str) -> str:
    """Free text for the end of a line (an error's message): one line, its controls escaped."""
    return text.encode("unicode_escape").decode("ascii")
