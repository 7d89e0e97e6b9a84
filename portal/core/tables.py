"""The core's table of counted attempts for rate limits (portal/security.py), and the
columns every table listing uploaded files shares."""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class RateLimitEvent(Table):
    """One counted attempt (a failed login, a receipt lookup) for rate limiting."""

    id: Serial  # Piccolo adds the primary key; this tells the type checker
    key = Varchar(length=100, index=True)
    at = Timestamptz(index=True)


class FileColumns:
    """What every table listing uploaded files keeps about each (the values come from
    portal.uploads.StoredFile.columns()); mixed into those tables before Table."""

    stored_name = Varchar(length=40, unique=True)
    filename = Varchar(length=200)
    content_type = Varchar(length=50)
    size = Integer()
    uploaded_at = Timestamptz()
