"""The core's one table: counted attempts for rate limits (portal/security.py)."""

from __future__ import annotations

from piccolo.columns import Serial, Timestamptz, Varchar
from piccolo.table import Table


class RateLimitEvent(Table):
    """One counted attempt (a failed login, a receipt lookup) for rate limiting."""

    id: Serial  # Piccolo adds the primary key; this tells the type checker
    key = Varchar(length=100, index=True)
    at = Timestamptz(index=True)
