"""The complaint forms, declared once: each field's type, limits and message.

The complaint form keeps the field names the page has always used (worker-0-name,
worker-0-sex, ...). Rules that need the database (the agency is in the registry, a form
is filed once, the officer is active) are the services' and raise FormErrors there.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from babel.support import LazyProxy
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional, Regexp

from portal import i18n, phones
from portal.complaints.tables import (
    AgeBand,
    Channel,
    ContactPreference,
    Currency,
    Disability,
    Filer,
    Ground,
    Outcome,
    Sanction,
    Sex,
)
from portal.forms import DigitsField, PortalForm, _l
from portal.i18n import N_
from portal.labour import DESTINATIONS, PROVINCES, SECTORS

MAX_WORKERS = 50
MAX_NAME = 200
MAX_DESCRIPTION = 5000
MAX_REPLY = 5000
MAX_TEXT = 5000
LARGEST_CLAIM = Decimal("999999999999.99")

# The choices the complaint form shows, in one place for the public and partner pages.
FORM_LABELS: dict[str, Any] = {
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


_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?")
_AMOUNT_IN_CENTS = re.compile(r"[0-9]+(\.[0-9]{1,2}0*)?")


def _strip(text: str | None) -> str | None:
    return text.strip() if text else text


def _lf(message: str, **values: Any) -> Any:
    """Like _l, with the message's own numbers filled in (WTForms fills only min and max)."""
    return LazyProxy(lambda: i18n.gettext(message) % values, enable_cache=False)


def _values(choices: Any) -> list[str]:
    return [str(value) for value in choices]


def _choice(choices: Any, message: Any, **kwargs: Any) -> SelectField:
    """A choice from a fixed list, refused with the portal's own message."""
    return SelectField(
        choices=_values(choices),
        validate_choice=False,  # AnyOf says it in the portal's words
        validators=[AnyOf(_values(choices), message)],
        **kwargs,
    )


def _text(limit: int, message: Any, required: Any = None) -> StringField:
    """Free text, trimmed, at most `limit` characters; `required` is the message when empty."""
    validators: list[Any] = [Length(max=limit, message=message)]
    if required is not None:
        validators.insert(0, DataRequired(required))
    return StringField(filters=[_strip], default="", validators=validators)


MAX_ID_NUMBER = 50
KEEP_ID_SHORT = _lf(N_("Keep this under %(n)d characters."), n=MAX_ID_NUMBER)
A_DATE = _l("Enter a date like 2026-12-31.")
KEEP_NAME_SHORT = _lf(N_("Keep this under %(n)d characters."), n=MAX_NAME)
KEEP_TEXT_SHORT = _lf(N_("Keep it under %(n)s characters."), n=f"{MAX_TEXT:,}")
WRITE_SOMETHING = _l("Write something here.")
NOT_A_PHONE = _l("Write the phone number with digits only, e.g. 012 345 678.")
NOT_A_MOBILE = _l("Write a phone number that can receive text messages, e.g. 012 345 678.")


class AmountField(DecimalField):
    """An amount as people write it (1500, 1,500, 1 500 or 1500.50), None when left empty.
    Anything else is refused, never rounded: a third decimal, an exponent, "NaN"."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        written = str(valuelist[0]).replace(",", "").replace(" ", "") if valuelist else ""
        if not written:
            return
        if not _AMOUNT.fullmatch(written):
            raise ValueError(self.invalid_value_message)
        if not _AMOUNT_IN_CENTS.fullmatch(written):
            raise ValueError(_l("Use at most two decimals."))
        self.data = Decimal(written)


MAX_CITY = 100
KEEP_CITY_SHORT = _lf(N_("Keep this under %(n)d characters."), n=MAX_CITY)


def dialable(form: PortalForm, field: StringField) -> None:
    """A phone number however it is written (012 345 678, +855…, Khmer digits), or none."""
    if field.data and phones.international(field.data) is None:
        raise ValidationError(NOT_A_PHONE)


# The facts for investigators the complaint forms ask (all optional), stored as they are.
FACTS = (
    "employer_name",
    "employer_country",
    "employer_city",
    "recruited_on",
    "departed_on",
    "subagent_name",
    "subagent_phone",
    "subagent_village",
)


def _day() -> DateField:
    """An optional date, written as the date field of the browser sends it (2026-12-31)."""
    return DateField(invalid_value_message=A_DATE, validators=[Optional()])


# --- the complaint --------------------------------------------------------------------


class WorkerForm(PortalForm):
    """One worker of a complaint (a group complaint has several)."""

    name = _text(MAX_NAME, KEEP_NAME_SHORT)
    sex = _choice(Sex, _l("Choose one (or “Prefer not to say”)."), default="")
    age_band = _choice(AgeBand, _l("Choose one (or “Prefer not to say”)."), default="")
    disability = _choice(Disability, _l("Choose one (or “Prefer not to say”)."), default="")
    lgbtqia = BooleanField()
    id_number = _text(MAX_ID_NUMBER, KEEP_ID_SHORT)


class ComplaintForm(PortalForm):
    """The public complaint form. The agency fields are read here and looked up in the
    registry by the filing service."""

    form_token = StringField(default="")
    # A trap for scripts that fill in every field; people never see it (the page hides it).
    website = StringField(
        default="", validators=[Length(max=0, message=_l("Leave this field empty."))]
    )
    agency_query = _text(MAX_NAME, KEEP_NAME_SHORT)
    agency_id = StringField(default="")
    agency_unlisted = BooleanField()

    filer = _choice(Filer, _l("Say who is filing the complaint."))
    representative_of = _text(MAX_NAME, KEEP_NAME_SHORT)
    complainant_name = _text(MAX_NAME, KEEP_NAME_SHORT)
    worker = FieldList(FormField(WorkerForm), min_entries=1, max_entries=MAX_WORKERS)

    destination = _choice(
        DESTINATIONS, _l("Choose the country the worker went to or was to go to.")
    )
    sector = _choice(SECTORS, _l("Choose the kind of work."))
    province = _choice(["", *PROVINCES], _l("Choose a province from the list."), default="")
    grounds = SelectMultipleField(choices=_values(Ground), validate_choice=False)
    # What investigators need besides the agency: all optional.
    employer_name = _text(MAX_NAME, KEEP_NAME_SHORT)
    employer_country = _choice(
        ["", *DESTINATIONS], _l("Choose a country from the list."), default=""
    )
    employer_city = _text(MAX_CITY, KEEP_CITY_SHORT)
    recruited_on = _day()
    departed_on = _day()
    subagent_name = _text(MAX_NAME, KEEP_NAME_SHORT)
    subagent_phone = DigitsField(
        filters=[_strip], default="", validators=[Length(max=50, message=NOT_A_PHONE), dialable]
    )
    subagent_village = _text(MAX_NAME, KEEP_NAME_SHORT)
    description = _text(
        MAX_DESCRIPTION,
        _lf(N_("Keep the description under %(n)d characters."), n=MAX_DESCRIPTION),
        required=_l("Tell us what happened."),
    )
    amount_claimed = AmountField(
        places=2,
        invalid_value_message=_l("Write the amount as a number, e.g. 1500."),
        validators=[
            Optional(),
            NumberRange(0, LARGEST_CLAIM, _l("Write the amount as a number, e.g. 1500.")),
        ],
    )
    claim_currency = _choice(Currency, _l("Choose the currency."), default=Currency.USD.value)

    contact_preference = _choice(ContactPreference, _l("Choose how we should contact you."))
    phone = DigitsField(
        filters=[_strip], default="", validators=[Length(max=50, message=NOT_A_MOBILE)]
    )
    email = StringField(
        filters=[_strip],
        default="",
        validators=[
            Length(max=254, message=_l("This does not look like an e-mail address.")),
            Regexp(
                r"(?:[^@\s]+@[^@\s]+\.[^@\s]+)?$",
                message=_l("This does not look like an e-mail address."),
            ),
        ],
    )
    share_identity = _choice(["yes", "no"], _l("Answer yes or no."), default="no")

    def add_worker(self) -> dict[str, str]:
        """One more worker block (a group complaint), everything else kept; the error when
        the complaint already names as many workers as it can."""
        if len(self.worker) >= MAX_WORKERS:
            return {
                "workers": i18n.gettext(
                    "A complaint can name at most %(n)d workers. File another one for the others."
                )
                % {"n": MAX_WORKERS}
            }
        self.worker.append_entry()
        return {}

    def validate_representative_of(self, field: StringField) -> None:
        if self.filer.data == Filer.representative and not field.data:
            raise ValidationError(_l("Name the union, MRC or NGO."))

    def validate_phone(self, field: StringField) -> None:
        if self.contact_preference.data == ContactPreference.phone and not field.data:
            raise ValidationError(_l("Give a phone number, or choose another way to be contacted."))
        # A number the SMS notices can reach: Cambodian (012 345 678) or with its country code.
        if field.data and phones.international(field.data) is None:
            raise ValidationError(NOT_A_MOBILE)
        # The notices go to it by text message; a landline is fine when they go by e-mail.
        if self.contact_preference.data == ContactPreference.phone and phones.is_landline(
            field.data or ""
        ):
            raise ValidationError(
                _l(
                    "This is a landline number, and text messages cannot reach it. Give a "
                    "mobile number, or choose another way to be contacted."
                )
            )

    def validate_email(self, field: StringField) -> None:
        if self.contact_preference.data == ContactPreference.email and not field.data:
            raise ValidationError(
                _l("Give an e-mail address, or choose another way to be contacted.")
            )

    def validate_departed_on(self, field: DateField) -> None:
        if field.data and self.recruited_on.data and field.data < self.recruited_on.data:
            raise ValidationError(_l("The departure cannot be before the recruitment."))

    def validate_grounds(self, field: SelectMultipleField) -> None:
        ticked = field.data or []
        if not ticked or not set(ticked) <= set(_values(Ground)):
            raise ValidationError(_l("Tick at least one thing that went wrong."))


class PartnerComplaintForm(ComplaintForm):
    """The complaint form as partner staff fill it: they say how it reached them."""

    channel = _choice(Channel, _l("Say how the complaint reached you."))


# --- the complainant's side ------------------------------------------------------------


class CheckCaseForm(PortalForm):
    """ "Check my case": the reference and the receipt code from the receipt."""

    reference = DigitsField(
        default="", validators=[DataRequired(_l("Give the case reference from your receipt."))]
    )
    code = DigitsField(
        default="", validators=[DataRequired(_l("Give the receipt code from your receipt."))]
    )


class ReplyForm(PortalForm):
    """A message from the complainant (or their partner); files come with it or alone."""

    body = _text(MAX_REPLY, _lf(N_("Keep the message under %(n)d characters."), n=MAX_REPLY))


# --- the officers' actions on a case ----------------------------------------------------


class AssignForm(PortalForm):
    officer = StringField(default="")  # an active officer: the service looks them up


class AcknowledgeForm(PortalForm):
    acknowledge_message = _text(MAX_TEXT, KEEP_TEXT_SHORT)


class RequestResponseForm(PortalForm):
    request_message = _text(MAX_TEXT, KEEP_TEXT_SHORT, required=WRITE_SOMETHING)


class InvestigateForm(PortalForm):
    investigate_note = _text(MAX_TEXT, KEEP_TEXT_SHORT)


class CloseForm(PortalForm):
    close_note = _text(MAX_TEXT, KEEP_TEXT_SHORT)


class ReopenForm(PortalForm):
    reopen_reason = _text(MAX_TEXT, KEEP_TEXT_SHORT, required=WRITE_SOMETHING)


class NoteForm(PortalForm):
    note_body = _text(MAX_TEXT, KEEP_TEXT_SHORT, required=WRITE_SOMETHING)


# The case page sends "1" or "0" for a yes/no the officer sets (a hidden field or a box).
YES_ONLY = ("", "0", "false")


class MessageForm(PortalForm):
    message_body = _text(MAX_TEXT, KEEP_TEXT_SHORT, required=WRITE_SOMETHING)
    asks_answer = BooleanField(false_values=YES_ONLY)


class SensitiveForm(PortalForm):
    sensitive = BooleanField(false_values=YES_ONLY)
    sensitive_reason = _text(MAX_TEXT, KEEP_TEXT_SHORT)

    def validate_sensitive_reason(self, field: StringField) -> None:
        if not field.data:  # setting or clearing the mark, the reason is on the timeline
            raise ValidationError(WRITE_SOMETHING)


# Compensation and mediated settlements carry an amount; the other outcomes do not.
WITH_AMOUNT = (Outcome.settlement, Outcome.compensation)


class OutcomeForm(PortalForm):
    """The outcome of a case, with the compensation paid and the sanction."""

    outcome = _choice(Outcome, _l("Choose the outcome."))
    compensation = AmountField(
        places=None,
        invalid_value_message=_l("Write the amount as a number, like 1500 or 1500.50."),
    )
    currency = SelectField(choices=_values(Currency), validate_choice=False, default="")
    sanction = _choice(
        Sanction,
        _l("Choose a sanction from the list."),
        filters=[lambda s: s or Sanction.none.value],
    )
    outcome_note = _text(MAX_TEXT, KEEP_TEXT_SHORT)
    # Each worker's share, in the order the case page lists the workers (optional).
    worker_compensation = FieldList(
        AmountField(
            places=None,
            invalid_value_message=_l("Write the amount as a number, like 1500 or 1500.50."),
            validators=[
                Optional(),
                NumberRange(0, LARGEST_CLAIM, _l("Write the amount as a number, e.g. 1500.")),
            ],
        ),
        max_entries=MAX_WORKERS,
    )

    def shares(self) -> list[Decimal | None]:
        return [entry.data for entry in self.worker_compensation]

    def validate_compensation(self, field: AmountField) -> None:
        shared = [share for share in self.shares() if share is not None]
        if shared and self.outcome.data and self.outcome.data not in WITH_AMOUNT:
            raise ValidationError(_l("Only a settlement or compensation has an amount."))
        if field.data is None:
            if self.outcome.data == Outcome.compensation and not shared:
                raise ValidationError(_l("Write the amount of compensation paid."))
            return
        if not 0 < field.data <= LARGEST_CLAIM:
            raise ValidationError(_l("Write the amount as a number, like 1500 or 1500.50."))
        if self.outcome.data and self.outcome.data not in WITH_AMOUNT:
            raise ValidationError(_l("Only a settlement or compensation has an amount."))
        if sum(shared) > field.data:
            raise ValidationError(_l("The workers' amounts add up to more than the total."))

    def validate_currency(self, field: SelectField) -> None:
        amounts = [self.compensation, *self.worker_compensation]
        written = any(f.raw_data and f.raw_data[0].strip() for f in amounts)
        if written and field.data not in _values(Currency):
            raise ValidationError(_l("Choose the currency."))

    def total_paid(self) -> Decimal | None:
        """The compensation in total: as written, or else the workers' shares added up."""
        if self.compensation.data is not None:
            return Decimal(self.compensation.data)
        shared = [share for share in self.shares() if share is not None]
        return Decimal(sum(shared)) if shared else None

    def currency_paid(self) -> str:
        """The currency of the compensation, only when there is an amount."""
        return self.currency.data if self.total_paid() is not None else ""


class AgencyResponseForm(PortalForm):
    """The agency's response to a complaint (files may come with it)."""

    response = _text(MAX_TEXT, KEEP_TEXT_SHORT, required=WRITE_SOMETHING)
