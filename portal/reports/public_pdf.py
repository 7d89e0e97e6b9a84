"""The public statistics as a PDF: made once for the same figures, period and language
(kept in the data directory, so every web worker finds it), made in the background when
the PDF process is busy (the asker sees a page that reloads until it is ready), and
asked for from one address only so often."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from portal import clock, security
from portal.reports import background, pdf_writer, services
from portal.reports.pdf import document, write_pdf
from portal.reports.periods import Period
from portal.reports.services import ReportPage
from portal.settings import get_settings

LANGUAGE = "km+en"  # the public PDF holds both languages
# A ".part" older than this was left by a worker that stopped half-way: make it again.
STALE = timedelta(minutes=2)


@dataclass(frozen=True)
class PublicPdf:
    page: ReportPage  # the English report, for the audit line
    html: str
    path: Path  # named by period, language and the document's digest

    @property
    def ready(self) -> bool:
        return self.path.exists()

    @property
    def preparing(self) -> bool:
        try:
            age = time.time() - self.path.with_suffix(".part").stat().st_mtime
        except FileNotFoundError:
            return False
        return age < STALE.total_seconds()


def _folder() -> Path:
    folder = get_settings().data_dir / "statistics"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def _wanted(period: Period) -> PublicPdf:
    """The document for today's figures: the same figures make the same file name."""
    pages: list[ReportPage] = []

    async def build() -> ReportPage:
        pages.append(await services.public_report(period))
        return pages[-1]

    html = await document(build)
    digest = hashlib.sha256(html.encode()).hexdigest()[:24]
    path = _folder() / f"statistics-{period.key}-{LANGUAGE}-{digest}.pdf"
    return PublicPdf(pages[-1], html, path)


async def _make(wanted: PublicPdf) -> None:
    """Write the PDF (its ".part" says it is under way) and drop the period's older ones."""
    part = wanted.path.with_suffix(".part")
    part.touch()
    try:
        partial = wanted.path.with_suffix(".tmp")
        partial.write_bytes(await write_pdf(wanted.html))
        partial.replace(wanted.path)  # whole, or not there: no worker serves half a file
        prefix = wanted.path.name.rsplit("-", 1)[0]
        for older in _folder().glob(f"{prefix}-*.pdf"):
            if older != wanted.path:
                older.unlink(missing_ok=True)
    finally:
        part.unlink(missing_ok=True)


async def ask(actor: Any, period: Period, address: str, reload: bool) -> PublicPdf:
    """The period's PDF: ready, or being prepared (ask again with `reload` to find it).
    Anything but a reload of the "being prepared" page counts against the address's
    limit (TooSoon when over it) and is written in the audit log."""
    wanted = await _wanted(period)
    if reload and (wanted.ready or wanted.preparing):
        return wanted
    limit = security.STATISTICS_PDF_PER_ADDRESS
    await security.attempt([(limit, security.address_key(address))], clock.now())
    await services.record_export(actor, "pdf", wanted.page, LANGUAGE)
    if wanted.ready or wanted.preparing:
        return wanted
    if pdf_writer.busy():  # it would wait its turn: the asker gets a page that reloads
        background.start(_make(wanted), f"statistics PDF {wanted.path.name}")
        wanted.path.with_suffix(".part").touch()
    else:
        await _make(wanted)
    return wanted
