"""The complaint export: officers and admins only, prepared in the background behind a
page that reloads itself, personal data for admins only and marked so."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from portal.audit.tables import AuditEvent
from portal.reports import case_export
from tests.conftest import post_form


async def _export(client, kind="csv", period="2025-Q2"):
    started = await post_form(client, "/reports/cases", {"period": period, "kind": kind})
    assert started.status_code == 303
    status_page = started.headers["location"]
    for _ in range(100):
        page = await client.get(status_page)
        assert page.status_code == 200
        if "The file is ready." in page.text:
            return await client.get(f"{status_page}/file"), status_page
        assert page.headers["refresh"] == "2" and "being prepared" in page.text
        await asyncio.sleep(0.05)
    raise AssertionError("the export never became ready")


async def test_officers_export_the_cases_of_a_period_without_personal_data(
    client, as_role, make_case
):
    await make_case(datetime(2025, 5, 3, tzinfo=UTC), outcome="compensation",
                    outcome_at=datetime(2025, 6, 1, tzinfo=UTC), compensation=250,
                    currency="USD", reference="C25-MAY-1")  # fmt: skip
    await make_case(datetime(2025, 8, 3, tzinfo=UTC), reference="C25-AUG-1")
    officer = await as_role("officer")
    response, _ = await _export(client)
    text = response.content.decode("utf-8-sig")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "C25-MAY-1" in text and "C25-AUG-1" not in text  # only the period's cases
    assert "250.0" in text and "unpaid_wages" in text
    assert "Private Name" not in text and "personal data" not in text
    events = await AuditEvent.select().where(AuditEvent.action == case_export.EXPORTED)
    assert [(e["actor"], e["summary"]) for e in events] == [
        (officer.id, "complaint export, CSV, 2025-Q2, all complaints")
    ]


async def test_admins_get_personal_data_marked_so(client, as_role, make_case):
    await make_case(datetime(2025, 5, 3, tzinfo=UTC))
    await as_role("admin")
    response, _ = await _export(client, kind="xlsx")
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert "complainant_name (personal data)" in header
    assert "Private Name" in [cell.value for cell in sheet[2]]


async def test_an_export_is_its_owners_only(client, as_role, make_user, make_case):
    from tests.conftest import sign_in

    await make_case(datetime(2025, 5, 3, tzinfo=UTC))
    await as_role("officer")
    _, status_page = await _export(client)
    client.cookies.clear()
    await sign_in(client, await make_user("officer"))
    assert (await client.get(status_page)).status_code == 404
    assert (await client.get(f"{status_page}/file")).status_code == 404


@pytest.mark.parametrize("role", ["partner", "agency", "committee"])
async def test_only_officers_and_admins_export_cases(client, as_role, role):
    await as_role(role)
    assert (await client.get("/reports/cases")).status_code == 404
    assert (await post_form(client, "/reports/cases", {"kind": "csv"})).status_code == 404


async def test_a_file_being_prepared_shows_a_page_that_reloads_itself(client, as_role):
    officer = await as_role("officer")
    token = "t" * 22
    case_export.file_of(officer.id, token, "xlsx").with_suffix(".part").touch()
    page = await client.get(f"/reports/cases/xlsx/{token}")
    assert page.status_code == 200 and page.headers["refresh"] == "2"
    assert "The file is being prepared." in page.text
    assert (await client.get(f"/reports/cases/xlsx/{token}/file")).status_code == 404
