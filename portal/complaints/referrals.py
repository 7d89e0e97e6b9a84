"""Referrals of a case to another authority (anti-trafficking police, the labour
inspectorate, an embassy's labour attaché, a court): when, to whom, under which of their
references. A referral runs beside the case's own handling; it does not close it."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, ValidationError
from wtforms.validators import InputRequired

from portal import clock, db, i18n
from portal.audit import services as audit
from portal.complaints import services
from portal.complaints.forms import (
    A_DATE,
    KEEP_NAME_SHORT,
    KEEP_TEXT_SHORT,
    MAX_TEXT,
    _choice,
    _text,
)
from portal.complaints.tables import Audience, Authority, CaseReferral
from portal.forms import PortalForm, _l
from portal.i18n import N_

MAX_REFERENCE = 100


class ReferralForm(PortalForm):
    authority = _choice(Authority, _l("Choose the authority."), default="")
    referred_on = DateField(invalid_value_message=A_DATE, validators=[InputRequired(A_DATE)])
    authority_reference = _text(MAX_REFERENCE, KEEP_NAME_SHORT)
    referral_note = _text(MAX_TEXT, KEEP_TEXT_SHORT)

    def validate_referred_on(self, field: DateField) -> None:
        if field.data and field.data > i18n.local_time(clock.now()).date():
            raise ValidationError(_l("The date cannot be in the future."))


async def record_referral(user: Any, case: dict[str, Any], form: ReferralForm) -> str:
    """Record a referral: on the officers' timeline and in the audit log."""
    authority = Authority(form.authority.data)
    referred_on, reference = form.referred_on.data, form.authority_reference.data
    now = clock.now()
    line = f"{authority.value} {referred_on.isoformat()} {reference}".strip()
    async with db.transaction():
        await CaseReferral.insert(
            CaseReferral(
                complaint=case["id"],
                authority=authority,
                referred_on=referred_on,
                authority_reference=reference,
                note=form.referral_note.data,
                recorded_by=user.id,
                recorded_at=now,
            )
        )
        body = "; ".join(
            part
            for part in (
                authority.label,
                i18n.format_date(referred_on),
                reference,
                form.referral_note.data,
            )
            if part
        )
        await services.add_event(case["id"], "referred", Audience.internal, now, user, body)
        await audit.record(user, "complaint.referred", "complaint", case["reference"], line)
    return N_("The referral has been recorded.")


async def referrals_of(complaint_id: int) -> list[dict[str, Any]]:
    """A case's referrals, oldest first."""
    return (
        await CaseReferral.select()
        .where(CaseReferral.complaint == complaint_id)
        .order_by(CaseReferral.referred_on)
        .order_by(CaseReferral.id)
    )
