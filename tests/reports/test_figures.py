"""Every figure a report shows equals a plain count over the complaints it covers: random
complaints (sexes, groups, grounds, outcomes, currencies, times either side of Phnom Penh
month ends) are counted by the rebuild job and compared with counts done here."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from portal import db
from portal.accounts.tables import Organisation
from portal.complaints.tables import Channel, Complaint, Ground, Outcome
from portal.deadlines import PHNOM_PENH, WorkingCalendar, working_days_between
from portal.reports import figures
from portal.reports.periods import Period, quarter, year
from portal.reports.report import build, load
from tests.reports.conftest import outcome_recorded

PROVINCES = ["Kandal", "Takeo", "Battambang", ""]
DESTINATIONS = ["TH", "MY", "KR", ""]
SECTORS = ["construction", "fishing", "domestic_work", ""]
BREAKDOWNS = ("ground", "destination", "sector", "province", "channel")


def _moment(rng: random.Random) -> datetime:
    """A time in 2025, often within hours of a Phnom Penh month's end (UTC+7)."""
    if rng.random() < 0.4:
        month = rng.randrange(1, 13)
        edge = datetime(2025, month, 1, tzinfo=PHNOM_PENH).astimezone(UTC)
        return edge + timedelta(minutes=rng.randrange(-600, 600))
    return datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(365 * 24 * 60))


async def random_cases(make_case: Any, make_agency: Any, n: int) -> list[dict[str, Any]]:
    rng = random.Random(17)
    agencies = [(await make_agency()).id for _ in range(3)]
    organisations = []
    for name in ("Union A", "MRC B"):
        organisation = Organisation(name=name, kind="union", created_at=datetime.now(UTC))
        await organisation.save()
        organisations.append(organisation.id)
    cases = []
    for _ in range(n):
        received = _moment(rng)
        outcome = rng.choice([""] * 3 + [o.value for o in Outcome])
        money = outcome in ("compensation", "settlement") and rng.random() < 0.8
        case = {
            "received_at": received,
            "grounds": tuple(rng.sample([g.value for g in Ground], rng.randrange(1, 4))),
            "workers": tuple(
                (
                    rng.choice(["woman", "man", "not_said"]),
                    rng.choice(["yes", "no", "not_said"]),
                    rng.random() < 0.2,
                )
                for _ in range(rng.choice([1, 1, 1, 2, 5]))
            ),
            "acknowledged_after": rng.choice([None, *range(1, 100, 7)]),
            "outcome": outcome,
            "outcome_at": received + timedelta(hours=rng.randrange(5, 1500)) if outcome else None,
            "compensation": Decimal(rng.randrange(100, 900_000)) / 100 if money else None,
            "currency": rng.choice(["USD", "KHR"]) if money else "",
            "agency": rng.choice(agencies),
            "organisation": rng.choice([None, *organisations]),
            "province": rng.choice(PROVINCES),
            "destination": rng.choice(DESTINATIONS),
            "sector": rng.choice(SECTORS),
            "channel": rng.choice([c.value for c in Channel]),
        }
        await make_case(**case)
        cases.append(case)
    return cases


def _in_scope(case: dict[str, Any], scope: str) -> bool:
    if not scope:
        return True
    if "&" in scope:  # a combination: every filter
        return all(_in_scope(case, part) for part in scope.split("&"))
    name, value = scope.split(":", 1)
    if name == "ground":
        return value in case["grounds"]
    return str(case[name]) == value


def expected(cases: list[dict[str, Any]], period: Period, scope: str) -> dict[str, Any]:
    """The figures counted the plain way, over the cases themselves."""
    months = set(period.months)
    chosen = [
        c
        for c in cases
        if c["received_at"].astimezone(PHNOM_PENH).strftime("%Y-%m") in months
        and _in_scope(c, scope)
    ]
    resolved = [c for c in chosen if c["outcome"]]
    calendar = WorkingCalendar()
    days = [working_days_between(c["received_at"], c["outcome_at"], calendar) for c in resolved]
    money: Counter[str] = Counter()
    cases_paid: Counter[str] = Counter()
    for c in resolved:
        if c["compensation"]:
            money[c["currency"]] += int(c["compensation"] * 100)
            cases_paid[c["currency"]] += 1
    workers = [w for c in chosen for w in c["workers"]]
    breakdowns = {
        "ground": Counter(g for c in chosen for g in c["grounds"]),
        **{name: Counter(c[name] for c in chosen) for name in BREAKDOWNS if name != "ground"},
    }
    return {
        "received": len(chosen),
        "acknowledged_in_time": sum(
            1
            for c in chosen
            if c["acknowledged_after"] is not None and c["acknowledged_after"] <= 48
        ),
        "resolved": len(resolved),
        "median_days": float(statistics.median(days)) if days else None,
        "money": dict(money),
        "cases_paid": dict(cases_paid),
        "sex": Counter(w[0] for w in workers),
        "disability": sum(1 for w in workers if w[1] == "yes"),
        "lgbtqia": sum(1 for w in workers if w[2]),
        "breakdowns": breakdowns,
    }


async def test_every_figure_equals_a_plain_count(make_case, make_agency):
    cases = await random_cases(make_case, make_agency, 160)
    await figures.rebuild_all()
    await figures.rebuild_all()  # safe to run twice: nothing is counted twice
    organisation = next(c["organisation"] for c in cases if c["organisation"])
    scopes = [
        "",
        f"agency:{cases[0]['agency']}",
        f"organisation:{organisation}",
        "province:Kandal",
        "destination:TH",
        "ground:unpaid_wages",
        "channel:hotline",
    ]
    periods = [
        quarter(2025, 1),
        quarter(2025, 4),
        year(2025),
        Period("last12", "2025-02", "2026-01"),
    ]
    for period in periods:
        for scope in scopes:
            report = build(period, await load(period, scope), 5, public=False)
            assert_counted(report, expected(cases, period, scope), f"{period.key} {scope or 'all'}")


def assert_counted(report: Any, want: dict[str, Any], where: str) -> None:
    """Every figure of `report` is the plain count `want` (from `expected`)."""
    assert report.received.value == want["received"], where
    assert report.acknowledged_in_time.value == want["acknowledged_in_time"], where
    assert report.resolved.value == want["resolved"], where
    assert report.median_days == want["median_days"], where
    assert {m.currency: m.cents for m in report.money} == want["money"], where
    assert {m.currency: m.cases.value for m in report.money} == want["cases_paid"], where
    shown_sexes = {row.code: row.cells[0].value for row in report.workers.rows}
    assert shown_sexes == {s: want["sex"][s] for s in ("woman", "man", "not_said")}, where
    assert report.disability.value == want["disability"], where
    assert report.lgbtqia.value == want["lgbtqia"], where
    for table in report.tables:
        shown = {row.code: row.cells[0].value for row in table.rows if row.cells[0].value}
        assert shown == dict(want["breakdowns"][table.key]), f"{where} {table.key}"
    assert sum(row.cells[0].value for row in report.monthly.rows) == want["received"]
    assert sum(row.cells[1].value for row in report.monthly.rows) == want["resolved"]


async def test_the_job_counts_what_changed_since_its_last_run(make_case):
    march = datetime(2025, 3, 10, tzinfo=UTC)
    await make_case(march)
    assert await figures.refresh()  # the first run counts everything
    assert (await load(quarter(2025, 1))).sums["received", ""] == 1

    assert await figures.refresh() == []  # nothing new: nothing rebuilt
    late = datetime(2025, 5, 31, 18, tzinfo=UTC)  # 1 June in Phnom Penh
    await make_case(late)
    assert await figures.refresh() == ["2025-06"]
    assert (await load(quarter(2025, 2))).sums["received", ""] == 1

    # A case resolved later: a new timeline line puts its month up for counting again.
    first = (await db.select("SELECT id FROM complaint ORDER BY id LIMIT 1"))[0]["id"]
    await db.select(
        "UPDATE complaint SET outcome = {} WHERE id = {} RETURNING id", "dismissed", first
    )
    await outcome_recorded(first, march + timedelta(days=3))
    assert await figures.refresh() == ["2025-03"]
    assert (await load(quarter(2025, 1))).sums["resolved", ""] == 1


async def test_the_scheduler_keeps_the_figures_up_to_date(settings):
    from portal.scheduler import create_scheduler

    jobs = {job.id: job for job in create_scheduler(settings).get_jobs()}
    assert jobs["report_figures"].func is figures.refresh  # every 5 minutes
    assert jobs["report_figures_start"].func is figures.refresh  # at start-up
    assert jobs["report_figures_nightly"].func is figures.rebuild_all


async def test_a_month_left_without_complaints_loses_its_figures(make_case):
    early = await make_case(datetime(2025, 1, 10, 3, tzinfo=UTC))
    await make_case(datetime(2025, 3, 10, 3, tzinfo=UTC))
    await figures.rebuild_all()
    await Complaint.delete().where(Complaint.id == early)  # as the retention job may
    await figures.rebuild_all()
    months = await db.select("SELECT DISTINCT month FROM report_figure ORDER BY month")
    assert [row["month"] for row in months] == ["2025-03"]

    await Complaint.delete(force=True)
    await figures.rebuild_all()
    assert await db.select("SELECT month FROM report_figure") == []
