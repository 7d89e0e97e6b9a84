"""No hidden public count can be worked out from two (or more) periods side by side: an
attacker reads the statistics page for every period it offers (and every quarter of
every year it offers), writes each shown figure as an equation over the per-quarter
counts, and tries to reach each hidden figure by adding and subtracting them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from portal import clock
from portal.reports import figures, periods, services
from portal.reports.report import Report
from portal.reports.suppression import Cell

NOW = datetime(2026, 11, 15, 5, tzinfo=UTC)  # Q4 2026 under way
Vector = dict[tuple, Fraction]


class Span:
    """The figures known so far, as equations in row echelon form (each row's pivot is its
    largest key): what can be worked out from them by adding and subtracting."""

    def __init__(self) -> None:
        self.rows: dict[tuple, Vector] = {}

    def reduce(self, vector: Vector) -> Vector:
        left = {key: Fraction(value) for key, value in vector.items() if value}
        while pivots := [key for key in left if key in self.rows]:
            pivot = max(pivots)
            factor = left[pivot]
            for key, value in self.rows[pivot].items():
                left[key] = left.get(key, Fraction(0)) - factor * value
                if not left[key]:
                    del left[key]
        return left

    def add(self, vector: Vector) -> None:
        if left := self.reduce(vector):
            pivot = max(left)
            self.rows[pivot] = {key: value / left[pivot] for key, value in left.items()}

    def knows(self, vector: Vector) -> bool:
        return not self.reduce(vector)


def _sum(keys: list[tuple]) -> Vector:
    return {key: Fraction(1) for key in keys}


def _headline(report: Report) -> dict[str, Cell]:
    cells = {
        "received": report.received,
        "resolved": report.resolved,
        "acknowledged_in_time": report.acknowledged_in_time,
        "disability": report.disability,
        "lgbtqia": report.lgbtqia,
    }
    return cells | {f"cases_{m.currency}": m.cases for m in report.money}


async def _random_history(make_case) -> None:
    """Two years and more of complaints, with categories rare enough to be small."""
    rng = random.Random(23)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for _ in range(260):
        received = start + timedelta(hours=rng.randrange(0, 24 * 1045))
        outcome = rng.choice(["", "", "compensation", "dismissed"])
        sex = rng.choice(["woman", "man", "man", "not_said"])
        disability = rng.choice(["no"] * 9 + ["yes"])
        await make_case(
            received,
            grounds=(rng.choice(["unpaid_wages"] * 6 + ["abuse", "excessive_fees"]),),
            workers=((sex, disability, rng.random() < 0.05),),
            acknowledged_after=rng.choice([2, 5, 80]),
            province=rng.choice(["Kandal"] * 12 + ["Kep", "Pailin", "Takeo", "Kampot"]),
            channel=rng.choice(["web"] * 10 + ["hotline", "walk_in"]),
            destination=rng.choice(["TH"] * 8 + ["MY", "KR"]),
            outcome=outcome,
            outcome_at=received + timedelta(days=rng.randrange(3, 60)) if outcome else None,
            compensation=Decimal(rng.randrange(100, 900)) if outcome == "compensation" else None,
            currency=rng.choice(["USD"] * 5 + ["KHR"]) if outcome == "compensation" else "",
        )
    await figures.rebuild_all()


def _month_keys(quarter: str, measure: str) -> list[tuple]:
    return [(f"month-{measure}", m) for m in periods.parse(quarter).months]


async def test_no_hidden_figure_follows_from_any_periods_side_by_side(make_case, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    await _random_history(make_case)
    offered = [periods.parse(key, public=True) for key, _label in periods.choices(public=True)]
    assert {p.key for p in offered} >= {"last12", "2026-Q3", "2025", "2024"}
    views = {p.key: p for p in offered}
    for period in offered:  # every quarter of an offered year can be asked for too
        views |= {q.key: q for q in period.quarters()}
    span, targets = Span(), []
    listed: list[tuple[str, list[str], set[str]]] = []  # (table, quarters, codes shown)
    totals: list[tuple[str, list[str]]] = []  # shown totals of tables that have their own
    partitions: set[str] = set()

    def learn(where: str, hidden: bool, vector: Vector) -> None:
        if hidden:
            targets.append((where, vector))
        else:
            span.add(vector)

    for period in views.values():
        report = (await services.public_report(period)).report
        quarters = [q.key for q in period.quarters()]
        assert len(period.months) == 3 * len(quarters), period.key  # on the quarter grid
        headline = _headline(report)
        for name, cell in headline.items():
            vector = _sum([("headline", name, q) for q in quarters])
            learn(f"{period.key} {name}", bool(cell.hidden), vector)
        listed.append(("headline", quarters, set(headline)))
        for table in [report.workers, *report.tables]:
            for row in table.rows:
                vector = _sum([(table.key, row.code, q) for q in quarters])
                learn(f"{period.key} {table.key}:{row.code}", bool(row.cells[0].hidden), vector)
            listed.append((table.key, quarters, {row.code for row in table.rows}))
            if table.total is report.received:
                partitions.add(table.key)
            elif table.total is not None and table.total.shown:
                totals.append((table.key, quarters))
        for row in report.monthly.rows:
            for measure, cell in zip(("received", "resolved"), row.cells, strict=True):
                vector = _sum([(f"month-{measure}", row.code)])
                learn(f"{period.key} {measure} in {row.code}", bool(cell.hidden), vector)
    # What a reader knows besides: a category (or currency) a period does not list counts 0; a
    # table's total is the sum of its categories; per quarter, a table where every
    # complaint has one category adds up to the received, and the months to the quarter.
    codes: dict[str, set[str]] = {}
    for key, _quarters, shown in listed:
        codes.setdefault(key, set()).update(shown)
    for key, quarters, shown in listed:
        for code in codes[key] - shown:
            span.add(_sum([(key, code, q) for q in quarters]))
    for key, quarters in totals:
        span.add(_sum([(key, code, q) for code in codes[key] for q in quarters]))
    for quarter in {q for _key, quarters, _shown in listed for q in quarters}:
        for measure in ("received", "resolved"):
            months = {k: Fraction(-1) for k in _month_keys(quarter, measure)}
            span.add({("headline", measure, quarter): Fraction(1), **months})
        for key in partitions:
            parts = {(key, code, quarter): Fraction(1) for code in codes[key]}
            span.add({("headline", "received", quarter): Fraction(-1), **parts})
    assert len(targets) > 20, "the data must have hidden figures to protect"
    found = [where for where, vector in targets if span.knows(vector)]
    assert not found, f"worked out by subtraction: {found[:10]}"


async def test_the_public_periods_are_complete_quarters_and_years(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    last12 = periods.parse("last12", public=True)
    assert (last12.first, last12.last) == ("2025-10", "2026-09")
    for under_way in ("2026", "2026-Q4", "2027-Q1"):
        assert periods.parse(under_way, public=True).key == "2026-Q3"
    assert periods.parse("2026").key == "2026"  # staff see the year so far
    assert "2026" not in dict(periods.choices(public=True))
