"""Which agency a complaint is about: suggestions while typing, and the agency the
complainant means (a pick from a list, a licence number, a name, or an unlisted broker)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal import db
from portal.access import record_id
from portal.agencies import licence
from portal.agencies.tables import Agency
from portal.forms import has_control_character
from portal.i18n import gettext as _

MAX_NAME = 200
SUGGESTIONS = 10
# What a suggestion shows: the name, the licence number and the licence's status.
SHOWN = (Agency.id, Agency.name_en, Agency.name_km, Agency.licence_number, *licence.COLUMNS)


async def suggest_agencies(text: str) -> list[dict[str, Any]]:
    """Registry agencies with every word typed somewhere in their English or Khmer name
    or their licence number (at most 10), for the suggestions shown while typing:
    "Overseas", "មេគង្គ" (inside a Khmer name written without spaces), "0102". A plain
    scan: a few thousand agencies take a millisecond or two."""
    words = text.replace("%", "").replace("_", "").split()[:5]  # typed text, not wildcards
    if len("".join(words)) < 2:
        return []
    query = Agency.select(*SHOWN)
    for word in words:
        word = word[:100]
        query = query.where(
            db.icontains(Agency.name_en, word)
            | db.icontains(Agency.name_km, word)
            | db.icontains(Agency.licence_number, word)
        )
    return licence.with_shown_status(await query.order_by(Agency.name_en).limit(SUGGESTIONS))


@dataclass
class AgencyChoice:
    agency_id: int | None = None
    broker_name: str = ""
    matches: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    offer_unlisted: bool = False


async def by_licence_number(text: str) -> dict[str, Any] | None:
    """The agency (id, licence_number) whose licence number is `text`, in capitals or as
    typed."""
    for number in dict.fromkeys((text.upper(), text)):
        exact = await db.select(
            "SELECT id, licence_number FROM agency WHERE licence_number = {}", number
        )
        if exact:
            return exact[0]
    return None


async def resolve_agency(values: dict[str, str]) -> AgencyChoice:
    """Which agency the complainant means: one picked from a list, an exact licence
    number, or the only agency whose name matches; else the matches to choose from, or
    (none found) the typed name as an unlicensed broker once they say so."""
    text = (values.get("agency_query") or "").strip()[:MAX_NAME]
    if has_control_character(text):
        return AgencyChoice()  # not a name to look up; the form's check says why
    picked = record_id(values.get("agency_id", ""))
    if picked:
        row = await Agency.select(*SHOWN).where(Agency.id == picked).first()
        if row:  # listed, so the form shows the choice again if it comes back
            return AgencyChoice(agency_id=row["id"], matches=licence.with_shown_status([row]))
    if values.get("agency_unlisted") and text:
        return AgencyChoice(broker_name=text)
    if not text:
        return AgencyChoice(error=_("Give the agency's name or licence number."))
    exact = await by_licence_number(text)
    if exact:
        return AgencyChoice(agency_id=exact["id"])
    found = licence.with_shown_status(
        await Agency.select(*SHOWN)
        .where(db.icontains(Agency.name_en, text) | db.icontains(Agency.name_km, text))
        .order_by(Agency.name_en)
        .limit(SUGGESTIONS + 1)
    )
    wanted = text.casefold()
    same = [a for a in found if wanted in (a["name_en"].casefold(), a["name_km"].casefold())]
    if len(same) == 1:
        return AgencyChoice(agency_id=same[0]["id"])
    if len(found) == 1:
        return AgencyChoice(agency_id=found[0]["id"])
    if found:
        return AgencyChoice(
            matches=found[:SUGGESTIONS],
            error=_("Several agencies match. Choose yours below, or type more of its name."),
        )
    return AgencyChoice(
        error=_(
            "No agency in the registry matches. Check the spelling, or tick the box below "
            "if the broker is not in the registry."
        ),
        offer_unlisted=True,
    )
