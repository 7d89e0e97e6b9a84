"""The admin's choice of digits on Khmer pages: Khmer digits (០១២, the default, as Khmer
print writes numbers) or Latin digits (012). Stored with the other admin settings in
report_setting; each process reads it again at most every REFRESH_SECONDS, so a change
reaches every worker within that time without a query on every request."""

from __future__ import annotations

import time
from typing import Any

from portal import db, i18n
from portal.audit import services as audit
from portal.audit.actions import Action
from portal.i18n import N_

KEY = "digits"
KHMER, LATIN = "khmer", "latin"
STYLES = {KHMER: N_("Khmer digits (០១២៣)"), LATIN: N_("Latin digits (0123)")}
REFRESH_SECONDS = 30.0

_read_at: float | None = None


async def digit_style() -> str:
    rows = await db.select("SELECT value FROM report_setting WHERE key = {}", KEY)
    return LATIN if rows and rows[0]["value"] == LATIN else KHMER


async def refresh() -> None:
    """Follow the stored choice, read again when the last reading is REFRESH_SECONDS old."""
    global _read_at
    now = time.monotonic()
    if _read_at is None or now - _read_at >= REFRESH_SECONDS:
        i18n.use_khmer_digits(await digit_style() == KHMER)
        _read_at = now


async def save_digit_style(actor: Any, style: str) -> None:
    """Store the choice (one of STYLES) and follow it in this process at once."""
    global _read_at
    async with db.transaction():
        await db.insert(
            "report_setting",
            ("key", "value"),
            [(KEY, style)],
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        await audit.record(actor, Action.display_digits_changed.value, "report_setting", KEY, style)
    i18n.use_khmer_digits(style == KHMER)
    _read_at = time.monotonic()


def forget() -> None:
    """Read the setting again on the next request (tests empty the table between them)."""
    global _read_at
    _read_at = None
    i18n.use_khmer_digits(True)
