"""No hidden public count can be worked out from two (or more) periods side by side: an
attacker reads the statistics page for every period it offers (and every quarter of
every year it offers), writes each shown figure as an equation over the per-quarter
counts and each hidden one as its range ("fewer than 5": 1 to 4; another hidden count:
5 or more), and looks for the least and greatest value each hidden figure can take."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from portal import clock
from portal.reports import figures, periods, services
from portal.reports.report import Report
from portal.reports.suppression import Cell, bounds

NOW = datetime(2026, 11, 15, 5, tzinfo=UTC)  # Q4 2026 under way
LIMIT = 5
Vector = dict[tuple, Fraction]


def _narrowed(
    facts: list[tuple[Vector, float, float]], targets: list[tuple[str, Vector]]
) -> list[str]:
    """The hidden figures a reader can narrow to one whole number: each figure's least and
    greatest value over every set of per-quarter counts (none negative) that agrees with
    what is known, `low <= sum <= high` for each fact (a linear programme, HiGHS)."""
    import numpy
    from scipy.optimize import linprog

    keys = sorted({key for vector, _low, _high in facts for key in vector}, key=repr)
    column = {key: i for i, key in enumerate(keys)}

    def row(vector: Vector) -> list[float]:
        line = [0.0] * len(keys)
        for key, value in vector.items():
            line[column[key]] = float(value)
        return line

    equal = [(row(v), low) for v, low, high in facts if low == high]
    ranged = [(row(v), low, high) for v, low, high in facts if low != high]
    a_eq = numpy.array([line for line, _ in equal])
    b_eq = numpy.array([value for _, value in equal])
    # low <= v.x <= high as -v.x <= -low and v.x <= high (no bound where there is none)
    a_ub = [[-x for x in line] for line, low, _ in ranged] + [
        line for line, _, high in ranged if high != float("inf")
    ]
    b_ub = [-low for _, low, _ in ranged] + [high for _, _, high in ranged if high != float("inf")]
    found = []
    for where, vector in targets:
        ends = []
        for sign in (1, -1):
            result = linprog(
                [sign * x for x in row(vector)],
                A_ub=numpy.array(a_ub),
                b_ub=numpy.array(b_ub),
                A_eq=a_eq,
                b_eq=b_eq,
                bounds=(0, None),
                method="highs",
            )
            assert result.status in (0, 3), (where, result.message)  # what is shown holds
            ends.append(sign * result.fun if result.status == 0 else float("inf"))
        low, high = ends
        if high != float("inf") and math.ceil(low - 1e-6) == math.floor(high + 1e-6):
            found.append(f"{where} = {math.ceil(low - 1e-6)}")
    return found


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
    facts: list[tuple[Vector, float, float]] = []  # what a reader knows: low <= sum <= high
    targets: list[tuple[str, Vector]] = []
    listed: list[tuple[str, list[str], set[str]]] = []  # (table, quarters, codes shown)
    totals: list[tuple[str, list[str], float]] = []  # shown totals of tables with their own
    partitions: set[str] = set()

    def learn(where: str, cell: Cell, vector: Vector) -> None:
        """A shown figure is its value; a hidden one its range ("fewer than 5": 1 to 4)."""
        facts.append((vector, *bounds(cell, LIMIT)))
        if cell.hidden:
            targets.append((where, vector))

    for period in views.values():
        report = (await services.public_report(period)).report
        assert report.threshold == LIMIT
        quarters = [q.key for q in period.quarters()]
        assert len(period.months) == 3 * len(quarters), period.key  # on the quarter grid
        headline = _headline(report)
        for name, cell in headline.items():
            learn(f"{period.key} {name}", cell, _sum([("headline", name, q) for q in quarters]))
        listed.append(("headline", quarters, set(headline)))
        for table in [report.workers, *report.tables]:
            for row in table.rows:
                vector = _sum([(table.key, row.code, q) for q in quarters])
                learn(f"{period.key} {table.key}:{row.code}", row.cells[0], vector)
            listed.append((table.key, quarters, {row.code for row in table.rows}))
            if table.total is report.received:
                partitions.add(table.key)
            elif table.total is not None and table.total.shown:
                totals.append((table.key, quarters, table.total.value or 0))
        for row in report.monthly.rows:
            for measure, cell in zip(("received", "resolved"), row.cells, strict=True):
                vector = _sum([(f"month-{measure}", row.code)])
                learn(f"{period.key} {measure} in {row.code}", cell, vector)
    # What a reader knows besides: a category (or currency) a period does not list counts 0; a
    # table's total is the sum of its categories; per quarter, a table where every
    # complaint has one category adds up to the received, and the months to the quarter.
    codes: dict[str, set[str]] = {}
    for key, _quarters, shown in listed:
        codes.setdefault(key, set()).update(shown)
    for key, quarters, shown in listed:
        for code in codes[key] - shown:
            facts.append((_sum([(key, code, q) for q in quarters]), 0, 0))
    for key, quarters, total in totals:
        facts.append(
            (_sum([(key, code, q) for code in codes[key] for q in quarters]), total, total)
        )
    for quarter in {q for _key, quarters, _shown in listed for q in quarters}:
        for measure in ("received", "resolved"):
            months = {k: Fraction(-1) for k in _month_keys(quarter, measure)}
            facts.append(({("headline", measure, quarter): Fraction(1), **months}, 0, 0))
        for key in partitions:
            parts = {(key, code, quarter): Fraction(1) for code in codes[key]}
            facts.append(({("headline", "received", quarter): Fraction(-1), **parts}, 0, 0))
    assert len(targets) > 20, "the data must have hidden figures to protect"
    assert sum(1 for _v, low, high in facts if 0 < low < high < LIMIT) > 10  # ranges shown
    found = _narrowed(facts, targets)
    assert not found, f"worked out from totals and ranges: {found[:10]}"


async def test_the_public_periods_are_complete_quarters_and_years(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    last12 = periods.parse("last12", public=True)
    assert (last12.first, last12.last) == ("2025-10", "2026-09")
    for under_way in ("2026", "2026-Q4", "2027-Q1"):
        assert periods.parse(under_way, public=True).key == "2026-Q3"
    assert periods.parse("2026").key == "2026"  # staff see the year so far
    assert "2026" not in dict(periods.choices(public=True))
