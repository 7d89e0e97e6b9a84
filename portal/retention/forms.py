"""The admin's personal-data page: the retention period, a complainant's export, and
anonymising one case early."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from portal.forms import PortalForm, _l
from portal.retention.services import MAX_YEARS, MIN_YEARS


class RetentionForm(PortalForm):
    years = IntegerField(
        invalid_value_message=_l("Enter a whole number."),
        validators=[
            InputRequired(_l("Enter a whole number.")),
            NumberRange(MIN_YEARS, MAX_YEARS, _l("Enter a whole number from %(min)s to %(max)s.")),
        ],
    )


class ExportForm(PortalForm):
    export_reference = StringField(validators=[DataRequired(_l("Enter the case reference."))])


class AnonymiseForm(PortalForm):
    reference = StringField(validators=[DataRequired(_l("Enter the case reference."))])
    reason = TextAreaField()  # required, with its length, in the service
    confirm = BooleanField(
        validators=[
            DataRequired(_l("Tick the box to confirm: the personal data cannot be brought back."))
        ]
    )
