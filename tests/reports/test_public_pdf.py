"""The public statistics PDF: made once for the same figures, a page that reloads until
it is ready when the PDF process is busy, and a limit per address."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime

import pytest

from portal.audit.tables import AuditEvent
from portal.reports import figures, pdf, pdf_writer, public_pdf, services
from portal.reports.periods import quarter
from portal.security import STATISTICS_PDF_PER_ADDRESS
from portal.settings import get_settings

Q2 = "/statistics/download/pdf?period=2025-Q2"


@pytest.fixture
async def cases(make_case):
    """Twelve complaints in Q2 2025, and no PDF made yet (earlier tests' are the same)."""
    shutil.rmtree(get_settings().data_dir / "statistics", ignore_errors=True)
    for n in range(12):
        await make_case(datetime(2025, 5, 1 + n, 3, tzinfo=UTC))
    await figures.rebuild_all()


@pytest.fixture
def layouts(monkeypatch):
    """How many PDFs were laid out."""
    made: list[str] = []
    real = public_pdf.write_pdf

    async def counted(html: str) -> bytes:
        made.append(html)
        return await real(html)

    monkeypatch.setattr(public_pdf, "write_pdf", counted)
    return made


async def test_the_same_pdf_is_made_once_and_each_download_is_audited(client, cases, layouts):
    first = await client.get(Q2)
    second = await client.get(Q2)
    for response in (first, second):
        assert response.headers["content-type"] == "application/pdf"
        assert 'filename="statistics-2025-Q2.pdf"' in response.headers["content-disposition"]
    assert first.content == second.content and len(layouts) == 1
    other = await client.get("/statistics/download/pdf?period=2025")
    assert other.headers["content-type"] == "application/pdf" and len(layouts) == 2
    events = await AuditEvent.select().where(AuditEvent.action == "report.exported")
    assert [(e["actor"], e["summary"]) for e in events] == [
        (None, "public statistics, PDF, 2025-Q2, all complaints, km+en"),
        (None, "public statistics, PDF, 2025-Q2, all complaints, km+en"),
        (None, "public statistics, PDF, 2025, all complaints, km+en"),
    ]


async def test_a_busy_pdf_process_gives_a_page_that_reloads_until_ready(client, cases):
    html = await pdf.document(lambda: services.public_report(quarter(2025, 1)))
    other = asyncio.create_task(pdf.write_pdf(html))
    await asyncio.sleep(0)  # its turn: handed to the PDF process
    assert pdf_writer.busy()
    waiting = await client.get(Q2)  # answers at once, not after the other PDF
    assert waiting.status_code == 200 and "text/html" in waiting.headers["content-type"]
    assert "The file is being prepared" in waiting.text
    seconds, again = waiting.headers["refresh"].split("; url=")
    assert int(seconds) > 0 and again == "/statistics/download/pdf?period=2025-Q2&reload=1"
    for _ in range(600):
        reloaded = await client.get(again)
        if reloaded.headers["content-type"] == "application/pdf":
            break
        assert "The file is being prepared" in reloaded.text
        await asyncio.sleep(0.1)
    assert reloaded.content.startswith(b"%PDF")
    await other
    # The reloads were the same download: one audit line.
    assert await AuditEvent.count().where(AuditEvent.action == "report.exported") == 1


async def test_one_address_is_limited_and_another_is_not(client, client_at, cases):
    for _ in range(STATISTICS_PDF_PER_ADDRESS.free):
        assert (await client.get(Q2)).headers["content-type"] == "application/pdf"
    refused = await client.get(Q2)
    assert refused.status_code == 429
    assert "Many downloads have come from your connection." in refused.text
    assert "Wait 1 minute and try again." in refused.text
    # A "being prepared" page's reload still finds the file it was waiting for.
    assert (await client.get(f"{Q2}&reload=1")).headers["content-type"] == "application/pdf"
    elsewhere = await client_at("198.51.100.9")
    assert (await elsewhere.get(Q2)).headers["content-type"] == "application/pdf"
