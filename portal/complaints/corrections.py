"""Correcting a case's facts: the wrong agency picked, an unlicensed broker later linked to
a licensed agency, a typo in the destination. Every correction carries a reason, and its
old and new values go on the officers' timeline and in the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import StringField, ValidationError

from portal import clock, db
from portal.audit import services as audit
from portal.complaints import agency_lookup, services
from portal.complaints.forms import (
    FACTS,
    KEEP_NAME_SHORT,
    KEEP_TEXT_SHORT,
    MAX_NAME,
    MAX_TEXT,
    ComplaintForm,
    _choice,
    _text,
)
from portal.complaints.tables import Audience, Complaint
from portal.errors import FormErrors
from portal.forms import PortalForm, _l
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.labour import DESTINATIONS, PROVINCES, SECTORS


class CorrectionForm(PortalForm):
    """The facts an officer may correct, shown filled in with the case's current ones."""

    licence_number = _text(50, KEEP_NAME_SHORT)
    broker_name = _text(MAX_NAME, KEEP_NAME_SHORT)
    destination = _choice(["", *DESTINATIONS], _l("Choose a country from the list."), default="")
    sector = _choice(["", *SECTORS], _l("Choose the kind of work."), default="")
    province = _choice(["", *PROVINCES], _l("Choose a province from the list."), default="")
    employer_name = ComplaintForm.employer_name
    employer_country = ComplaintForm.employer_country
    employer_city = ComplaintForm.employer_city
    recruited_on = ComplaintForm.recruited_on
    departed_on = ComplaintForm.departed_on
    subagent_name = ComplaintForm.subagent_name
    subagent_phone = ComplaintForm.subagent_phone
    subagent_village = ComplaintForm.subagent_village
    correction_reason = _text(MAX_TEXT, KEEP_TEXT_SHORT, required=_l("Write something here."))
    validate_departed_on = ComplaintForm.validate_departed_on

    def validate_broker_name(self, field: StringField) -> None:
        if not field.data and not self.licence_number.data:
            raise ValidationError(_l("Give the agency's licence number, or the broker's name."))


# The columns a correction may change, as the form names them (the agency aside).
FACT_COLUMNS = ("broker_name", "destination", "sector", "province", *FACTS)

# How each fact is named on the timeline.
FACT_LABELS = {
    "agency": N_("Agency"),
    "broker_name": N_("Broker named by the complainant"),
    "destination": N_("Country of work"),
    "sector": N_("Kind of work"),
    "province": N_("Home province"),
    "employer_name": N_("Employer abroad"),
    "employer_country": N_("Employer's country"),
    "employer_city": N_("Employer's city"),
    "recruited_on": N_("Date of recruitment"),
    "departed_on": N_("Date of departure"),
    "subagent_name": N_("Sub-agent or broker"),
    "subagent_phone": N_("Sub-agent's phone"),
    "subagent_village": N_("Sub-agent's village"),
}


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return value.isoformat() if isinstance(value, date) else str(value)


def current_values(case: dict[str, Any]) -> dict[str, str]:
    """The case's facts as the correction form shows them."""
    values = {name: "" if case[name] is None else str(case[name]) for name in FACT_COLUMNS}
    values["licence_number"] = case.get("licence_number") or ""
    return values


async def _agency(licence_number: str) -> dict[str, Any] | None:
    if not licence_number:
        return None
    found = await agency_lookup.by_licence_number(licence_number)
    if found is None:
        raise FormErrors(
            {"licence_number": _("No agency in the registry has this licence number.")}
        )
    return found


async def correct_facts(user: Any, case: dict[str, Any], form: CorrectionForm) -> str:
    """Store the corrected facts; the changes (old → new) with the reason go on the
    timeline and in the audit log together with them."""
    agency = await _agency(form.licence_number.data)
    new = {name: form[name].data for name in FACT_COLUMNS}
    changes = {
        name: (case[name], value)
        for name, value in new.items()
        if _shown(case[name]) != _shown(value)
    }
    if (agency["id"] if agency else None) != case["agency"]:
        changes["agency"] = (
            case.get("licence_number"),
            agency["licence_number"] if agency else None,
        )
        new["agency"] = agency["id"] if agency else None
    if not changes:
        return N_("Nothing changed.")
    lines = [f"{name}: {_shown(old)} → {_shown(value)}" for name, (old, value) in changes.items()]
    shown = [
        f"{_(FACT_LABELS[name])}: {_shown(old)} → {_shown(value)}"
        for name, (old, value) in changes.items()
    ]
    reason = form.correction_reason.data
    now = clock.now()
    values = {getattr(Complaint, name): new[name] for name in changes}
    async with db.transaction():
        await Complaint.update({**values, Complaint.updated_at: now}).where(
            Complaint.id == case["id"]
        )
        body = "\n".join([reason, *shown])
        await services.add_event(case["id"], "facts_corrected", Audience.internal, now, user, body)
        await audit.record(
            user, "complaint.facts_corrected", "complaint", case["reference"], "; ".join(lines)
        )
    return N_("The facts have been corrected.")
