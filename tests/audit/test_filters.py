"""The admin narrows the audit log by who acted, which record and which days, pages
through it with the filters kept, and downloads the same entries as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

from portal import clock
from portal.audit import services as audit
from portal.audit.tables import AuditEvent

ROW = re.compile(r"<tr>\s*<td>.*?</tr>", re.S)


async def _entries(admin: Any, officer: Any, agency: Any, monkeypatch: Any) -> None:
    moments = iter(
        [
            datetime(2026, 3, 1, 3, tzinfo=UTC),
            datetime(2026, 3, 2, 3, tzinfo=UTC),
            datetime(2026, 3, 3, 18, tzinfo=UTC),  # 4 March in Phnom Penh
            datetime(2026, 3, 5, 3, tzinfo=UTC),
        ]
    )
    monkeypatch.setattr(clock, "now", lambda: next(moments))
    await audit.record(admin, "user.updated", "user", officer.id, "role: officer → admin")
    await audit.record(officer, "complaint.note_added", "complaint", "C26-FILTER01")
    await audit.record(admin, "agency.updated", "agency", agency.id, '=HYPERLINK("x")')
    await audit.record(officer, "complaint.note_added", "complaint", "C26-OTHER001")
    monkeypatch.undo()


async def _shown(client: Any, query: str) -> list[str]:
    page = await client.get(f"/admin/audit?{query}")
    assert page.status_code == 200
    return [re.sub(r"<[^>]+>|\s+", " ", row).strip() for row in ROW.findall(page.text)]


async def test_the_log_filters_by_person_record_and_date(
    client, as_role, make_user, make_agency, monkeypatch
):
    admin = await as_role("admin", email="boss@ministry.example")
    officer = await make_user("officer", email="dara@province.example")
    agency = await make_agency(licence_number="LIC-0077")
    await _entries(admin, officer, agency, monkeypatch)
    by_person = await _shown(client, "person=DARA@province")
    assert len(by_person) == 2 and all("dara@province.example" in row for row in by_person)
    by_reference = await _shown(client, "record=c26-filter01")
    assert len(by_reference) == 1 and "C26-FILTER01" in by_reference[0]
    about_officer = await _shown(client, "record=Dara@Province.example")
    assert len(about_officer) == 1 and "role: officer → admin" in about_officer[0]
    assert len(await _shown(client, "record=LIC-0077")) == 1
    days = await _shown(client, "since=2026-03-02&until=2026-03-04")
    assert len(days) == 2 and "C26-FILTER01" in days[1] and "LIC-0077" in days[0]
    page = (await client.get("/admin/audit?person=dara&since=2026-03-01")).text
    assert 'value="dara"' in page and 'value="2026-03-01"' in page  # the form keeps them
    assert 'href="/admin/audit.csv?person=dara&amp;since=2026-03-01"' in page


async def test_older_pages_keep_the_filters(client, as_role, make_user):
    admin = await as_role("admin")
    other = await make_user("admin")
    for n in range(audit.PAGE_SIZE + 10):
        await audit.record(
            other if n % 10 == 0 else admin, "user.updated", "user", admin.id, str(n)
        )
    first = (await client.get(f"/admin/audit?person={admin.email}")).text
    more = re.search(r'href="/admin/audit\?([^"]+)">Older events', first)
    assert more and "person=" in more.group(1)
    second = await _shown(client, more.group(1).replace("&amp;", "&"))
    assert second and all(admin.email in row for row in second)


async def test_the_csv_holds_the_filtered_entries_safely_and_is_audited(
    client, as_role, make_user, make_agency, monkeypatch
):
    admin = await as_role("admin")
    officer = await make_user("officer")
    agency = await make_agency(licence_number="LIC-0078")
    await _entries(admin, officer, agency, monkeypatch)
    response = await client.get("/admin/audit.csv?record=LIC-0078")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "when" and len(rows) == 2
    assert rows[1][1:6] == [
        admin.email,
        "agency.updated",
        "Agency record changed",
        "agency",
        "LIC-0078",
    ]
    assert rows[1][6] == '\'=HYPERLINK("x")'  # never a formula in a spreadsheet
    entry = await AuditEvent.objects().where(AuditEvent.action == "audit.exported").first()
    assert entry.summary == "1 entries; record=LIC-0078"


async def test_only_admins_read_or_download_the_log(client, as_role):
    await as_role("ministry_viewer")
    assert (await client.get("/admin/audit")).status_code == 404
    assert (await client.get("/admin/audit.csv")).status_code == 404


async def test_the_csv_words_a_status_change_as_the_page_does(client, as_role):
    admin = await as_role("admin")
    await audit.record(
        admin, "complaint.status_changed", "complaint", "C26-WORDS001", "received → acknowledged"
    )
    page = await _shown(client, "record=C26-WORDS001")
    assert "Received → Acknowledged" in page[0]
    rows = list(
        csv.reader(io.StringIO((await client.get("/admin/audit.csv")).content.decode("utf-8-sig")))
    )
    assert rows[1][2] == "complaint.status_changed"
    assert rows[1][6] == "Received → Acknowledged"
