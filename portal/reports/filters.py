"""The filters of a staff report, any combination of them, turned into the figures'
scopes a report reads: none (every complaint), one filter's (counted ahead), or a
combination's (counted when first asked for, `combinations`); a provincial officer's
are always kept to their provinces."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.access import record_id
from portal.accounts.tables import Organisation
from portal.agencies.tables import Agency
from portal.complaints.tables import Channel, Ground
from portal.i18n import gettext as _
from portal.i18n import local_name
from portal.labour import DESTINATIONS, PROVINCES
from portal.reports import combinations

# The filters a staff report offers, in the order the page lists them.
FILTERS = ("agency", "organisation", "province", "destination", "ground", "channel")


@dataclass
class Scope:
    """Whose complaints a report counts, and what its figures are read from."""

    key: str = ""  # the filters as the audit log writes them: "province:Kandal&channel:web"
    label: str = ""  # the filters in words, for the page and the files
    values: dict[str, str] = field(default_factory=dict)  # the filter form, filled in
    parts: tuple[str, ...] = ("",)  # the figures' scopes, added up (provinces don't overlap)
    preparing: bool = False  # a combination still being counted for the first time


@dataclass(frozen=True)
class Filter:
    part: str  # "agency:12"
    label: str  # "Angkor Recruitment"
    values: dict[str, str]  # how the form shows it


async def _agency(query: dict[str, str]) -> Filter | None:
    if agency_id := record_id(query.get("agency_id", "")):
        row = (
            await Agency.select(Agency.name_en, Agency.name_km)
            .where(Agency.id == agency_id)
            .first()
        )
        return Filter(
            f"agency:{agency_id}", local_name(row["name_en"], row["name_km"]) if row else "", {}
        )
    licence = query.get("agency", "").strip()
    if not licence:
        return None
    row = (
        await Agency.select(Agency.id, Agency.name_en, Agency.name_km)
        .where(Agency.licence_number == licence[:50])
        .first()
    )
    if row is None:
        return None  # a licence no agency has: no filter (the field shows what was typed)
    return Filter(
        f"agency:{row['id']}", local_name(row["name_en"], row["name_km"]), {"agency": licence}
    )


async def _organisation(query: dict[str, str]) -> Filter | None:
    if not (organisation := record_id(query.get("organisation", ""))):
        return None
    row = (
        await Organisation.select(Organisation.name).where(Organisation.id == organisation).first()
    )
    return Filter(
        f"organisation:{organisation}",
        row["name"] if row else "",
        {"organisation": str(organisation)},
    )


def _labelled(query: dict[str, str]) -> list[Filter]:
    labelled = {
        "province": PROVINCES,
        "destination": DESTINATIONS,
        "ground": {g.value: g.msgid for g in Ground},
        "channel": {c.value: c.msgid for c in Channel},
    }
    return [
        Filter(f"{name}:{query[name]}", _(labels[query[name]]), {name: query[name]})
        for name, labels in labelled.items()
        if query.get(name, "") in labels
    ]


async def chosen(query: dict[str, str]) -> list[Filter]:
    """Every filter given that names something, in the order of FILTERS."""
    found = [f for f in (await _agency(query), await _organisation(query)) if f]
    found += _labelled(query)
    return sorted(found, key=lambda f: _order(f.part))


def _order(part: str) -> int:
    """Where a filter ("province:Kandal") stands in FILTERS: a combination's key lists
    its filters in this order, so the same filters always make the same key."""
    return FILTERS.index(part.split(":")[0])


async def _figures_scope(parts: list[str]) -> tuple[str, bool]:
    """The figures' scope of these filters, and whether it is counted yet."""
    if len(parts) < 2:
        return (parts[0] if parts else ""), True
    combined = await combinations.ask("&".join(parts))
    return combined.scope, combined.ready


async def scope_of(query: dict[str, str], provinces: tuple[str, ...] | None = None) -> Scope:
    """The scope of the filters in `query`; for a provincial officer (`provinces`), the
    province chosen among theirs, or each of theirs added up."""
    found = await chosen(query)
    if provinces is not None:
        found = [
            f
            for f in found
            if not f.part.startswith("province:") or f.part.removeprefix("province:") in provinces
        ]
        if not any(f.part.startswith("province:") for f in found):
            return await _each_province(found, provinces)
    figures_scope, ready = await _figures_scope([f.part for f in found])
    return Scope(
        "&".join(f.part for f in found),
        " · ".join(f.label for f in found if f.label),
        {name: value for f in found for name, value in f.values.items()},
        (figures_scope,),
        not ready,
    )


async def _each_province(found: list[Filter], provinces: tuple[str, ...]) -> Scope:
    """A provincial officer's report over all their provinces: each one's figures with the
    other filters, added up."""
    known = [p for p in provinces if p in PROVINCES] or ["-"]  # "-": none at all
    parts, ready = [], True
    for province in known:
        with_province = sorted([*(f.part for f in found), f"province:{province}"], key=_order)
        scope, counted = await _figures_scope(with_province)
        parts.append(scope)
        ready = ready and counted
    labels = [", ".join(_(PROVINCES[p]) for p in known if p in PROVINCES)]
    return Scope(
        "&".join([*(f.part for f in found), "province:" + "|".join(known)]),
        " · ".join(labels + [f.label for f in found if f.label]),
        {name: value for f in found for name, value in f.values.items()},
        tuple(parts),
        not ready,
    )


async def own(name: str, record: int | None) -> Scope:
    """A partner's own organisation ("organisation"), an agency's own agency ("agency"),
    whatever filters they send; none at all when the account has none."""
    field = "organisation" if name == "organisation" else "agency_id"
    named = await chosen({field: str(record or 0)})
    return Scope(
        f"{name}:{record or 0}", named[0].label if named else "", {}, (f"{name}:{record or 0}",)
    )
