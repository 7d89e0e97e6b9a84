"""The admin's statistics setting: the smallest count the public figures show."""

from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

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
