"""The admin's deadline forms: each stage's time allowed and grace period, a holiday."""

from __future__ import annotations

from wtforms import DateField, FormField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange

from portal.deadlines import Stage, Unit
from portal.deadlines.services import MAX_HOURS, MAX_WORKING_DAYS
from portal.forms import PortalForm, _l, strip


class StagePolicyForm(PortalForm):
    """One stage: how long it may take, counted in what, and when supervisors hear."""

    amount = IntegerField(
        invalid_value_message=_l("Enter a whole number."),
        validators=[InputRequired(_l("Enter a whole number."))],
    )
    unit = SelectField(
        choices=[unit.value for unit in Unit],
        validate_choice=False,  # AnyOf says it in the portal's words
        validators=[AnyOf([unit.value for unit in Unit], _l("Choose hours or working days."))],
    )
    grace = IntegerField(
        invalid_value_message=_l("Enter a whole number."),
        validators=[
            InputRequired(_l("Enter a whole number.")),
            NumberRange(0, MAX_HOURS, _l("Enter a whole number of hours from 0 to %(max)s.")),
        ],
    )

    def validate_amount(self, field: IntegerField) -> None:
        high = MAX_HOURS if self.unit.data == Unit.HOURS else MAX_WORKING_DAYS
        NumberRange(1, high, _l("Enter a whole number from 1 to %(max)s."))(self, field)


class PolicyForm(PortalForm):
    """The policy page: `<stage>_amount`, `<stage>_unit` and `<stage>_grace` for each stage."""

    def stages(self) -> list[tuple[Stage, int, Unit, int]]:
        """(stage, amount, unit, grace hours) of a checked form."""
        rows = []
        for stage in Stage:
            one = self[stage.value].form
            rows.append((stage, one.amount.data, Unit(one.unit.data), one.grace.data))
        return rows


for _stage in Stage:
    setattr(PolicyForm, _stage.value, FormField(StagePolicyForm, separator="_"))


class HolidayForm(PortalForm):
    day = DateField(validators=[InputRequired(_l("Enter a date."))])
    name = StringField(
        filters=[strip],
        validators=[
            DataRequired(_l("Enter what the holiday is.")),
            Length(max=200, message=_l("Use at most 200 characters.")),
        ],
    )
