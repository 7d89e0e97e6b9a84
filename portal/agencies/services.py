"""The public agency registry: search and one agency's public record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from portal import clock, db, i18n, paging
from portal.access import or_404
from portal.agencies import history, licence, provinces
from portal.agencies.tables import Agency, Association, LicenceStatus
from portal.audit import services as audit
from portal.errors import FormErrors
from portal.forms import (
    CONTROL_CHARACTER_MESSAGE,
    has_control_character,
    is_email_address,
    too_long,
)
from portal.i18n import gettext as _
from portal.labour import DESTINATIONS, PROVINCES, SECTORS

PAGE_SIZE = 25

# What anyone may see of an agency: nothing here is personal data.
PUBLIC_COLUMNS = (
    Agency.id,
    Agency.licence_number,
    Agency.name_en,
    Agency.name_km,
    Agency.licence_status,
    Agency.licence_issued_on,
    Agency.licence_expires_on,
    Agency.association,
    Agency.province,
    Agency.address,
    Agency.phone,
    Agency.email,
    Agency.destinations,
    Agency.sectors,
)


@dataclass(frozen=True)
class RegistryFilters:
    text: str = ""
    province: str = ""
    status: str = ""

    @property
    def active(self) -> bool:
        return bool(self.text or self.province or self.status)


async def search(filters: RegistryFilters, after: str = "") -> tuple[list[dict], str | None]:
    """One page of agencies in licence-number order, and the licence number to continue
    after (None on the last page). The text matches English or Khmer names and licence
    numbers."""
    query = Agency.select(*PUBLIC_COLUMNS).order_by(Agency.licence_number)
    text = filters.text.strip()
    if text:
        query = query.where(
            db.icontains(Agency.name_en, text)
            | db.icontains(Agency.name_km, text)
            | db.icontains(Agency.licence_number, text)
        )
    if filters.province:
        query = query.where(Agency.province == filters.province)
    if filters.status in {s.value for s in LicenceStatus}:
        query = query.where(licence.status_is(filters.status, licence.today()))
    if after:
        query = query.where(Agency.licence_number > after)
    rows, next_after = await paging.fetch(query, PAGE_SIZE, lambda row: row["licence_number"])
    return licence.with_shown_status(rows), next_after


async def unlisted_provinces(limit: int = 100) -> list[dict[str, Any]]:
    """Agencies whose province is still text from before the list (kept by the migration
    when no province matched it), for an admin to choose the province."""
    return await (
        Agency.select(Agency.id, Agency.licence_number, Agency.name_en, Agency.province)
        .where((Agency.province != "") & Agency.province.not_in(list(PROVINCES)))
        .order_by(Agency.licence_number)
        .limit(limit)
    )


async def public_record(agency_id: int) -> dict[str, Any]:
    row = or_404(await Agency.select(*PUBLIC_COLUMNS).where(Agency.id == agency_id).first())
    return licence.with_shown_status([row])[0]


def codes(stored: str) -> list[str]:
    """The codes kept in `destinations` or `sectors` ("TH,MY"; a form sends "TH;MY")."""
    return [code.strip() for code in stored.replace(";", ",").split(",") if code.strip()]


def _clean_codes(text: str, allowed: dict[str, str]) -> tuple[str, list[str]]:
    """Codes written "TH;MY" (a CSV cell) or "TH,MY", kept in the list's order, and the
    ones that are not in the list."""
    given = set(codes(text))
    return ",".join(code for code in allowed if code in given), sorted(given - set(allowed))


# --- the admin's registry management ---------------------------------------------------

CSV_COLUMNS = (
    "licence_number",
    "name_en",
    "name_km",
    "licence_status",
    "licence_issued_on",
    "licence_expires_on",
    "association",
    "province",
    "address",
    "phone",
    "email",
    "destinations",
    "sectors",
)
# Changed by the licence's history (portal/agencies/history.py), not by editing the record.
LICENCE_FIELDS = ("licence_status", "licence_issued_on", "licence_expires_on")
# The longest each text may be: what its column holds (the address, free text: 1,000).
TEXT_LIMITS = {
    name: getattr(Agency, name).length for name in ("name_en", "name_km", "province", "phone")
} | {"address": 1000}


def clean_agency(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The agency's fields from a form or CSV row, and an error message per wrong field."""
    values: dict[str, Any] = {c: (form.get(c) or "").strip() for c in CSV_COLUMNS}
    errors: dict[str, str] = {}
    control = i18n.gettext(CONTROL_CHARACTER_MESSAGE)  # a CSV cell is no form field
    refused = {name: control for name, value in values.items() if has_control_character(value)}
    if not values["licence_number"]:
        errors["licence_number"] = _("Enter the licence number.")
    elif len(values["licence_number"]) > 50:
        errors["licence_number"] = _("A licence number has at most 50 characters.")
    if not values["name_en"]:
        errors["name_en"] = _("Enter the agency's name in English.")
    values["licence_status"] = values["licence_status"] or LicenceStatus.active.value
    if values["licence_status"] not in {s.value for s in LicenceStatus}:
        errors["licence_status"] = _(
            "Licence status must be active, suspended, revoked or expired."
        )
    values["association"] = values["association"] or Association.none.value
    if values["association"] not in {a.value for a in Association}:
        errors["association"] = _("Association must be acra, mac or none.")
    for name in ("licence_issued_on", "licence_expires_on"):
        if values[name]:
            try:
                values[name] = date.fromisoformat(values[name])
            except ValueError:
                errors[name] = _("Write the date as YYYY-MM-DD, for example 2026-01-31.")
        else:
            values[name] = None
    issued, expires = values["licence_issued_on"], values["licence_expires_on"]
    if isinstance(issued, date) and isinstance(expires, date) and expires < issued:
        errors["licence_expires_on"] = _("The licence cannot expire before it was issued.")
    province = provinces.code_for(values["province"][: TEXT_LIMITS["province"] + 1])
    if province is None and len(values["province"]) <= TEXT_LIMITS["province"]:
        errors["province"] = _(
            "Unknown province: %(name)s. Choose one of Cambodia's provinces."
        ) % {"name": values["province"]}
    elif province is not None:
        values["province"] = province
    if values["email"] and not is_email_address(values["email"]):
        errors["email"] = _("Enter an e-mail address like name@example.org.")
    errors = too_long(values, TEXT_LIMITS) | errors | refused
    values["destinations"], unknown = _clean_codes(values["destinations"], DESTINATIONS)
    if unknown:
        errors["destinations"] = _(
            "Unknown destination code: %(codes)s. Use codes from this list: %(allowed)s."
        ) % {"codes": ", ".join(unknown), "allowed": ", ".join(DESTINATIONS)}
    values["sectors"], unknown = _clean_codes(values["sectors"], SECTORS)
    if unknown:
        errors["sectors"] = _(
            "Unknown sector code: %(codes)s. Use codes from this list: %(allowed)s."
        ) % {"codes": ", ".join(unknown), "allowed": ", ".join(SECTORS)}
    return values, errors


async def _licence_taken(licence_number: str, except_id: int | None = None) -> bool:
    query = Agency.exists().where(Agency.licence_number == licence_number)
    if except_id is not None:
        query = query.where(Agency.id != except_id)
    return await query


async def create_agency(actor: Any, form: dict[str, str]) -> Agency:
    values, errors = clean_agency(form)
    if "licence_number" not in errors and await _licence_taken(values["licence_number"]):
        errors["licence_number"] = _("Another agency already has this licence number.")
    if errors:
        raise FormErrors(errors)
    now = clock.now()
    agency = Agency(**values, created_at=now)
    async with db.transaction():
        await agency.save()
        if (issued := history.issued(values)) is not None:
            await history.save_event(agency.id, issued, now)
        await audit.record(actor, "agency.created", "agency", agency.id, values["licence_number"])
    return agency


async def update_agency(actor: Any, agency_id: int, form: dict[str, str]) -> None:
    """Save the agency's details; its licence's status and dates change only by a decision
    in its licence history, so the stored ones are kept."""
    stored = or_404(
        await Agency.select(*(getattr(Agency, name) for name in LICENCE_FIELDS))
        .where(Agency.id == agency_id)
        .first()
    )
    values, errors = clean_agency({**form, **{k: str(v or "") for k, v in stored.items()}})
    if "licence_number" not in errors and await _licence_taken(values["licence_number"], agency_id):
        errors["licence_number"] = _("Another agency already has this licence number.")
    if errors:
        raise FormErrors(errors)
    async with db.transaction():
        await Agency.update({getattr(Agency, k): v for k, v in values.items()}).where(
            Agency.id == agency_id
        )
        await audit.record(actor, "agency.updated", "agency", agency_id, values["licence_number"])
