"""The bilingual PDF: the report in Khmer, then in English, after a title page, laid out
by WeasyPrint (Pango shapes the Khmer with the bundled Noto Sans Khmer) in a process of
its own (`pdf_writer`), so producing it never holds up the pages other people load."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path

from jinja2 import Environment

from portal import clock, i18n
from portal.i18n import digits
from portal.reports.charts import charts_of
from portal.reports.pdf_writer import write_elsewhere
from portal.reports.report import money_text, shown
from portal.reports.services import ReportPage
from portal.settings import PROJECT_ROOT
from portal.templating import build_environment

# The whole faces, Latin letters included (the web's are subset to Khmer: bin/subset-fonts).
FONTS = Path(__file__).parent / "fonts"
FONT = FONTS / "noto-sans-khmer-khmer-400-normal.woff2"
FONT_BOLD = FONTS / "noto-sans-khmer-khmer-700-normal.woff2"
LANGUAGES = ("km", "en")


@cache
def _environment() -> Environment:
    return build_environment()


def _html(pages: dict[str, ReportPage]) -> str:
    """The document: a title page and each language's report, each rendered in its own
    language (the templates' gettext reads the current language as they run)."""
    parts, titles = [], []
    for language in LANGUAGES:
        token = i18n.current_language.set(language)
        try:
            page = pages[language]
            limit = page.report.threshold
            context = {
                "page": page,
                "report": page.report,
                "produced": digits(i18n.format_date(clock.now())),
                "show": lambda cell, limit=limit: shown(cell, limit),
                "charts": charts_of(page),
                "language": language,
                "digits": digits,
                "money_text": money_text,
            }
            titles.append(_environment().get_template("reports/pdf_title.html").render(context))
            parts.append(_environment().get_template("reports/pdf_part.html").render(context))
        finally:
            i18n.current_language.reset(token)
    return (
        _environment()
        .get_template("reports/pdf.html")
        .render(parts=parts, titles=titles, font=FONT.as_uri(), font_bold=FONT_BOLD.as_uri())
    )


async def to_pdf(build: Callable[[], Awaitable[ReportPage]]) -> bytes:
    """The PDF of a report: `build()` is called once per language, the layout runs in the
    PDF process."""
    return await write_pdf(await document(build))


async def write_pdf(html: str) -> bytes:
    """Lay a `document()` out as a PDF, in the PDF process."""
    return await write_elsewhere(html, str(PROJECT_ROOT))


async def document(build: Callable[[], Awaitable[ReportPage]]) -> str:
    """The HTML the PDF is laid out from (quick: the layout is what takes seconds)."""
    pages = {}
    for language in LANGUAGES:
        token = i18n.current_language.set(language)
        try:
            pages[language] = await build()
        finally:
            i18n.current_language.reset(token)
    return _html(pages)
