"""Filing a complaint: the form checked against the registry and the files sent with it,
the one transaction that stores it, the receipt and its roadmap, and the same receipt
again for a form sent twice."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from portal import db, i18n, security, upload_drafts, uploads
from portal.audit import services as audit
from portal.complaints import safeguarding, search, services
from portal.complaints.agency_lookup import resolve_agency
from portal.complaints.forms import FACTS, ComplaintForm, PartnerComplaintForm
from portal.complaints.states import Status
from portal.complaints.tables import Audience, Channel, Filer
from portal.deadlines import Duration, Stage, due_at
from portal.deadlines.services import current_rules
from portal.errors import DomainError, FormErrors
from portal.forms import errors_by_field
from portal.i18n import gettext as _

SAME_RECEIPT_FOR = timedelta(minutes=15)  # a repeated POST of one form shows its receipt
_FORM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
Limit = tuple[security.Backoff, str]  # a rate limit and whom it counts (an address)


@dataclass
class Filing:
    """A checked complaint, ready to be stored."""

    columns: dict[str, Any]
    workers: list[dict[str, Any]]
    grounds: list[str]
    files: list[uploads.CheckedFile]


async def check(
    form: ComplaintForm, files: list[uploads.Upload], partner: Any | None = None
) -> Filing:
    """The complaint the form describes, or FormErrors with a message per field: the
    form's own rules, the agency in the registry and the files, all reported at once."""
    errors = {} if form.validate() else errors_by_field(form)
    agency = await resolve_agency(form.data)
    if agency.error:
        errors["agency_query"] = agency.error
    token = form.form_token.data or ""
    checked_files: list[uploads.CheckedFile] = []
    try:
        held = len(upload_drafts.held(token))
        checked_files = await uploads.check(files, "attachments", already=held)
    except DomainError as error:
        errors["attachments"] = error.message
    if errors:
        await upload_drafts.keep(token, checked_files)  # the form comes back with them listed
        raise FormErrors(errors)

    workers = [
        {
            "name": w["name"],
            "sex": w["sex"],
            "age_band": w["age_band"],
            "disability": w["disability"],
            "lgbtqia": w["lgbtqia"],
            "id_number": w["id_number"],
        }
        for w in form.worker.data
    ]
    amount = form.amount_claimed.data
    filer = form.filer.data
    name = form.complainant_name.data
    columns = {
        "agency": agency.agency_id,
        "broker_name": agency.broker_name,
        "filer": filer,
        "representative_of": form.representative_of.data if filer == Filer.representative else "",
        "channel": form.channel.data if isinstance(form, PartnerComplaintForm) else Channel.web,
        "organisation": partner.organisation_id if partner else None,
        "filed_by": partner.id if partner else None,
        "complainant_name": name,
        "name_key": services.name_key(name),
        "phone": form.phone.data,
        "email": form.email.data,
        "contact_preference": form.contact_preference.data,
        "language": i18n.current_language.get(),  # the language of its notices
        "province": form.province.data,
        "destination": form.destination.data,
        "sector": form.sector.data,
        "description": form.description.data,
        "amount_claimed": amount.quantize(Decimal("0.01")) if amount is not None else None,
        "claim_currency": form.claim_currency.data,
        "share_identity": form.share_identity.data == "yes",
        "workers_count": len(workers),
        **{name: form[name].data for name in FACTS},
    }
    grounds = list(dict.fromkeys(form.grounds.data))
    columns |= safeguarding.marks_on_filing(workers, grounds)
    files_of_form = [*upload_drafts.opened(token), *checked_files]
    return Filing(columns=columns, workers=workers, grounds=grounds, files=files_of_form)


async def file_form(
    form: ComplaintForm,
    files: list[uploads.Upload],
    now: datetime,
    partner: Any | None = None,
    limit: Limit | None = None,
) -> Receipt:
    """File what the form describes, once per form: a form sent again moments later gets
    the same receipt (AlreadySent long after); FormErrors for anything to change;
    security.TooSoon when `limit` (the public form's, per address) says wait."""
    token = form.form_token.data or ""
    if not valid_form_token(token):
        raise FormErrors(
            {"form_token": _("This form has expired. Check your answers and send it again.")}
        )
    filing = await check(form, files, partner)
    receipt = await file_complaint(filing, token, now, partner, limit)
    upload_drafts.clear(token)  # its files are the complaint's now
    return receipt


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
    filing: Filing,
    form_token: str,
    now: datetime,
    partner: Any | None = None,
    limit: Limit | None = None,
) -> Receipt:
    """Store a checked complaint in one transaction: the case, its workers, grounds,
    first timeline entry, attachments and the running figures; the files take their place
    once it committed (uploads.staged). A form sent again (a double click, a reload) hits
    the unique form token and shows the first filing's receipt. The filing counts under
    `limit` in the same transaction: one commit, and a filing that fails counts for nothing."""
    resolution = await due_at(Stage.RESOLUTION, now)
    deadline_columns = await services.stage_fields(Status.received, now, resolution)
    code = services.receipt_code_from(form_token)
    async with uploads.staged(filing.files) as staged:
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
                    staged.files,
                    partner,
                    limit,
                )
                break
            except (sqlite3.IntegrityError, UniqueViolationError) as error:
                if "UNIQUE" not in str(error).upper():
                    raise  # not a duplicate (a foreign key): no retry helps
                earlier = await earlier_filing(form_token, now)
                if earlier is not None:  # the same form won the race
                    staged.discard()
                    return earlier
                # else the random reference was taken: draw another
        else:
            raise DomainError(_("Something went wrong on our side. Please try again later."))
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
    limit: Limit | None,
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
        "phone_key": search.phone_key(filing.columns["phone"]),
    }
    async with db.transaction():
        if limit is not None:
            await security.attempt([limit], now)
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
        await audit.record(partner, "complaint.filed", "complaint", reference)
        await safeguarding.alert_on_filing(complaint_id, reference, filing.columns, now)
        # Last: every filing adds to these same rows, whose locks are held until commit.
        await services.bump(changes)
