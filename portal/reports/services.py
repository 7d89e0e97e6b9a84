"""Who sees which report: the public's suppressed statistics, staff's full figures with a
filter, a partner's own organisation, an agency's own agency; the threshold setting;
and the audit line every download leaves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal import db
from portal.access import record_id
from portal.accounts.tables import Organisation
from portal.agencies.tables import Agency
from portal.audit import services as audit
from portal.audit.actions import Action
from portal.complaints import access
from portal.complaints.tables import Channel, Ground
from portal.core.roles import Role
from portal.i18n import gettext as _
from portal.i18n import local_name
from portal.labour import DESTINATIONS, PROVINCES
from portal.reports import coc
from portal.reports.across import follow_quarters
from portal.reports.periods import Period
from portal.reports.report import Figures, Report, build, load, threshold

# Who reads every complaint's figures, with filters and the COC picture.
STAFF = (Role.officer, Role.committee, Role.admin, Role.ministry_viewer)
EXPORTED = Action.report_exported.value  # the audit action of a download
# The filters a staff report offers, in the order one is taken when several are given.
FILTERS = ("agency", "organisation", "province", "destination", "ground", "channel")
MIN_THRESHOLD, MAX_THRESHOLD = 2, 50


@dataclass
class Scope:
    """Whose complaints a report counts: "" for all, or one filter ("province:Kandal")."""

    key: str = ""
    label: str = ""  # the filter in words, for the page and the files
    values: dict[str, str] = field(default_factory=dict)  # the filter form, filled in
    parts: tuple[str, ...] = ()  # scopes summed together (a provincial officer's provinces)


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
    """A signed-in user's report: staff see every complaint (or one filter's), with the
    previous period beside it; partner staff their organisation's, agency staff their
    agency's, with its ratings; provincial officers their provinces'."""
    limit = await threshold()
    if (provinces := access.provinces_of(user)) is not None:
        scope = _provincial_scope(query, provinces)
    elif user.role == Role.partner:
        scope = await _scope({"organisation": str(user.organisation_id or 0)})
    elif user.role == Role.agency:
        scope = await _scope({"agency_id": str(user.agency_id or 0)})
    else:
        scope = await _scope(query)
    figures = await _load(period, scope)
    previous = await _load(period.previous(), scope)
    report = build(period, figures, limit, public=False, previous=previous)
    staff = user.role in STAFF
    cycles = await coc.pictures(limit, public=False) if staff and not scope.key else []
    ratings = await coc.agency_ratings(user.agency_id) if user.role == Role.agency else []
    return ReportPage(report, scope, cycles, ratings)


async def _load(period: Period, scope: Scope) -> Figures:
    """A scope's figures: one scope's, or its parts' added up (each complaint counts in
    one province, so the sum counts none twice)."""
    if not scope.parts:
        return await load(period, scope.key)
    total = Figures()
    for part in scope.parts:
        found = await load(period, part)
        total.sums.update(found.sums)
        for month, counts in found.monthly.items():
            total.monthly[month].update(counts)
    return total


def _provincial_scope(query: dict[str, str], provinces: tuple[str, ...]) -> Scope:
    """One of the officer's provinces if they chose it, else all of them together."""
    chosen = query.get("province", "")
    if chosen in provinces and chosen in PROVINCES:
        return Scope(f"province:{chosen}", _(PROVINCES[chosen]), {"province": chosen})
    known = [p for p in provinces if p in PROVINCES]
    parts = tuple(f"province:{p}" for p in known) or ("province:-",)  # "-": none at all
    return Scope("+".join(parts), ", ".join(_(PROVINCES[p]) for p in known), {}, parts)


async def _scope(query: dict[str, str]) -> Scope:
    """The first filter given that names something; none when none does."""
    if agency_id := record_id(query.get("agency_id", "")):
        row = (
            await Agency.select(Agency.name_en, Agency.name_km)
            .where(Agency.id == agency_id)
            .first()
        )
        return Scope(
            f"agency:{agency_id}", local_name(row["name_en"], row["name_km"]) if row else ""
        )
    licence = query.get("agency", "").strip()
    if licence:
        row = (
            await Agency.select(Agency.id, Agency.name_en, Agency.name_km)
            .where(Agency.licence_number == licence[:50])
            .first()
        )
        if row:
            name = local_name(row["name_en"], row["name_km"])
            return Scope(f"agency:{row['id']}", name, {"agency": licence})
    if organisation := record_id(query.get("organisation", "")):
        row = (
            await Organisation.select(Organisation.name)
            .where(Organisation.id == organisation)
            .first()
        )
        return Scope(
            f"organisation:{organisation}",
            row["name"] if row else "",
            {"organisation": str(organisation)},
        )
    labelled = {
        "province": PROVINCES,
        "destination": DESTINATIONS,
        "ground": {g.value: g.msgid for g in Ground},
        "channel": {c.value: c.msgid for c in Channel},
    }
    for name, labels in labelled.items():
        value = query.get(name, "")
        if value in labels:
            return Scope(f"{name}:{value}", _(labels[value]), {name: value})
    return Scope()


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
    language, e.g. "public statistics, PDF, 2025-Q2, all complaints, km+en"."""
    report = "public statistics" if page.report.public else "report"
    scope = page.scope
    counted = f"{scope.key} ({scope.label})" if scope.key else "all complaints"
    summary = f"{report}, {kind.upper()}, {page.report.period.key}, {counted}, {language}"
    await audit.record(actor, EXPORTED, "report", page.report.period.key, summary)
