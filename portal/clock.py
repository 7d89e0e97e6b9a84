"""The current time. Everything asks here, so tests and `portal alerts --now` can move it."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
