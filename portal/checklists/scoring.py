"""The committee's arithmetic: article subtotals, the total, rating bands, and the
consensus a chair is offered. Computed here and nowhere else (never in templates).

Scores run 0..max_score per indicator (0, 1 or 2 in the sample COC). An indicator the
committee agrees is not applicable drops out of the maximum, and the total is scaled back
to the template's full maximum ("pro rata"): 80 of the 96 points that apply, on a template
worth 100, is 83.3 of 100. Bands compare the share of the applicable maximum (a percentage).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from statistics import median_low

from portal.forms import whole_number
from portal.i18n import N_, gettext


@dataclass(frozen=True)
class Scored:
    """One indicator's agreed result: a score, or not applicable (score None)."""

    indicator_id: int
    section_id: int
    max_score: int
    score: int | None  # None: not applicable


def _share(points: int, applicable_maximum: int) -> Fraction | None:
    return Fraction(points, applicable_maximum) if applicable_maximum else None


@dataclass(frozen=True)
class Subtotal:
    """An article's points against the maximum of its applicable indicators."""

    section_id: int
    points: int
    applicable_maximum: int
    full_maximum: int

    @property
    def share(self) -> Fraction | None:
        """Points over applicable maximum (None when nothing in the article applies)."""
        return _share(self.points, self.applicable_maximum)


@dataclass(frozen=True)
class Totals:
    subtotals: list[Subtotal]
    points: int
    applicable_maximum: int
    full_maximum: int  # the template's maximum: 100 for 50 indicators scored 0-2

    @property
    def share(self) -> Fraction | None:
        return _share(self.points, self.applicable_maximum)

    @property
    def total(self) -> Decimal | None:
        """The total on the template's scale, pro rata, to one decimal place."""
        if self.share is None:
            return None
        return _one_decimal(self.share * self.full_maximum)

    @property
    def percent(self) -> Decimal | None:
        if self.share is None:
            return None
        return _one_decimal(self.share * 100)


def _one_decimal(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def totals(scored: Iterable[Scored], section_order: Sequence[int]) -> Totals:
    """Subtotals per article (in `section_order`) and the total."""
    points: dict[int, int] = dict.fromkeys(section_order, 0)
    applicable: dict[int, int] = dict.fromkeys(section_order, 0)
    full: dict[int, int] = dict.fromkeys(section_order, 0)
    for item in scored:
        if item.score is not None and not 0 <= item.score <= item.max_score:
            raise ValueError(f"score {item.score} outside 0..{item.max_score}")
        full[item.section_id] = full.get(item.section_id, 0) + item.max_score
        if item.score is not None:
            points[item.section_id] = points.get(item.section_id, 0) + item.score
            applicable[item.section_id] = applicable.get(item.section_id, 0) + item.max_score
    subtotals = [
        Subtotal(section, points.get(section, 0), applicable.get(section, 0), full[section])
        for section in full
    ]
    return Totals(
        subtotals=subtotals,
        points=sum(points.values()),
        applicable_maximum=sum(applicable.values()),
        full_maximum=sum(full.values()),
    )


# --- rating bands ---------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    minimum: int  # the lowest percentage in the band
    code: str
    label: str  # English; translated where shown (the defaults are in the catalog)


DEFAULT_BANDS = (
    Band(85, "A", N_("Compliant")),
    Band(70, "B", N_("Largely compliant")),
    Band(50, "C", N_("Partially compliant")),
    Band(0, "D", N_("Not compliant")),
)


def band_for(percent: Decimal, bands: Sequence[Band] = DEFAULT_BANDS) -> Band:
    """The highest band whose minimum the percentage reaches."""
    for band in sorted(bands, key=lambda b: b.minimum, reverse=True):
        if percent >= band.minimum:
            return band
    raise ValueError("the bands must include one starting at 0")


def bands_text(bands: Sequence[Band], translated: bool = False) -> str:
    """Bands as an admin edits them: one per line, `85 A Compliant` (the names in the
    reader's language when `translated`)."""
    name = gettext if translated else str
    return "\n".join(f"{b.minimum} {b.code} {name(b.label)}" for b in bands)


def parse_bands(text: str) -> list[Band]:
    """Read bands written one per line as `minimum code label`; raises ValueError with the
    line at fault. There must be a band starting at 0, and minimums must differ."""
    bands = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=2)
        minimum = whole_number(parts[0], 0, 100) if len(parts) == 3 else None
        # A code or name longer than a rating keeps (5, 100 characters) is refused, not cut.
        if minimum is None or len(parts[1]) > 5 or len(parts[2].strip()) > 100:
            raise ValueError(str(number))
        bands.append(Band(minimum, parts[1], parts[2].strip()))
    minimums = [b.minimum for b in bands]
    if 0 not in minimums or len(set(minimums)) != len(minimums):
        raise ValueError("0")
    return sorted(bands, key=lambda b: b.minimum, reverse=True)


# --- consensus ------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    score: int | None  # None: not applicable
    disagreement: bool  # the members did not all give the same result


def suggest(member_scores: Sequence[int | None]) -> Suggestion | None:
    """What the chair is offered for one indicator from the members' results (None for
    not applicable): not applicable when most members said so, else the median score
    (the lower middle one for an even count, so a split panel errs on the strict side)."""
    if not member_scores:
        return None
    disagreement = len(set(member_scores)) > 1
    not_applicable = sum(1 for s in member_scores if s is None)
    if not_applicable * 2 > len(member_scores):
        return Suggestion(None, disagreement)
    numbers = [s for s in member_scores if s is not None]
    return Suggestion(median_low(numbers), disagreement)
