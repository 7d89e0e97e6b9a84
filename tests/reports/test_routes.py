"""What /statistics and /reports show and what their downloads hold (who may reach each
route, and whose figures each reader gets: tests/complaints/test_access_matrix.py)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import openpyxl
import pypdf

from portal.audit.tables import AuditEvent
from portal.reports import figures
from tests.conftest import post_form

Q2 = "period=2025-Q2"
ROW = re.compile(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td>')


def rows(html: str) -> set[tuple[str, str]]:
    return set(ROW.findall(html))


async def test_anyone_sees_statistics_with_small_counts_hidden(client, cases):
    page = (await client.get(f"/statistics?{Q2}")).text
    assert "In Q2 2025, 14 complaints were received (W: 8; M: 6)" in page
    assert ("Hotline", "fewer than 5") in rows(page)
    assert ("Web form", "12") not in rows(page)  # else 14 - 12 gives the hotline's 2
    assert "US$ 6,000" in page
    for private in ("Private Name", "Private story", "R0000001"):
        assert private not in page
    assert 'href="/statistics"' in page  # in the header, for everyone


async def test_the_public_page_in_khmer_writes_khmer_digits(client, cases):
    page = (await client.get(f"/statistics?{Q2}&lang=km")).text
    assert "១៤" in page and '<html lang="km">' in page


async def test_staff_see_every_count_with_a_filter_and_the_previous_period(client, as_role, cases):
    await as_role("officer")
    page = (await client.get(f"/reports?{Q2}")).text
    assert ("Hotline", "2") in rows(page) and ("Web form", "12") in rows(page)
    assert "Previous period (Q1 2025)" in page
    filtered = (await client.get(f"/reports?{Q2}&channel=hotline")).text
    assert "In Q2 2025, 2 complaints were received (W: 2; M: 0)" in filtered


async def test_the_admin_sets_the_threshold(client, as_role, cases):
    await as_role("admin")
    refused = await post_form(client, "/admin/statistics", {"threshold": "1"})
    assert refused.status_code == 400
    assert 'value="1"' in refused.text and "Enter a whole number from 2 to 50." in refused.text
    saved = await post_form(client, "/admin/statistics", {"threshold": "2"})
    assert saved.status_code == 303
    page = (await client.get(f"/statistics?{Q2}")).text
    assert ("Hotline", "2") in rows(page)


async def test_csv_has_a_bom_and_no_formula(client, as_role, make_case):
    await make_case(datetime(2025, 5, 2, tzinfo=UTC), province="=HYPERLINK(1)")
    await figures.rebuild_all()
    await as_role("officer")
    content = (await client.get(f"/reports/download/csv?{Q2}")).content
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


async def test_xlsx_holds_the_numbers_of_the_page(client, as_role, cases):
    await as_role("officer")
    page = rows((await client.get(f"/reports?{Q2}")).text)
    book = openpyxl.load_workbook(
        io.BytesIO((await client.get(f"/reports/download/xlsx?{Q2}")).content)
    )
    compared = 0
    for sheet in book.worksheets[1:]:  # the first holds the main figures, laid out apart
        for label, value, *_ in sheet.iter_rows(min_row=5, values_only=True):
            if label and label != "Total":
                assert isinstance(value, int | float), (sheet.title, label, value)
                assert (label, f"{value:,}") in page, (sheet.title, label, value)
                compared += 1
    assert compared > 10


async def test_the_pdf_is_bilingual_with_embedded_fonts(client, cases):
    response = await client.get(f"/statistics/download/pdf?{Q2}")
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # pypdf puts spaces around Khmer vowel signs it reads back as separate glyphs
    khmer = re.sub(r"\s", "", text)
    assert "Complaint statistics" in text and "ស្ថិតិពាក្យបណ្ដឹង" in khmer
    assert "14 complaints were received" in text and "១៤" in text
    assert f"1 / {len(reader.pages)}" in text  # page numbers
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = (
                font.get_object().get("/FontDescriptor")
                or font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            assert any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )


async def test_every_download_is_in_the_audit_log(client, as_role, cases):
    officer = await as_role("officer")
    for kind in ("csv", "xlsx"):
        assert (await client.get(f"/reports/download/{kind}?{Q2}&channel=web")).status_code == 200
    assert (await client.get("/reports/download/doc")).status_code == 404
    events = await AuditEvent.select().where(AuditEvent.action == "report.exported")
    assert [(e["actor"], e["summary"]) for e in events] == [
        (officer.id, "report, CSV, 2025-Q2, channel:web (Web form), en"),
        (officer.id, "report, XLSX, 2025-Q2, channel:web (Web form), en"),
    ]
    await as_role("admin")
    log = (await client.get("/admin/audit?action=report.exported&lang=km")).text
    assert "បានទាញយករបាយការណ៍ ឬស្ថិតិ" in log  # the action in words, in Khmer
    assert "report, XLSX, 2025-Q2, channel:web (Web form), en" in log


async def test_a_ministry_viewer_reads_every_figure_and_the_coc_picture(client, as_role, cases):
    await as_role("ministry_viewer")
    page = (await client.get(f"/reports?{Q2}&channel=hotline")).text
    assert "In Q2 2025, 2 complaints were received" in page
    assert 'href="/reports/cases"' not in page  # the case export holds personal data
