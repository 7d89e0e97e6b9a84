"""The officers' queue: the most urgent open case first, each filter, pages that follow
on without gaps or repeats; only officers and admins. The search: test_search.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal import clock
from portal.complaints import queue
from portal.complaints.tables import Complaint, ComplaintGround
from tests.conftest import sign_in

REFERENCE = re.compile(r'<a href="/cases/\d+">(C26-[0-9A-Z]+)</a>')


async def _refs(client, **params) -> list[str]:
    page = await client.get("/cases", params=params)
    assert page.status_code == 200, page.text
    return REFERENCE.findall(page.text)


async def _due_in(complaint, delta: timedelta) -> None:
    await Complaint.update({Complaint.stage_due_at: clock.now() + delta}).where(
        Complaint.id == complaint.id
    )


@pytest.fixture
async def queue_cases(make_agency, make_user, make_complaint):
    """A handful of cases that each filter tells apart."""
    officer = await make_user("officer")
    kampot, mekong = await make_agency(name_en="Kampot Jobs"), await make_agency()
    c = {
        "overdue": await make_complaint(
            status="received", agency=kampot.id, province="Kampot", complainant_name="Sokun Mao"
        ),
        "soon": await make_complaint(
            status="acknowledged", agency=mekong.id, province="Takeo", assigned_officer=officer.id
        ),
        "later": await make_complaint(
            status="awaiting_agency", agency=mekong.id, province="Takeo", is_sensitive=True
        ),
        "closed": await make_complaint(status="closed", agency=kampot.id, province="Kampot"),
        "resolved": await make_complaint(status="resolved", agency=mekong.id),
    }
    await _due_in(c["overdue"], timedelta(hours=-3))
    await _due_in(c["soon"], timedelta(hours=5))
    await _due_in(c["later"], timedelta(days=4))
    await ComplaintGround.insert(
        ComplaintGround(complaint=c["overdue"].id, ground="excessive_fees"),
        ComplaintGround(complaint=c["soon"].id, ground="documents_retained"),
        ComplaintGround(complaint=c["soon"].id, ground="excessive_fees"),
    )
    return {"cases": c, "officer": officer, "kampot": kampot}


async def test_open_cases_most_urgent_first_and_each_filter(client, queue_cases):
    c = {name: row.reference for name, row in queue_cases["cases"].items()}
    await sign_in(client, queue_cases["officer"])
    assert await _refs(client) == [c["overdue"], c["soon"], c["later"]]
    assert await _refs(client, status="closed") == [c["closed"]]
    assert await _refs(client, status="resolved") == [c["resolved"]]
    assert await _refs(client, status="acknowledged") == [c["soon"]]
    assert await _refs(client, due="overdue") == [c["overdue"]]
    assert await _refs(client, due="soon") == [c["soon"]]
    assert await _refs(client, agency=queue_cases["kampot"].licence_number) == [c["overdue"]]
    assert await _refs(client, province="Takeo") == [c["soon"], c["later"]]
    assert await _refs(client, ground="excessive_fees") == [c["overdue"], c["soon"]]
    assert await _refs(client, mine="1") == [c["soon"]]
    assert await _refs(client, sensitive="1") == [c["later"]]
    # Picked by the date received: newest first (the queue_cases were made in this order).
    today = clock.now().astimezone(queue.PHNOM_PENH).date().isoformat()
    newest_first = [c["later"], c["soon"], c["overdue"]]
    assert await _refs(client, received_from=today, received_to=today) == newest_first
    assert await _refs(client, received_to="2000-01-01") == []
    # The overdue row says so.
    page = await client.get("/cases")
    assert 'class="overdue"' in page.text and "Due soon" in page.text


async def test_a_paused_case_is_not_overdue_anywhere(client, queue_cases):
    """Waiting on the complainant stops the clock: the queue's due filters, its row flag,
    the case page and the dashboard's count all leave a paused case out."""
    c = queue_cases["cases"]
    await sign_in(client, queue_cases["officer"])
    dashboard = await client.get("/cases/dashboard")
    assert re.search(r'id="overdue-acknowledge">(?:<a [^>]*>)?1<', dashboard.text)
    await Complaint.update({Complaint.paused_since: clock.now() - timedelta(hours=1)}).where(
        Complaint.id == c["overdue"].id
    )
    assert await _refs(client, due="overdue") == []
    assert c["overdue"].reference in await _refs(client)  # still in the open queue
    assert 'class="overdue"' not in (await client.get("/cases")).text
    assert "Overdue" not in (await client.get(f"/cases/{c['overdue'].id}")).text
    dashboard = await client.get("/cases/dashboard")
    assert re.search(r'id="overdue-acknowledge">(?:<a [^>]*>)?0<', dashboard.text)
    await _due_in(c["soon"], timedelta(hours=5))
    await Complaint.update({Complaint.paused_since: clock.now()}).where(
        Complaint.id == c["soon"].id
    )
    assert await _refs(client, due="soon") == []


async def test_the_filter_form_refreshes_only_the_results_with_htmx(client, queue_cases):
    await sign_in(client, queue_cases["officer"])
    fragment = await client.get(
        "/cases", params={"province": "Kampot"}, headers={"hx-request": "true"}
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert REFERENCE.findall(fragment.text) == [queue_cases["cases"]["overdue"].reference]


async def test_pages_follow_on_without_gaps_or_repeats(client, make_user, make_complaint):
    officer = await make_user("officer")
    start = clock.now()
    made = []
    for n in range(queue.PAGE_SIZE + 7):
        row = await make_complaint(status="investigation")
        # Ties on the due time (pairs share one) must not lose or repeat a case.
        await Complaint.update({Complaint.stage_due_at: start + timedelta(hours=n // 2)}).where(
            Complaint.id == row.id
        )
        made.append(row.reference)
    await sign_in(client, officer)
    first = await client.get("/cases")
    first_refs = REFERENCE.findall(first.text)
    assert first_refs == made[: queue.PAGE_SIZE]
    link = re.search(r'<a href="(/cases\?[^"]+)">Next cases</a>', first.text)
    assert link, "a next-page link"
    second = await client.get(link.group(1).replace("&amp;", "&"))
    assert REFERENCE.findall(second.text) == made[queue.PAGE_SIZE :]
    assert "Next cases" not in second.text


@pytest.mark.parametrize("role", ["agency", "partner", "committee"])
async def test_only_officers_and_admins_reach_the_queue(client, make_user, role):
    await sign_in(client, await make_user(role))
    assert (await client.get("/cases")).status_code == 404
    assert (await client.get("/cases/dashboard")).status_code == 404


async def test_the_public_is_sent_to_sign_in(client):
    response = await client.get("/cases")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_complaints_stored_before_the_name_key_are_found_by_name_after_migrating(
    make_complaint,
):
    """The migration that brought in `name_key` fills it for the complaints already
    stored (here: one whose key is still empty, as it was then)."""
    import importlib

    migration = importlib.import_module(
        "migrations.complaints.complaints_2026_12_01t01_31_00_000000"
    )
    older = await make_complaint(complainant_name="Élise Chan")
    nameless = await make_complaint(complainant_name="")
    await Complaint.update({Complaint.name_key: ""}).where(Complaint.id == older.id)

    manager = await migration.forwards()
    for step in manager.raw:
        await step()

    rows = await Complaint.select(Complaint.id, Complaint.name_key)
    assert {row["id"]: row["name_key"] for row in rows} == {
        older.id: "élise chan",
        nameless.id: "",
    }
