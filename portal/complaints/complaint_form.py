"""The complaint form: what the browser sent (a draft the page can show again), one
more worker block for a group complaint, and every rule a filing must pass."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from portal import security, uploads
from portal.complaints import services
from portal.complaints.agency_lookup import AgencyChoice, resolve_agency
from portal.complaints.tables import (
    AgeBand,
    Channel,
    ContactPreference,
    Currency,
    Disability,
    Filer,
    Ground,
    Sex,
)
from portal.errors import DomainError, FormErrors
from portal.i18n import gettext as _
from portal.labour import DESTINATIONS, PROVINCES, SECTORS

MAX_WORKERS = 50
MAX_NAME = 200
MAX_DESCRIPTION = 5000
MAX_AMOUNT = Decimal("1000000000000")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WORKER_FIELDS = ("name", "sex", "age_band", "disability", "lgbtqia")


# --- the form as sent -----------------------------------------------------------------


@dataclass
class Draft:
    """The intake form as the browser sent it: what the page needs to show it again."""

    values: dict[str, str]
    grounds: list[str]
    workers: list[dict[str, str]]
    files: list[uploads.Upload] = field(default_factory=list)

    @property
    def form_token(self) -> str:
        return self.values.get("form_token", "")


def read_form(form: Any, files: list[uploads.Upload] | None = None) -> Draft:
    """The text fields, the grounds ticked and the worker blocks of a submitted form."""
    values = {
        key: str(value).strip()
        for key, value in form.items()
        if isinstance(value, str) and not key.startswith("worker-")
    }
    grounds = [str(g) for g in form.getall("grounds")] if "grounds" in form else []
    try:
        count = int(values.get("workers", "1"))
    except ValueError:
        count = 1
    count = min(max(count, 1), MAX_WORKERS)
    workers = []
    for i in range(count):
        worker = {name: str(form.get(f"worker-{i}-{name}") or "").strip() for name in WORKER_FIELDS}
        workers.append(worker)
    return Draft(values=values, grounds=grounds, workers=workers, files=files or [])


def blank_draft() -> Draft:
    """A new form: one worker, a fresh one-time token (one filing per token)."""
    return Draft(
        values={
            "form_token": security.new_token(),
            "share_identity": "no",
            "claim_currency": "USD",
        },
        grounds=[],
        workers=[dict.fromkeys(WORKER_FIELDS, "")],
    )


def add_worker(draft: Draft) -> dict[str, str]:
    """One more worker block (a group complaint), everything else kept; errors if full."""
    if len(draft.workers) >= MAX_WORKERS:
        return {
            "workers": _(
                "A complaint can name at most %(n)d workers. File another one for the others."
            )
            % {"n": MAX_WORKERS}
        }
    draft.workers.append(dict.fromkeys(WORKER_FIELDS, ""))
    return {}


# --- the rules -------------------------------------------------------------------------


@dataclass
class Filing:
    """A checked complaint, ready to be stored."""

    columns: dict[str, Any]
    workers: list[dict[str, Any]]
    grounds: list[str]
    files: list[tuple[uploads.Upload, str]]


class IntakeRefused(FormErrors):
    """Field errors, plus what the form needs to offer the next step for the agency."""

    def __init__(self, errors: dict[str, str], agency: AgencyChoice) -> None:
        super().__init__(errors)
        self.agency = agency


def _choice(value: str, allowed: Any) -> str | None:
    return value if value in {str(v) for v in allowed} else None


def _amount(text: str) -> Decimal | None:
    cleaned = text.replace(",", "").replace(" ", "")
    if not cleaned:
        return None
    number = Decimal(cleaned)  # InvalidOperation for anything but a number
    if not number.is_finite() or number < 0 or number >= MAX_AMOUNT:
        raise InvalidOperation
    return number.quantize(Decimal("0.01"))


async def check(draft: Draft, partner: Any | None = None) -> Filing:
    """The complaint the form describes, or IntakeRefused with a message per field."""
    v = draft.values
    errors: dict[str, str] = {}
    agency = await resolve_agency(v)
    if agency.error:
        errors["agency_query"] = agency.error

    filer = _choice(v.get("filer", ""), Filer)
    if filer is None:
        errors["filer"] = _("Say who is filing the complaint.")
    representative_of = v.get("representative_of", "")
    if filer == Filer.representative and not representative_of:
        errors["representative_of"] = _("Name the union, MRC or NGO.")
    contact = _choice(v.get("contact_preference", ""), ContactPreference)
    if contact is None:
        errors["contact_preference"] = _("Choose how we should contact you.")
    phone, email = v.get("phone", ""), v.get("email", "")
    if contact == ContactPreference.phone and not phone:
        errors["phone"] = _("Give a phone number, or choose another way to be contacted.")
    if len(phone) > 50 or (phone and not re.fullmatch(r"[0-9+()\- .]{6,50}", phone)):
        errors["phone"] = _("Write the phone number with digits only, e.g. 012 345 678.")
    if contact == ContactPreference.email and not email:
        errors["email"] = _("Give an e-mail address, or choose another way to be contacted.")
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        errors["email"] = _("This does not look like an e-mail address.")
    channel = Channel.web
    if partner is not None:
        picked_channel = _choice(v.get("channel", ""), Channel)
        if picked_channel is None:
            errors["channel"] = _("Say how the complaint reached you.")
        else:
            channel = Channel(picked_channel)

    province = v.get("province", "")
    if province and province not in PROVINCES:
        errors["province"] = _("Choose a province from the list.")
    destination = _choice(v.get("destination", ""), DESTINATIONS)
    if destination is None:
        errors["destination"] = _("Choose the country the worker went to or was to go to.")
    sector = _choice(v.get("sector", ""), SECTORS)
    if sector is None:
        errors["sector"] = _("Choose the kind of work.")
    grounds = [g for g in dict.fromkeys(draft.grounds) if _choice(g, Ground)]
    if not grounds or len(grounds) != len(set(draft.grounds)):
        errors["grounds"] = _("Tick at least one thing that went wrong.")
    description = v.get("description", "")
    if not description:
        errors["description"] = _("Tell us what happened.")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("Keep the description under %(n)d characters.") % {
            "n": MAX_DESCRIPTION
        }
    try:
        amount = _amount(v.get("amount_claimed", ""))
    except InvalidOperation:
        amount = None
        errors["amount_claimed"] = _("Write the amount as a number, e.g. 1500.")
    currency = _choice(v.get("claim_currency", "USD"), Currency) or Currency.USD
    share = v.get("share_identity", "no")
    if share not in ("yes", "no"):
        errors["share_identity"] = _("Answer yes or no.")

    complainant_name = v.get("complainant_name", "")
    for label, text in (
        ("complainant_name", complainant_name),
        ("representative_of", representative_of),
    ):
        if len(text) > MAX_NAME:
            errors[label] = _("Keep this under %(n)d characters.") % {"n": MAX_NAME}

    workers = []
    for i, w in enumerate(draft.workers):
        sex = _choice(w["sex"], Sex)
        age = _choice(w["age_band"], AgeBand)
        disability = _choice(w["disability"], Disability)
        if sex is None:
            errors[f"worker-{i}-sex"] = _("Choose one (or “Prefer not to say”).")
        if age is None:
            errors[f"worker-{i}-age_band"] = _("Choose one (or “Prefer not to say”).")
        if disability is None:
            errors[f"worker-{i}-disability"] = _("Choose one (or “Prefer not to say”).")
        if len(w["name"]) > MAX_NAME:
            errors[f"worker-{i}-name"] = _("Keep this under %(n)d characters.") % {"n": MAX_NAME}
        workers.append(
            {
                "name": w["name"],
                "sex": sex,
                "age_band": age,
                "disability": disability,
                "lgbtqia": bool(w["lgbtqia"]),
            }
        )

    checked_files: list[tuple[uploads.Upload, str]] = []
    try:
        checked_files = await uploads.check(draft.files, "attachments")
    except DomainError as error:
        errors["attachments"] = error.message

    if errors:
        raise IntakeRefused(errors, agency)
    columns = {
        "agency": agency.agency_id,
        "broker_name": agency.broker_name,
        "filer": filer,
        "representative_of": representative_of if filer == Filer.representative else "",
        "channel": channel,
        "organisation": partner.organisation_id if partner else None,
        "filed_by": partner.id if partner else None,
        "complainant_name": complainant_name,
        "name_key": services.name_key(complainant_name),
        "phone": phone,
        "email": email,
        "contact_preference": contact,
        "province": province,
        "destination": destination,
        "sector": sector,
        "description": description,
        "amount_claimed": amount,
        "claim_currency": currency,
        "share_identity": share == "yes",
        "workers_count": len(workers),
    }
    return Filing(columns=columns, workers=workers, grounds=grounds, files=checked_files)


FORM_LABELS = {
    "filers": Filer,
    "contacts": ContactPreference,
    "grounds": Ground,
    "sexes": Sex,
    "age_bands": AgeBand,
    "disabilities": Disability,
    "destinations": DESTINATIONS,
    "sectors": SECTORS,
    "provinces": PROVINCES,
}
