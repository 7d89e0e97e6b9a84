"""The `portal` command as an operator uses it: a real process on the test database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from portal import clock
from portal.accounts.tables import User
from portal.agencies.tables import Agency
from portal.checklists.tables import (
    Assessment,
    Clarification,
    ImprovementAction,
    MemberScore,
    Rating,
)
from portal.complaints import services as complaint_services
from portal.complaints.demo import DEMO_CASES
from portal.complaints.states import Status
from portal.complaints.tables import CaseEvent, Complaint, ComplaintGround, ComplaintWorker, Sex
from portal.core.roles import Role
from portal.reports import demo, periods, services
from portal.settings import get_settings

ROOT = Path(__file__).parents[2]


def portal(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "portal.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        input=stdin,
        timeout=120,
        env=os.environ.copy(),
    )


def test_every_command_has_help():
    for command in [
        "serve",
        "migrate",
        "demo-data",
        "create-user",
        "scheduler",
        "alerts",
        "anonymise-expired",
        "backup",
    ]:
        result = portal(command, "--help")
        assert result.returncode == 0 and "usage: portal " + command in result.stdout


async def test_create_user_with_an_agency(make_agency):
    await make_agency(licence_number="LIC-42")
    result = portal(
        "create-user",
        "staff@agency.example",
        "--role",
        "agency",
        "--agency",
        "LIC-42",
        "--password",
        "a long password",
    )
    assert result.returncode == 0, result.stderr
    user = await User.objects().where(User.email == "staff@agency.example").first()
    assert user.role == "agency" and user.agency is not None and not user.must_change_password


async def test_create_a_provincial_officer_with_their_provinces():
    args = ["create-user", "po@labour.example", "--role", "provincial_officer"]
    refused = portal(*args, "--password", "a long password")
    assert refused.returncode == 2 and "provinces:" in refused.stderr
    made = portal(*args, "--province", "Takeo", "--province", "Kandal", "--password", "a long one")
    assert made.returncode == 0, made.stderr
    user = await User.objects().where(User.email == "po@labour.example").first()
    assert (user.role, user.provinces) == ("provincial_officer", "Kandal,Takeo")


async def test_create_user_refuses_what_the_form_would_refuse():
    result = portal("create-user", "x@test.example", "--role", "agency", "--password", "short")
    assert result.returncode == 2
    assert "agency:" in result.stderr and "password:" in result.stderr
    assert await User.count() == 0


async def test_create_user_prompts_for_the_password_when_not_given():
    # getpass falls back to standard input when there is no terminal.
    result = portal(
        "create-user",
        "ops@test.example",
        "--role",
        "officer",
        stdin="a long password\na long password\n",
    )
    assert result.returncode == 0, result.stderr
    assert await User.exists().where(User.email == "ops@test.example")


async def test_demo_data_can_be_run_twice():
    first = portal("demo-data")
    assert first.returncode == 0, first.stderr
    counts = (await User.count(), await Agency.count())
    assert counts[0] >= 5 and counts[1] >= 3
    roles = {u["role"] for u in await User.select(User.role)}
    # Every role has its demo account (the page checks sign in as each: tests/site_pages.py).
    assert roles == {role.value for role in Role}
    # An open cycle with agencies at several stages: not started, half filled, submitted.
    stages = await Assessment.select(
        Assessment.status, Assessment.complete_count, Assessment.cycle.title_en
    )
    this_year = [s for s in stages if s["cycle.title_en"].endswith("2026")]
    assert sorted(s["status"] for s in this_year) == ["in_progress", "in_progress", "submitted"]
    complete = sorted(s["complete_count"] for s in this_year)
    assert complete[0] == 0 and 0 < complete[1] < 50
    # The two years before have published ratings, in more than one band; this year's
    # submission is under review.
    rated = await Rating.select(Rating.band_code, Rating.assessment.cycle.title_en)
    by_cycle = {r["assessment.cycle.title_en"] for r in rated}
    assert by_cycle == {"COC self-assessment 2024", "COC self-assessment 2025"}
    assert len({r["band_code"] for r in rated}) >= 2
    assert await MemberScore.exists()
    assert await ImprovementAction.exists()
    assert await Clarification.exists().where(Clarification.published == True)  # noqa: E712
    # The curated cases an officer opens: about thirty, in every state, some overdue, one
    # sensitive, each with its timeline.
    with_events = CaseEvent.select(CaseEvent.complaint)
    curated = await Complaint.select(
        Complaint.status, Complaint.is_sensitive, Complaint.is_open, Complaint.stage_due_at
    ).where(Complaint.id.is_in(with_events))
    assert len(curated) == len(DEMO_CASES)
    assert {c["status"] for c in curated} == set(Status)
    assert sum(c["is_sensitive"] for c in curated) == 1
    assert any(c["is_open"] and c["stage_due_at"] < clock.now() for c in curated)
    assert await User.exists().where(User.is_supervisor.eq(True))
    # The statistics page has two years to show: each of the last eight quarters counts
    # enough complaints that its headline figures are public, and both rated cycles show.
    period = periods.last_complete_quarter()
    for _ in range(8):
        page = await services.public_report(period)
        assert page.report.received.shown and page.report.received.value >= 20, period.key
        assert page.report.resolved.shown and page.report.resolved.value, period.key
        period = period.previous()
    statistics = await services.public_report(periods.parse("last12", public=True))
    assert [c.title for c in statistics.cycles][-2:] == [
        "COC self-assessment 2025",
        "COC self-assessment 2024",
    ]
    total = await Complaint.count()
    second = portal("demo-data")
    assert second.returncode == 0
    assert "0 demo records added" in second.stdout
    assert (await User.count(), await Agency.count()) == counts
    assert await Assessment.count() == 7  # 2024 and 2025: two agencies each, 2026: three
    assert await Complaint.count() == total


async def test_demo_data_adds_bulk_complaints_with_consistent_figures():
    result = portal("demo-data", "--complaints", "2000")
    assert result.returncode == 0, result.stderr
    assert "2000 bulk complaints added" in result.stdout
    rows = await Complaint.select(Complaint.status)
    assert len(rows) == 2000 + len(DEMO_CASES) + demo.HISTORY
    counted = await complaint_services.figures([f"status:{s}" for s in Status])
    for status in Status:
        assert counted[f"status:{status}"] == sum(1 for r in rows if r["status"] == status)
    sexes = await complaint_services.figures([f"workers:{s}" for s in Sex])
    assert sum(sexes.values()) == await ComplaintWorker.count()
    assert await ComplaintGround.count() >= 2000


async def test_backup_writes_a_copy_that_opens(tmp_path, make_agency):
    await make_agency(licence_number="BACKED-UP")
    target = tmp_path / "copy" / "portal-backup"
    result = portal("backup", str(target))
    assert result.returncode == 0, result.stderr
    assert target.exists() and target.stat().st_size > 0
    if get_settings().is_sqlite:
        with sqlite3.connect(target) as copy:
            rows = copy.execute("SELECT licence_number FROM agency").fetchall()
        assert rows == [("BACKED-UP",)]
    else:
        listing = subprocess.run(
            ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True
        )
        assert "TABLE DATA public agency" in listing.stdout
