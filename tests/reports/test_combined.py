"""Staff reports with filters combined: counted in the background (the page says so and
reloads itself, no JavaScript needed), then equal to a plain count, kept right by the
rebuild jobs as complaints come, and never wider than what the reader may see."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl

from portal.audit.tables import AuditEvent
from portal.reports import combinations, figures
from portal.reports.periods import Period, quarter, year
from portal.reports.report import build, load
from tests.reports.test_figures import assert_counted, expected, random_cases
from tests.reports.test_routes import Q2

COMBINED = "province=Kandal&channel=hotline"


async def counted(filters: str) -> str:
    """Ask for a combination and wait for its first count; its figures' scope."""
    for _ in range(200):
        combined = await combinations.ask(filters)
        if combined.ready:
            return combined.scope
        await asyncio.sleep(0.05)
    raise AssertionError(f"{filters} never counted")


async def ready_page(client: Any, url: str) -> Any:
    """The page once its figures are counted (as a browser reloading it would get it)."""
    for _ in range(200):
        response = await client.get(url)
        if "Refresh" not in response.headers:
            return response
        await asyncio.sleep(0.05)
    raise AssertionError(f"{url} still being prepared")


async def test_combined_figures_equal_a_plain_count(make_case, make_agency):
    cases = await random_cases(make_case, make_agency, 160)
    await figures.rebuild_all()
    organisation = next(c["organisation"] for c in cases if c["organisation"])
    agency = cases[0]["agency"]
    combined = [
        f"agency:{agency}&channel:web",
        f"organisation:{organisation}&province:Kandal&ground:unpaid_wages",
        "province:Takeo&destination:TH",
        f"agency:{agency}&organisation:{organisation}&province:Kandal&destination:TH"
        "&ground:unpaid_wages&channel:web",
    ]
    periods = [quarter(2025, 1), quarter(2025, 4), year(2025), Period("x", "2025-02", "2026-01")]
    scopes = {filters: await counted(filters) for filters in combined}
    for rebuilt in (False, True):  # the first count, then the nightly rebuild's
        if rebuilt:
            await figures.rebuild_all()
        for filters, scope in scopes.items():
            for period in periods:
                report = build(period, await load(period, scope), 5, public=False)
                want = expected(cases, period, filters)
                assert_counted(report, want, f"{period.key} {filters} {rebuilt}")
    assert any(expected(cases, year(2025), f)["received"] for f in combined)


async def test_a_combined_report_is_prepared_then_shown(client, as_role, cases):
    await as_role("officer")
    url = f"/reports?{Q2}&{COMBINED}"
    first = await client.get(url)
    assert first.status_code == 200 and first.headers["Refresh"] == "2"  # no JavaScript needed
    assert "are being counted. This page reloads itself" in first.text
    assert "complaints were received" not in first.text
    page = (await ready_page(client, url)).text
    assert "Report: Q2 2025 · Kandal · Hotline" in page
    assert "In Q2 2025, 2 complaints were received (W: 2; M: 0)" in page
    assert "One filter at a time" not in page


async def test_a_new_complaint_shows_in_a_combined_report_after_the_rebuild(
    client,
    as_role,
    make_case,
    cases,
):
    await as_role("officer")
    url = f"/reports?{Q2}&{COMBINED}"
    assert "2 complaints were received" in (await ready_page(client, url)).text
    await make_case(datetime(2025, 6, 2, tzinfo=UTC), channel="hotline", province="Kandal")
    await make_case(datetime(2025, 6, 3, tzinfo=UTC), channel="web", province="Kandal")
    await figures.refresh()  # the job every few minutes
    assert "3 complaints were received" in (await client.get(url)).text
    await make_case(datetime(2025, 4, 2, tzinfo=UTC), channel="hotline", province="Kandal")
    await figures.rebuild_all()  # the nightly one
    assert "4 complaints were received" in (await client.get(url)).text


async def test_downloads_of_a_combined_report_name_every_filter(client, as_role, cases):
    officer = await as_role("officer")
    await ready_page(client, f"/reports?{Q2}&{COMBINED}")
    csv = await client.get(f"/reports/download/csv?{Q2}&{COMBINED}")
    assert (
        "report-2025-Q2-province-Kandal-channel-hotline.csv" in csv.headers["content-disposition"]
    )
    assert "Main figures,received,Complaints received,Q2 2025,2\r\n" in csv.text
    xlsx = await client.get(f"/reports/download/xlsx?{Q2}&{COMBINED}")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.worksheets[0]["A3"].value == "Q2 2025 · Kandal · Hotline"
    events = await AuditEvent.select().where(AuditEvent.action == "report.exported")
    assert [(e["actor"], e["summary"]) for e in events] == [
        (officer.id, f"report, {kind}, 2025-Q2, province:Kandal&channel:hotline"
         " (Kandal · Hotline), en")
        for kind in ("CSV", "XLSX")
    ]  # fmt: skip


async def test_a_download_asked_before_the_count_ends_waits_for_it(client, as_role, cases):
    await as_role("officer")
    waiting = await client.get(f"/reports/download/csv?{Q2}&{COMBINED}&ground=unpaid_wages")
    assert waiting.headers["content-type"].startswith("text/html")
    assert waiting.headers["Refresh"] == "2" and "being counted" in waiting.text
    downloads = await AuditEvent.count().where(AuditEvent.action == "report.exported")
    assert downloads == 0  # nothing downloaded yet
    await counted("province:Kandal&ground:unpaid_wages&channel:hotline")  # let it end


async def test_filters_never_widen_a_partners_or_an_agencys_figures(client, as_role, cases):
    mine, theirs = cases["organisations"]
    await as_role("partner", organisation=mine)
    url = f"/reports?{Q2}&organisation={theirs}&channel=web&province=Kandal"
    page = (await client.get(url)).text
    assert "In Q2 2025, 3 complaints were received" in page  # their own, all of them
    await as_role("agency", agency=cases["agencies"][0])
    page = (await client.get(f"/reports?{Q2}&agency_id={cases['agencies'][1]}&channel=web")).text
    assert "In Q2 2025, 7 complaints were received" in page


async def test_a_provincial_officer_combines_filters_within_their_provinces(
    client,
    as_role,
    make_case,
    cases,
):
    await make_case(datetime(2025, 5, 20, tzinfo=UTC), channel="hotline", province="Kampot")
    await make_case(datetime(2025, 5, 21, tzinfo=UTC), channel="hotline", province="Takeo")
    await figures.rebuild_all()
    await as_role("provincial_officer", provinces="Kandal,Takeo")
    # Kampot is not theirs: their own provinces' hotline complaints, Kandal's 2 and Takeo's 1.
    url = f"/reports?{Q2}&province=Kampot&channel=hotline"
    page = (await ready_page(client, url)).text
    assert "In Q2 2025, 3 complaints were received" in page
    assert 'value="Kampot"' not in page  # the filter offers their provinces only
    page = (await ready_page(client, f"/reports?{Q2}&province=Takeo&channel=hotline")).text
    assert "In Q2 2025, 1 complaints were received" in page


async def test_a_count_stopped_half_way_is_started_again(make_case):
    from portal import db

    await make_case(datetime(2025, 5, 2, tzinfo=UTC), channel="hotline")
    await figures.rebuild_all()
    filters = "province:Kandal&channel:hotline"
    stopped = datetime(2025, 1, 1, tzinfo=UTC)  # a worker stopped while counting, long ago
    await db.insert(
        "report_combination",
        ("filters", "counted", "started_at", "asked_at"),
        [(filters, False, stopped, stopped)],
    )
    scope = await counted(filters)
    assert (await load(quarter(2025, 2), scope)).sums["received", ""] == 1


async def test_a_combination_no_one_asks_for_is_dropped_then_counted_again(make_case, monkeypatch):
    from portal import clock

    await make_case(datetime(2025, 5, 2, tzinfo=UTC), channel="hotline")
    await figures.rebuild_all()
    filters = "province:Kandal&channel:hotline"
    scope = await counted(filters)
    later = clock.now() + timedelta(days=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    await figures.rebuild_all()
    assert (await load(quarter(2025, 2), scope)).sums["received", ""] == 0  # forgotten
    assert not (await combinations.ask(filters)).ready  # counted again when asked
    assert (await load(quarter(2025, 2), await counted(filters))).sums["received", ""] == 1
