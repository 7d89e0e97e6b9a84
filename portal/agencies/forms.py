"""The admin's agency forms. The agency's own fields are checked by services.clean_agency,
the same rules as a line of the CSV import, so the two never disagree."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from portal.agencies.tables import LicenceAction
from portal.forms import DigitsField, PortalForm, _l, strip


class AgencyForm(PortalForm):
    licence_number = StringField()
    name_en = StringField()
    name_km = StringField()
    licence_status = StringField()
    licence_issued_on = DigitsField()
    licence_expires_on = DigitsField()
    association = StringField()
    province = StringField()
    address = StringField()
    phone = DigitsField()
    email = StringField()
    # The ticked codes; an unknown one is named by clean_agency, in the CSV's words.
    destinations = SelectMultipleField(validate_choice=False)
    sectors = SelectMultipleField(validate_choice=False)

    def as_row(self) -> dict[str, str]:
        """The form as a line of the CSV import: ticked codes joined as "TH;MY"."""
        row = {field.name: field.data or "" for field in self}
        for name in ("destinations", "sectors"):
            row[name] = ";".join(self[name].data or [])
        return row


# What an admin records on the agency's page ("issued" comes with a new agency).
DECISIONS = [a.value for a in LicenceAction if a is not LicenceAction.issued]
MAX_REASON = 2000


def _date(message: Any, required: bool = True) -> DateField:
    first = InputRequired(message) if required else Optional()
    return DateField(invalid_value_message=message, validators=[first])


def _text(required: Any, limit: int) -> StringField:
    """Text that must be given (`required` says so), trimmed, at most `limit` characters."""
    return StringField(
        filters=[strip],
        validators=[
            DataRequired(required),
            Length(max=limit, message=_l("Use at most %(max)s characters.")),
        ],
    )


class DecisionFields(PortalForm):
    """What every licence decision says: when, under which reference, and why."""

    decided_on = _date(_l("Enter the date of the decision."))
    decision_reference = _text(_l("Enter the decision's reference."), 100)
    suspended_until = _date(_l("Write the date as YYYY-MM-DD, for example 2026-01-31."), False)
    reason = _text(_l("Say why, for the licence history and the audit log."), MAX_REASON)


class LicenceDecisionForm(DecisionFields):
    """An admin's decision on a licence: renewed, a warning, suspended, reinstated, revoked."""

    action = SelectField(
        choices=DECISIONS,
        validate_choice=False,
        validators=[AnyOf(DECISIONS, _l("Choose what was decided."))],
    )
    expires_on = _date(_l("Write the date as YYYY-MM-DD, for example 2026-01-31."), False)


class DismissSanctionForm(PortalForm):
    dismiss_reason = _text(_l("Say why the recommendation is dismissed."), MAX_REASON)


class ConfirmImportForm(PortalForm):
    token = StringField(validators=[Length(max=64)])  # names the file kept since the preview
