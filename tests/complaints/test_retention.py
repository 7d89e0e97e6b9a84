"""Personal data kept no longer than the retention policy says: the run anonymises
exactly the closed cases past the period (names, contacts, free text, messages, files)
and nothing else, keeps every figure the reports and the dashboard show, and does
nothing the second time; the admin sets the period, and can anonymise one case early."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from portal import clock, db, uploads
from portal.audit import services as audit
from portal.audit.tables import AuditEvent
from portal.complaints import services as complaint_services
from portal.complaints.tables import CaseEvent, CaseFile, Complaint, ComplaintWorker
from portal.reports import figures
from portal.retention import services as retention
from portal.retention.personal import PERSONAL, complaint_column
from tests.checklists.conftest import PDF
from tests.conftest import post_form
from tests.core.test_cli import portal
from tests.files import stored_file

NOW = datetime(2031, 6, 15, 3, tzinfo=UTC)
PRIVATE = "Srey Mom, 012 345 678, passport N0123456"


async def _case(make_complaint, closed_at: datetime | None, n: int) -> Complaint:
    received = (closed_at or NOW) - timedelta(days=40)
    complaint = await make_complaint(
        status="closed" if closed_at else "investigation",
        now=received,
        reference=f"C26-RETAIN{n:02d}",
        complainant_name=f"{PRIVATE} {n}",
        phone="+85512345678",
        email=f"srey{n}@example.org",
        description=f"{PRIVATE} told us everything {n}",
        province="Kandal",
        outcome="settlement" if closed_at else "",
        outcome_note=f"Paid to {PRIVATE}",
        closed_at=closed_at,
    )
    await ComplaintWorker.update({ComplaintWorker.name: f"{PRIVATE} worker"}).where(
        ComplaintWorker.complaint == complaint.id
    )
    await complaint_services.add_event(
        complaint.id, "message", "complainant", received, None, f"Dear {PRIVATE}"
    )
    stored = await stored_file("proof.pdf", PDF)
    await CaseFile.insert(
        CaseFile(
            complaint=complaint.id, audience="complainant", uploaded_at=received, **stored.columns()
        )
    )
    return complaint


async def _personal(complaint_id: int) -> list:
    """Every personal value still held for the complaint, as PERSONAL lists them."""
    found = []
    for table, blanks in PERSONAL.items():
        key = complaint_column(table)
        for row in await table.select(*(getattr(table, c) for c in blanks)).where(
            key == complaint_id
        ):
            found += [value for value in row.values() if value]
    return found + await CaseFile.select(CaseFile.filename).where(
        CaseFile.complaint == complaint_id
    )


async def _figures() -> list:
    await figures.rebuild_all()
    return await db.select(
        "SELECT month, scope, measure, category, value FROM report_figure"
        " ORDER BY month, scope, measure, category"
    ) + await db.select("SELECT key, value FROM complaint_figure ORDER BY key")


@pytest.fixture
async def cases(make_complaint, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return {
        "expired": await _case(make_complaint, datetime(2026, 6, 1, tzinfo=UTC), 1),
        "recent": await _case(make_complaint, datetime(2026, 6, 20, tzinfo=UTC), 2),
        "open": await _case(make_complaint, None, 3),
    }


async def test_the_run_anonymises_exactly_what_expired_and_keeps_the_figures(cases):
    before = await _figures()
    file_of = {
        name: (await CaseFile.select(CaseFile.stored_name).where(CaseFile.complaint == c.id))[0]
        for name, c in cases.items()
    }
    kept = {name: await _personal(c.id) for name, c in cases.items() if name != "expired"}
    report = await retention.anonymise_expired()
    assert (report.complaints, report.files, report.years) == (1, 1, 5)
    assert await _personal(cases["expired"].id) == []
    for name, values in kept.items():
        assert await _personal(cases[name].id) == values, name
    assert (
        not uploads.files_dir()
        .joinpath(file_of["expired"]["stored_name"][:2], file_of["expired"]["stored_name"])
        .exists()
    )
    assert (
        uploads.files_dir()
        .joinpath(file_of["recent"]["stored_name"][:2], file_of["recent"]["stored_name"])
        .exists()
    )
    row = await Complaint.select().where(Complaint.id == cases["expired"].id).first()
    assert (row["status"], row["province"], row["outcome"]) == ("closed", "Kandal", "settlement")
    assert await CaseEvent.count().where(CaseEvent.complaint == cases["expired"].id) == 1
    assert await _figures() == before
    entry = await AuditEvent.objects().where(AuditEvent.action == "retention.run").first()
    assert "1 closed complaints older than 5 years anonymised, 1 files removed" in entry.summary
    again = await retention.anonymise_expired()  # safe twice: nothing more to do
    assert (again.complaints, again.files) == (0, 0)
    assert await AuditEvent.count().where(AuditEvent.action == "retention.run") == 1


async def test_a_shorter_period_set_by_the_admin_takes_the_recent_case_too(client, as_role, cases):
    await as_role("admin")
    refused = await post_form(client, "/admin/personal-data/retention", {"years": "0"})
    assert refused.status_code == 400 and "Enter a whole number from 1 to 50." in refused.text
    saved = await post_form(client, "/admin/personal-data/retention", {"years": "4"})
    assert saved.status_code == 303
    entry = await AuditEvent.objects().where(AuditEvent.action == "retention.changed").first()
    assert entry.summary == "5 → 4 years"
    report = await retention.anonymise_expired()
    assert report.complaints == 2
    assert await _personal(cases["open"].id) != []


async def test_the_command_runs_it_by_hand(make_complaint):
    # A process of its own, on today's clock: a case closed in 2020 has expired.
    old = await _case(make_complaint, datetime(2020, 1, 6, tzinfo=UTC), 9)
    result = portal("anonymise-expired")
    assert result.returncode == 0, result.stderr
    assert "1 closed complaints older than 5 years anonymised, 1 files removed" in result.stdout
    assert await _personal(old.id) == []


async def test_only_one_scheduler_runs_it(cases):
    assert await retention.scheduled_run("scheduler-a") is not None
    assert await retention.scheduled_run("scheduler-b") is None


async def test_the_admin_exports_everything_about_a_complainant(client, as_role, cases):
    await as_role("admin")
    response = await post_form(
        client, "/admin/personal-data/export", {"export_reference": "c26-retain02"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert 'filename="complainant-C26-RETAIN02.json"' in response.headers["content-disposition"]
    held = json.loads(response.content)
    assert held["complaint"]["complainant_name"] == f"{PRIVATE} 2"
    assert held["workers"][0]["name"] == f"{PRIVATE} worker"
    assert held["timeline"][0]["body"] == f"Dear {PRIVATE}"
    assert held["files"][0]["filename"] == "proof.pdf"
    assert "receipt_hash" not in held["complaint"]
    entry = await AuditEvent.objects().where(AuditEvent.action == "complaint.data_exported").first()
    assert entry.object_id == "C26-RETAIN02"
    missing = await post_form(
        client, "/admin/personal-data/export", {"export_reference": "C26-NONE"}
    )
    assert missing.status_code == 400
    assert re.search(r'id="e-export_reference">No case has this reference', missing.text)


async def test_the_admin_anonymises_one_case_early_with_a_reason_and_confirmation(
    client, as_role, cases
):
    await as_role("admin")
    unconfirmed = await post_form(
        client,
        "/admin/personal-data/anonymise",
        {"reference": "C26-RETAIN03", "reason": "The complainant asked by phone"},
    )
    assert unconfirmed.status_code == 400
    assert 'id="e-confirm">Tick the box to confirm' in unconfirmed.text
    assert "The complainant asked by phone" in unconfirmed.text  # filled in again
    assert await _personal(cases["open"].id) != []
    done = await post_form(
        client,
        "/admin/personal-data/anonymise",
        {"reference": "C26-RETAIN03", "reason": "The complainant asked by phone", "confirm": "y"},
    )
    assert done.status_code == 303
    assert await _personal(cases["open"].id) == []
    assert await _personal(cases["recent"].id) != []
    entry = await AuditEvent.objects().where(AuditEvent.action == "complaint.anonymised").first()
    assert entry.object_id == "C26-RETAIN03" and "asked by phone" in entry.summary
    twice = await post_form(
        client,
        "/admin/personal-data/anonymise",
        {"reference": "C26-RETAIN03", "reason": "again", "confirm": "y"},
    )
    assert twice.status_code == 400 and "already been anonymised" in twice.text


@pytest.mark.parametrize("role", ["officer", "provincial_officer", "ministry_viewer"])
async def test_only_admins_reach_personal_data(client, as_role, role):
    await as_role(role)
    assert (await client.get("/admin/personal-data")).status_code == 404


async def test_an_anonymised_case_loses_the_old_and_new_facts_of_its_corrections(cases):
    for case in (cases["expired"], cases["recent"]):
        await audit.record(
            None,
            "complaint.facts_corrected",
            "complaint",
            case.reference,
            f"subagent_name: {PRIVATE} → Mr Sokha; subagent_phone: — → 097 111 2222",
        )
    await audit.record(
        None, "complaint.status_changed", "complaint", cases["expired"].reference, "a → b"
    )
    await retention.anonymise_expired()
    summaries = {
        (row["object_id"], row["action"]): row["summary"]
        for row in await AuditEvent.select().where(AuditEvent.object_type == "complaint")
    }
    expired, recent = cases["expired"].reference, cases["recent"].reference
    assert summaries[(expired, "complaint.facts_corrected")] == ""
    assert summaries[(expired, "complaint.status_changed")] == "a → b"
    assert PRIVATE in summaries[(recent, "complaint.facts_corrected")]


async def test_the_case_page_says_when_a_case_was_anonymised(client, as_role, make_user, cases):
    await retention.anonymise_expired()
    await as_role("officer")
    page = (await client.get(f"/cases/{cases['expired'].id}")).text
    assert "Anonymised on Jun 15, 2031" in page and "under the retention policy" in page
    assert "Anonymised on" not in (await client.get(f"/cases/{cases['recent'].id}")).text
    admin = await make_user("admin")
    await retention.anonymise_on_request(admin, cases["recent"].reference, "Asked by phone")
    page = (await client.get(f"/cases/{cases['recent'].id}")).text
    assert "Anonymised on Jun 15, 2031, 10:00" in page and "at the complainant's request" in page
