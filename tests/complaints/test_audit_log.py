"""The audit log names the record of every entry and links to its page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from portal.audit.links import PAGES, SETTINGS

CALL = re.compile(r"audit\.record\(\s*[^,]+,\s*[^,]+,\s*\"(\w+)\"", re.S)
ROW = re.compile(r"<tr>\s*<td>.*?</tr>", re.S)


def kinds_written() -> set[str]:
    """The object types every `audit.record(...)` call in the portal passes."""
    root = Path(__file__).parents[2] / "portal"
    return {kind for path in root.rglob("*.py") for kind in CALL.findall(path.read_text())}


def test_every_kind_of_record_the_portal_audits_has_a_page() -> None:
    kinds = kinds_written()
    assert {"complaint", "user", "agency", "assessment", "cycle", "checklist"} <= kinds
    assert kinds - PAGES.keys() - SETTINGS.keys() == set()


async def test_each_entry_links_to_its_record(
    client: Any, as_role: Any, make_agency: Any, make_complaint: Any
) -> None:
    from portal.audit import services as audit

    admin = await as_role("admin")
    agency = await make_agency(licence_number="LIC-0042")
    complaint = await make_complaint(reference="C26-AUDIT01", agency=agency.id)
    await audit.record(admin, "complaint.sensitive_opened", "complaint", complaint.reference)
    await audit.record(admin, "agency.updated", "agency", agency.id)
    await audit.record(admin, "agency.imported", "agency", "", "3 agencies")
    await audit.record(admin, "user.password_changed", "user", admin.id)
    await audit.record(admin, "deadlines.policy_changed", "deadline_policy", "")
    await audit.record(admin, "deadlines.holiday_added", "holiday", "2026-04-14")
    await audit.record(admin, "report.threshold_changed", "report_setting", "threshold")
    page = await client.get("/admin/audit")
    assert page.status_code == 200
    rows = ROW.findall(page.text)
    assert len(rows) == 8  # and the admin's sign-in
    expected = [
        ("/admin/statistics", "Statistics"),
        ("/admin/holidays", "2026-04-14"),
        ("/admin/deadlines", "Deadlines"),
        (f"/admin/users/{admin.id}", admin.email),
        ("/admin/agencies", "Agencies"),
        (f"/admin/agencies/{agency.id}/edit", "LIC-0042"),
        (f"/cases/{complaint.id}", "C26-AUDIT01"),
        (f"/admin/users/{admin.id}", admin.email),
    ]
    for row, (url, name) in zip(rows, expected, strict=True):
        assert f'<a href="{url}">{name}</a>' in row
        assert (await client.get(url)).status_code == 200, url
