"""The admin's settings on the statistics page: the smallest count the public figures show,
and the digits Khmer pages use."""

from __future__ import annotations

from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from portal import display
from portal.forms import PortalForm, _l
from portal.reports.services import MAX_THRESHOLD, MIN_THRESHOLD


class ThresholdForm(PortalForm):
    threshold = IntegerField(
        invalid_value_message=_l("Enter a whole number."),
        validators=[
            InputRequired(_l("Enter a whole number.")),
            NumberRange(
                MIN_THRESHOLD,
                MAX_THRESHOLD,
                _l("Enter a whole number from %(min)s to %(max)s."),
            ),
        ],
    )


class DigitsForm(PortalForm):
    digits = SelectField(
        choices=list(display.STYLES), validate_choice=True, coerce=str, default=display.KHMER
    )
