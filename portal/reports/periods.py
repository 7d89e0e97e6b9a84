"""The periods a report covers: a quarter ("2026-Q3"), a year ("2025") or the last twelve
months ("last12"), in Phnom Penh months.

The public statistics take their periods from a fixed grid of complete quarters: complete
quarters, complete years, and "the last 12 months" as the last four complete quarters, so
that each public period is a union of whole quarters (see `across`). Staff may also ask
for the quarter and year under way, and for the twelve months before this one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from babel.dates import format_date

from portal import clock, i18n
from portal.deadlines import PHNOM_PENH
from portal.i18n import digits
from portal.i18n import gettext as _

LAST_12 = "last12"
# How far back the chooser offers quarters and years.
QUARTERS_OFFERED = 12
YEARS_OFFERED = 5


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class Period:
    key: str  # as in the address: "2026-Q3", "2025", "last12:2026-11"
    first: str  # "2026-07"
    last: str  # "2026-09"

    @property
    def months(self) -> list[str]:
        from portal.reports.figures import months_between

        return months_between(self.first, self.last)

    @property
    def label(self) -> str:
        """The period in the reader's language: "Q3 2026", "2025", "Dec 2025 to Nov 2026"."""
        if "-Q" in self.key:
            year, quarter = self.key.split("-Q")
            text = _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}
        elif self.key.isdecimal():
            text = self.key
        else:
            text = f"{_month_name(self.first)} – {_month_name(self.last)}"
        return digits(text)

    def quarters(self) -> list[Period]:
        """The calendar quarters this period is made of (for a period on the quarter grid)."""
        starts = [m for m in self.months if int(m[5:7]) % 3 == 1]
        return [quarter(int(m[:4]), (int(m[5:7]) - 1) // 3 + 1) for m in starts]

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        year, month = int(self.first[:4]), int(self.first[5:7])
        length = len(self.months)
        start = _shift(year, month, -length)
        end = _shift(year, month, -1)
        first, last = f"{start[0]:04d}-{start[1]:02d}", f"{end[0]:04d}-{end[1]:02d}"
        if "-Q" in self.key:
            return Period(f"{start[0]}-Q{(start[1] - 1) // 3 + 1}", first, last)
        if self.key.isdecimal():
            return Period(str(start[0]), first, last)
        return Period(f"{LAST_12}:{last}", first, last)


def _month_name(month: str) -> str:
    return _month_in(month, i18n.current_language.get())


@cache  # babel looks the locale's month names up anew each time
def _month_in(month: str, language: str) -> str:
    return format_date(date(int(month[:4]), int(month[5:7]), 1), "MMM y", locale=language)


def _today() -> date:
    return clock.now().astimezone(PHNOM_PENH).date()


def quarter(year: int, number: int) -> Period:
    first = 3 * (number - 1) + 1
    return Period(f"{year}-Q{number}", f"{year}-{first:02d}", f"{year}-{first + 2:02d}")


def year(number: int) -> Period:
    return Period(str(number), f"{number}-01", f"{number}-12")


def last_twelve(today: date | None = None) -> Period:
    """The twelve complete months before this one."""
    today = today or _today()
    end = _shift(today.year, today.month, -1)
    start = _shift(today.year, today.month, -12)
    last = f"{end[0]:04d}-{end[1]:02d}"
    return Period(LAST_12, f"{start[0]:04d}-{start[1]:02d}", last)


def last_four_quarters(today: date | None = None) -> Period:
    """The public "last 12 months": the four complete quarters before this one."""
    latest = last_complete_quarter(today)
    earliest = latest.previous().previous().previous()
    return Period(LAST_12, earliest.first, latest.last)


def last_complete_quarter(today: date | None = None) -> Period:
    today = today or _today()
    number = (today.month - 1) // 3  # the quarter before this one, 0 meaning last year's Q4
    return quarter(today.year, number) if number else quarter(today.year - 1, 4)


_QUARTER = re.compile(r"(\d{4})-Q([1-4])")


def parse(key: str | None, public: bool = False) -> Period:
    """The period named in the address; the last complete quarter when none or not one.
    Public periods are complete quarters and years only (the grid `across` relies on)."""
    key = (key or "").strip()
    today = _today()
    latest = last_complete_quarter(today)
    if key == LAST_12 or key.startswith(f"{LAST_12}:"):
        return last_four_quarters(today) if public else last_twelve(today)
    if found := _QUARTER.fullmatch(key):
        chosen = quarter(int(found[1]), int(found[2]))
        if 2000 <= int(found[1]) <= today.year and not (public and chosen.last > latest.last):
            return chosen
    if key.isdecimal() and len(key) == 4 and 2000 <= int(key) <= today.year - public:
        return year(int(key))
    return latest


def choices(public: bool = False) -> list[tuple[str, str]]:
    """The periods the chooser offers: (key, label), latest first; for the public, complete
    years only."""
    today = _today()
    latest = last_complete_quarter(today)
    offered = [(LAST_12, _("Last 12 months"))]
    period = latest
    for _n in range(QUARTERS_OFFERED):
        offered.append((period.key, period.label))
        period = period.previous()
    newest = today.year - public
    offered += [(str(y), digits(str(y))) for y in range(newest, newest - YEARS_OFFERED, -1)]
    return offered
