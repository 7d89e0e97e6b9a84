"""Who sees which report: the public's suppressed statistics, staff's full figures with a
filter, a partner's own organisation, an agency's own agency; the threshold setting;
and the audit line every download leaves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal import db
from portal.accounts.tables import Organisation
from portal.audit import services as audit
from portal.audit.actions import Action
from portal.complaints import access
from portal.core.roles import Role
from portal.reports import coc, filters
from portal.reports.across import follow_quarters
from portal.reports.filters import Scope
from portal.reports.periods import Period
from portal.reports.report import Figures, Report, build, load, threshold

# Who reads every complaint's figures, with filters and the COC picture.
STAFF = (Role.officer, Role.committee, Role.admin, Role.ministry_viewer)
EXPORTED = Action.report_exported.value  # the audit action of a download
MIN_THRESHOLD, MAX_THRESHOLD = 2, 50


@dataclass
class ReportPage:
    report: Report
    scope: Scope
    cycles: list[coc.CyclePicture]
    ratings: list[dict[str, Any]]  # an agency's own, for its staff


async def public_report(period: Period) -> ReportPage:
    """The statistics anyone may read: every complaint, small cells suppressed; a period
    longer than a quarter as its quarters are (see `across`)."""
    limit = await threshold()
    quarters = period.quarters()
    if len(period.months) != 3 * len(quarters):
        raise ValueError(f"{period.key}: public periods are whole quarters (periods.parse)")
    if len(quarters) > 1:
        report = build(period, await load(period), limit, public=False)
        report.public = True
        parts = [build(q, await load(q), limit, public=True) for q in quarters]
        follow_quarters(report, parts, limit)
    else:
        report = build(period, await load(period), limit, public=True)
    return ReportPage(report, Scope(), await coc.pictures(limit, public=True), [])


async def staff_report(user: Any, period: Period, query: dict[str, str]) -> ReportPage:
    """A signed-in user's report: staff see every complaint (or those the filters keep,
    in any combination), with the previous period beside it; partner staff their
    organisation's, agency staff their agency's, with its ratings; provincial officers
    their provinces' (with the filters they choose). A combination not yet counted gives
    a page that says it is being prepared."""
    limit = await threshold()
    if (provinces := access.provinces_of(user)) is not None:
        scope = await filters.scope_of(query, provinces)
    elif user.role == Role.partner:
        scope = await filters.own("organisation", user.organisation_id)
    elif user.role == Role.agency:
        scope = await filters.own("agency", user.agency_id)
    else:
        scope = await filters.scope_of(query)
    if scope.preparing:
        return ReportPage(build(period, Figures(), limit, public=False), scope, [], [])
    figures = await _load(period, scope)
    previous = await _load(period.previous(), scope)
    report = build(period, figures, limit, public=False, previous=previous)
    staff = user.role in STAFF
    cycles = await coc.pictures(limit, public=False) if staff and not scope.key else []
    ratings = await coc.agency_ratings(user.agency_id) if user.role == Role.agency else []
    return ReportPage(report, scope, cycles, ratings)


async def _load(period: Period, scope: Scope) -> Figures:
    """A scope's figures: its parts' added up (each complaint counts in one province, so
    a provincial officer's sum counts none twice)."""
    if len(scope.parts) == 1:
        return await load(period, scope.parts[0])
    total = Figures()
    for part in scope.parts:
        found = await load(period, part)
        total.sums.update(found.sums)
        for month, counts in found.monthly.items():
            total.monthly[month].update(counts)
    return total


async def organisations() -> list[tuple[str, str]]:
    rows = await Organisation.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    return [(str(row["id"]), row["name"]) for row in rows]


async def save_threshold(actor: Any, value: int) -> None:
    """Set the smallest count the public statistics show (checked by ThresholdForm)."""
    async with db.transaction():
        await db.insert(
            "report_setting",
            ("key", "value"),
            [("suppression_threshold", str(value))],
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        await audit.record(
            actor,
            Action.report_threshold_changed.value,
            "report_setting",
            "suppression_threshold",
            str(value),
        )


async def record_export(actor: Any, kind: str, page: ReportPage, language: str) -> None:
    """Write a download in the audit log: who, which report, format, period, filter and
    language, e.g. "public statistics, PDF, 2025-Q2, all complaints, km+en", or with
    every filter: "report, CSV, 2025-Q2, province:Kandal&channel:web (Kandal · Web form), en"."""
    report = "public statistics" if page.report.public else "report"
    scope = page.scope
    counted = f"{scope.key} ({scope.label})" if scope.key else "all complaints"
    summary = f"{report}, {kind.upper()}, {page.report.period.key}, {counted}, {language}"
    await audit.record(actor, EXPORTED, "report", page.report.period.key, summary)
