"""The dashboard's figures equal what the complaints themselves say, after a series of
case actions through the pages (the figures are kept as complaints change, never counted
from the table on a page view)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from portal import clock
from portal.complaints import services
from portal.complaints.states import Status
from portal.complaints.tables import Complaint, ComplaintWorker
from portal.deadlines import Stage
from tests.conftest import post_form


def _number(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">(?:<a [^>]*>)?([^<]*)<', page)
    assert found, element_id
    return found.group(1).strip()


async def _file(make_complaint, sexes: list[str], **fields):
    """A complaint as the filing form leaves it: its figures for the month and the sexes
    of its workers counted (what the intake does)."""
    complaint = await make_complaint(**fields)
    await ComplaintWorker.delete().where(ComplaintWorker.complaint == complaint.id)
    for sex in sexes:
        await ComplaintWorker.insert(
            ComplaintWorker(complaint=complaint.id, sex=sex, age_band="25_34", disability="no")
        )
    month = services.month_key(complaint.received_at)
    changes = {f"received:{month}": 1}
    for sex in sexes:
        changes[f"workers:{sex}"] = changes.get(f"workers:{sex}", 0) + 1
        changes[f"workers:{month}:{sex}"] = changes.get(f"workers:{month}:{sex}", 0) + 1
    await services.bump(changes)
    return complaint


async def test_the_dashboard_matches_the_complaints_after_a_series_of_actions(
    client, as_role, make_complaint
):
    await as_role("officer")
    a = await _file(make_complaint, ["woman"])
    b = await _file(make_complaint, ["man", "woman", "woman"])
    c = await _file(make_complaint, ["man"], status="acknowledged")
    d = await _file(make_complaint, ["woman"], status="investigation")
    e = await _file(make_complaint, ["not_said"])

    for url, data in [
        (f"/cases/{a.id}/acknowledge", {}),
        (f"/cases/{a.id}/request-response", {"request_message": "Answer please."}),
        (f"/cases/{b.id}/withdrawn", {}),  # no such action: a 404, nothing changes
        (f"/cases/{b.id}/outcome", {"outcome": "withdrawn"}),
        (f"/cases/{b.id}/close", {}),
        (f"/cases/{c.id}/investigate", {}),
        (
            f"/cases/{c.id}/outcome",
            {"outcome": "compensation", "compensation": "250", "currency": "USD"},
        ),
        (
            f"/cases/{d.id}/outcome",
            {"outcome": "settlement", "compensation": "1000000", "currency": "KHR"},
        ),
        (f"/cases/{d.id}/close", {}),
        (f"/cases/{d.id}/reopen", {"reopen_reason": "Appeal: not paid."}),
        (f"/cases/{c.id}/close", {"close_note": "Paid."}),
    ]:
        response = await post_form(client, url, data)
        assert response.status_code == (404 if url.endswith("/withdrawn") else 303), url
    # One case is overdue at its acknowledgement, one at the agency's response.
    overdue = clock.now() - timedelta(hours=1)
    await Complaint.update({Complaint.stage_due_at: overdue}).where(
        Complaint.id.is_in([a.id, e.id])
    )

    page = (await client.get("/cases/dashboard")).text

    rows = await Complaint.select(
        Complaint.status, Complaint.stage, Complaint.stage_due_at, Complaint.is_open
    )
    for status in Status:
        expected = sum(1 for r in rows if r["status"] == status)
        assert _number(page, f"status-{status}") == str(expected), status
    assert _number(page, "status-total") == "5"
    now = clock.now()
    for stage in Stage:
        expected = sum(
            1 for r in rows if r["is_open"] and r["stage"] == stage and r["stage_due_at"] < now
        )
        assert _number(page, f"overdue-{stage}") == str(expected), stage
    assert _number(page, "overdue-agency_response") == "1"
    assert _number(page, "overdue-acknowledge") == "1"
    assert _number(page, "received-this-month") == "5"
    comp = await Complaint.select(Complaint.compensation, Complaint.compensation_currency)
    usd = sum(Decimal(r["compensation"]) for r in comp if r["compensation_currency"] == "USD")
    khr = sum(Decimal(r["compensation"]) for r in comp if r["compensation_currency"] == "KHR")
    assert (usd, khr) == (Decimal("250"), Decimal("1000000"))
    assert _number(page, "compensation-this-month") == "$250.00 · 1,000,000 ៛"
    women = await ComplaintWorker.count().where(ComplaintWorker.sex == "woman")
    men = await ComplaintWorker.count().where(ComplaintWorker.sex == "man")
    assert (women, men) == (4, 2)
    assert "7 workers (W: 4; M: 2)" in page
    assert "1 did not say" in page
