"""Filing a complaint, and the complainant's side of a case afterwards: the intake form
(parsing, every rule, the agency look-up), the one transaction that files it, the receipt
and its roadmap, "check my case" (reference + receipt code, rate-limited), replies from
the complainant, and the partner organisations' list of the complaints they filed.

The routes in public_routes.py and partner_routes.py only parse the request and call these.
"""

from __future__ import annotations

import hmac
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from asyncpg.exceptions import UniqueViolationError
from itsdangerous import BadData

from portal import db, paging, security, uploads
from portal.access import or_404, record_id
from portal.agencies.tables import Agency
from portal.audit import services as audit
from portal.complaints import access, services
from portal.complaints.states import Status
from portal.complaints.tables import (
    AgeBand,
    Audience,
    CaseEvent,
    CaseFile,
    Channel,
    Complaint,
    ComplaintGround,
    ComplaintWorker,
    ContactPreference,
    Currency,
    Disability,
    Filer,
    Ground,
    Sex,
)
from portal.deadlines import Duration, Stage, due_at
from portal.deadlines.services import current_rules
from portal.errors import DomainError, FormErrors, NotFound, Throttled
from portal.i18n import gettext as _
from portal.labour import DESTINATIONS, PROVINCES, SECTORS

MAX_WORKERS = 50
MAX_NAME = 200
MAX_DESCRIPTION = 5000
MAX_REPLY = 5000
MAX_AMOUNT = Decimal("1000000000000")
SAME_RECEIPT_FOR = timedelta(minutes=15)  # a repeated POST of one form shows its receipt
CASE_COOKIE = "portal_case"
CASE_COOKIE_PATH = "/my-case"
CASE_SESSION = timedelta(minutes=30)
SUGGESTIONS = 10

CHECK_PER_ADDRESS = security.RateLimit("case-check-address", limit=10, window=timedelta(minutes=15))
CHECK_PER_REFERENCE = security.RateLimit(
    "case-check-reference", limit=5, window=timedelta(minutes=15)
)

_FORM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
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


# --- the agency complained about ------------------------------------------------------


def _starts_with(column: Any, text: str) -> Any:
    """A case-insensitive "starts with" filter on either database (as db.icontains)."""
    pattern = f"{text}%"
    return (
        column.ilike(pattern) if db.get_engine().engine_type == "postgres" else column.like(pattern)
    )


async def suggest_agencies(text: str) -> list[dict[str, Any]]:
    """Registry agencies whose English or Khmer name or licence number starts with `text`
    (at most 10), for the suggestions shown while typing."""
    text = text.strip()[:100]
    if len(text) < 2:
        return []
    text = text.replace("%", "").replace("_", "")  # typed text, not wildcards
    return (
        await Agency.select(Agency.id, Agency.name_en, Agency.name_km, Agency.licence_number)
        .where(
            _starts_with(Agency.name_en, text)
            | _starts_with(Agency.name_km, text)
            | _starts_with(Agency.licence_number, text)
        )
        .order_by(Agency.name_en)
        .limit(SUGGESTIONS)
    )


@dataclass
class AgencyChoice:
    agency_id: int | None = None
    broker_name: str = ""
    matches: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    offer_unlisted: bool = False


async def resolve_agency(values: dict[str, str]) -> AgencyChoice:
    """Which agency the complainant means: one picked from a list, an exact licence
    number, or the only agency whose name matches; else the matches to choose from, or
    (none found) the typed name as an unlicensed broker once they say so."""
    text = values.get("agency_query", "")[:MAX_NAME]
    picked = record_id(values.get("agency_id", ""))
    if picked:
        row = (
            await Agency.select(Agency.id, Agency.name_en, Agency.name_km, Agency.licence_number)
            .where(Agency.id == picked)
            .first()
        )
        if row:  # listed, so the form shows the choice again if it comes back
            return AgencyChoice(agency_id=row["id"], matches=[row])
    if values.get("agency_unlisted") and text:
        return AgencyChoice(broker_name=text)
    if not text:
        return AgencyChoice(error=_("Give the agency's name or licence number."))
    for licence in dict.fromkeys((text.upper(), text)):  # as typed, if not in capitals
        exact = await db.select("SELECT id FROM agency WHERE licence_number = {}", licence)
        if exact:
            return AgencyChoice(agency_id=exact[0]["id"])
    found = (
        await Agency.select(Agency.id, Agency.name_en, Agency.name_km, Agency.licence_number)
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


# --- filing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """What the complainant takes away: the reference, the code (shown once) and when
    each stage is due."""

    reference: str
    code: str
    received_at: datetime
    acknowledge_due: datetime | None
    agency_response: Duration
    resolution_due: datetime | None


class AlreadySent(DomainError):
    status_code = 409


async def _receipt(row: dict[str, Any], form_token: str) -> Receipt:
    rules = await current_rules()
    return Receipt(
        reference=row["reference"],
        code=services.format_receipt_code(services.receipt_code_from(form_token)),
        received_at=row["received_at"],
        acknowledge_due=row["stage_due_at"] if row["status"] == Status.received else None,
        agency_response=rules.policy[Stage.AGENCY_RESPONSE],
        resolution_due=row["resolution_due_at"],
    )


async def earlier_filing(form_token: str, now: datetime) -> Receipt | None:
    """The receipt again when this form was already filed moments ago (a double click,
    a reload); AlreadySent when it was filed long ago; None for a new form."""
    if not _FORM_TOKEN.match(form_token):
        return None
    rows = await db.select(
        "SELECT reference, received_at, status, stage_due_at, resolution_due_at"
        " FROM complaint WHERE form_token_hash = {}",
        services.form_token_hash(form_token),
    )
    if not rows:
        return None
    row = rows[0]
    if now - row["received_at"] > SAME_RECEIPT_FOR:
        raise AlreadySent(
            _(
                "This form was already sent. To follow your complaint, use “Check my case” "
                "with the reference and code on your receipt."
            )
        )
    return await _receipt(row, form_token)


def valid_form_token(token: str) -> bool:
    return bool(_FORM_TOKEN.match(token))


async def file_complaint(
    filing: Filing, form_token: str, now: datetime, partner: Any | None = None
) -> Receipt:
    """Store a checked complaint in one transaction: the case, its workers, grounds,
    first timeline entry, attachments and the running figures. Files written to disk are
    removed again if the transaction fails. A second POST of the same form (a race the
    pre-check missed) hits the unique form token and shows the first filing's receipt."""
    resolution = await due_at(Stage.RESOLUTION, now)
    deadline_columns = await services.stage_fields(Status.received, now, resolution)
    code = services.receipt_code_from(form_token)
    stored = await uploads.store_all(filing.files)
    try:
        for _attempt in range(5):
            reference = services.new_reference(now)
            try:
                await _insert(
                    filing,
                    reference,
                    code,
                    form_token,
                    now,
                    resolution,
                    deadline_columns,
                    stored,
                    partner,
                )
                break
            except (sqlite3.IntegrityError, UniqueViolationError) as error:
                if "UNIQUE" not in str(error).upper():
                    raise  # not a duplicate (a foreign key): no retry helps
                earlier = await earlier_filing(form_token, now)
                if earlier is not None:  # the same form won the race
                    uploads.remove([s.stored_name for s in stored])
                    return earlier
                # else the random reference was taken: draw another
        else:
            raise DomainError(_("Something went wrong on our side. Please try again later."))
    except BaseException:
        uploads.remove([s.stored_name for s in stored])
        raise
    rules = await current_rules()
    return Receipt(
        reference=reference,
        code=services.format_receipt_code(code),
        received_at=now,
        acknowledge_due=deadline_columns["stage_due_at"],
        agency_response=rules.policy[Stage.AGENCY_RESPONSE],
        resolution_due=resolution,
    )


async def _insert(
    filing: Filing,
    reference: str,
    code: str,
    form_token: str,
    now: datetime,
    resolution: datetime,
    deadline_columns: dict[str, Any],
    stored: list[uploads.StoredFile],
    partner: Any | None,
) -> None:
    case = {
        "reference": reference,
        "receipt_hash": services.receipt_hash(code),
        "form_token_hash": services.form_token_hash(form_token),
        "status": Status.received,
        "received_at": now,
        "updated_at": now,
        "resolution_due_at": resolution,
        **deadline_columns,
        **filing.columns,
    }
    async with db.transaction():
        rows = await db.insert("complaint", list(case), [list(case.values())], " RETURNING id")
        complaint_id = rows[0]["id"]
        await db.insert(
            "complaint_worker",
            ["complaint", *filing.workers[0]],  # check() gives every worker the same keys
            [[complaint_id, *w.values()] for w in filing.workers],
        )
        await db.insert(
            "complaint_ground", ("complaint", "ground"), [(complaint_id, g) for g in filing.grounds]
        )
        event_id = await services.add_event(
            complaint_id, "filed", Audience.public, now, partner, to_status=Status.received
        )
        if stored:
            await services.attach_files(complaint_id, event_id, Audience.complainant, stored, now)
        month = services.month_key(now)
        changes = {"status:received": 1, f"received:{month}": 1}
        for w in filing.workers:
            changes[f"workers:{w['sex']}"] = changes.get(f"workers:{w['sex']}", 0) + 1
            key = f"workers:{month}:{w['sex']}"
            changes[key] = changes.get(key, 0) + 1
        await services.bump(changes)
        await audit.record(partner, "complaint.filed", "complaint", reference)


# --- check my case ---------------------------------------------------------------------


def normalise_reference(text: str) -> str:
    return "".join(text.split()).upper()[:20]


async def open_case(reference_text: str, code_text: str, address: str, now: datetime) -> dict:
    """The case these credentials open, counted against the rate limits. A wrong code
    and an unknown reference get the same answer, so neither is revealed."""
    reference = normalise_reference(reference_text)
    code = services.normalise_receipt_code(code_text)
    errors = {}
    if not reference:
        errors["reference"] = _("Give the case reference from your receipt.")
    if not code:
        errors["code"] = _("Give the receipt code from your receipt.")
    if errors:
        raise FormErrors(errors)
    if await CHECK_PER_ADDRESS.is_exceeded(address, now) or await CHECK_PER_REFERENCE.is_exceeded(
        reference, now
    ):
        raise Throttled(_("Too many attempts. Wait 15 minutes and try again."))
    await CHECK_PER_ADDRESS.hit(address, now)
    await CHECK_PER_REFERENCE.hit(reference, now)
    row = (
        await Complaint.select(Complaint.id, Complaint.receipt_hash)
        .where(Complaint.reference == reference)
        .first()
    )
    # Compare against a dummy when the reference is unknown: the same work either way.
    stored = row["receipt_hash"] if row else services.receipt_hash("0" * services.RECEIPT_DIGITS)
    if row is None or not hmac.compare_digest(stored, services.receipt_hash(code)):
        raise FormErrors(
            {
                "code": _(
                    "This reference and receipt code do not match a case. Check both and try again."
                )
            }
        )
    return row


def case_cookie_value(row: dict[str, Any]) -> str:
    """The complainant's short session: the case id and a fingerprint of the case's
    receipt hash (a changed code ends it), signed with the time it was opened."""
    return security.cookie_serializer("my-case").dumps([row["id"], row["receipt_hash"][:16]])


async def case_from_cookie(value: str | None) -> int | None:
    """The id of the case the cookie opens, or None (missing, expired, forged)."""
    try:
        complaint_id, fingerprint = security.cookie_serializer("my-case").loads(
            value or "", max_age=int(CASE_SESSION.total_seconds())
        )
    except BadData:
        return None
    row = await Complaint.select(Complaint.receipt_hash).where(Complaint.id == complaint_id).first()
    if row is None or row["receipt_hash"][:16] != fingerprint:
        return None
    return int(complaint_id)


# --- the case as the complainant (or their partner) sees it ----------------------------

_COMPLAINANT = list(access.AUDIENCES["complainant"])


async def case_view(complaint_id: int) -> dict[str, Any]:
    """The case's status, public timeline and files, for the complainant's side."""
    complaint = or_404(
        await Complaint.select(
            *Complaint.all_columns(),
            Complaint.agency.name_en.as_alias("agency_name_en"),
            Complaint.agency.name_km.as_alias("agency_name_km"),
        )
        .where(Complaint.id == complaint_id)
        .first()
    )
    complaint["status_label"] = Status(complaint["status"]).label
    events = (
        await CaseEvent.select(
            CaseEvent.id,
            CaseEvent.at,
            CaseEvent.kind,
            CaseEvent.body,
            CaseEvent.to_status,
            CaseEvent.by_complainant,
        )
        .where((CaseEvent.complaint == complaint_id) & CaseEvent.audience.is_in(_COMPLAINANT))
        .order_by(CaseEvent.at)
        .order_by(CaseEvent.id)
    )
    files = (
        await CaseFile.select(
            CaseFile.id, CaseFile.event, CaseFile.filename, CaseFile.size, CaseFile.uploaded_at
        )
        .where((CaseFile.complaint == complaint_id) & CaseFile.audience.is_in(_COMPLAINANT))
        .order_by(CaseFile.id)
    )
    by_event: dict[Any, list] = {}
    for f in files:
        by_event.setdefault(f["event"], []).append(f)
    for event in events:
        event["what"] = _timeline_text(event)
        event["files"] = by_event.pop(event["id"], [])
    loose = [f for fs in by_event.values() for f in fs]
    return {"complaint": complaint, "events": events, "loose_files": loose}


def _timeline_text(event: dict[str, Any]) -> str:
    kind = event["kind"]
    if kind == "filed":
        return _("Complaint received")
    if kind in ("status_changed", "reopened") and event["to_status"]:
        label = Status.label_of(event["to_status"])
        if kind == "reopened":
            return _("Case reopened: %(status)s") % {"status": label}
        return _("Status: %(status)s") % {"status": label}
    if event["by_complainant"]:
        return _("Your message")
    if event["body"]:
        return _("Message from the case officer")
    return _("Case updated")


async def case_file(complaint_id: int, file_id: int) -> dict[str, Any]:
    """A file of this case that the complainant's side may read, or NotFound."""
    return or_404(
        await CaseFile.select(CaseFile.stored_name, CaseFile.filename, CaseFile.content_type)
        .where(
            (CaseFile.id == file_id)
            & (CaseFile.complaint == complaint_id)
            & CaseFile.audience.is_in(_COMPLAINANT)
        )
        .first()
    )


async def reply(
    complaint_id: int, text: str, files: list[uploads.Upload], now: datetime, actor: Any = None
) -> None:
    """A message (and files) from the complainant, or their partner, to the case officer;
    restarts the case's clock if it was waiting on them."""
    text = text.strip()
    errors = {}
    if not text and not files:
        errors["body"] = _("Write a message or attach a file.")
    elif len(text) > MAX_REPLY:
        errors["body"] = _("Keep the message under %(n)d characters.") % {"n": MAX_REPLY}
    complaint = or_404(await Complaint.select().where(Complaint.id == complaint_id).first())
    try:
        checked = await uploads.check(files, "attachments")
    except DomainError as error:
        errors["attachments"] = error.message
        checked = []
    if errors:
        raise FormErrors(errors)
    stored = await uploads.store_all(checked)
    try:
        async with db.transaction():
            event_id = await services.add_event(
                complaint_id,
                "reply",
                Audience.complainant,
                now,
                actor,
                body=text,
                by_complainant=True,
            )
            if stored:
                await services.attach_files(
                    complaint_id, event_id, Audience.complainant, stored, now
                )
            if complaint["paused_since"] is not None:
                await services.resume(complaint, now)
            await Complaint.update({Complaint.updated_at: now}).where(Complaint.id == complaint_id)
            await audit.record(actor, "complaint.replied", "complaint", complaint["reference"])
    except BaseException:
        uploads.remove([s.stored_name for s in stored])
        raise


# --- partner organisations ---------------------------------------------------------------

PARTNER_PAGE = 25


async def partner_complaints(
    user: Any, before_id: int | None = None
) -> tuple[list[dict], int | None]:
    """The complaints the user's organisation filed, newest first, a page at a time (the
    next page starts below the last id shown)."""
    where = access.visible_to(user)
    if where is None:
        raise NotFound(_("Page not found."))
    query = Complaint.select(
        Complaint.id,
        Complaint.reference,
        Complaint.status,
        Complaint.received_at,
        Complaint.broker_name,
        Complaint.workers_count,
        Complaint.channel,
        Complaint.agency.name_en.as_alias("agency_name_en"),
        Complaint.agency.name_km.as_alias("agency_name_km"),
    ).where(where)
    rows, next_before = await paging.newest_first(query, Complaint.id, before_id, PARTNER_PAGE)
    for row in rows:
        row["status_label"] = Status(row["status"]).label
    return rows, next_before


async def partner_case_id(user: Any, complaint_id: int) -> int:
    """The id, if the user's organisation filed this complaint; otherwise NotFound."""
    where = access.visible_to(user)
    if where is None:
        raise NotFound(_("Page not found."))
    row = or_404(
        await Complaint.select(Complaint.id).where(where & (Complaint.id == complaint_id)).first()
    )
    return row["id"]


async def case_details(complaint_id: int) -> dict[str, Any]:
    """The workers and grounds of a case (the partner's page shows what they filed)."""
    workers = await ComplaintWorker.select().where(ComplaintWorker.complaint == complaint_id)
    grounds = await ComplaintGround.select(ComplaintGround.ground).where(
        ComplaintGround.complaint == complaint_id
    )
    labels = [Ground.label_of(row["ground"]) for row in grounds if _choice(row["ground"], Ground)]
    return {"workers": workers, "grounds": labels}


# Labels the form shows, in one place for both routes.
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
