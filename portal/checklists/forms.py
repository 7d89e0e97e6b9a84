"""The checklist forms: a draft's articles and indicators, a new cycle, an improvement
action. Every field is checked here, so that all the errors show at once: what a check
needs from the database (the codes in use, the published versions, the checklist's
indicators) is handed to the form, and a rule is written once, in the service, which
applies it again (`portal demo-data` calls the services too).

The score sheet, the answers and the per-action notes name their fields after each
indicator or action (`score-<id>`); their rules depend on that indicator, so the
services read them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.access import MAX_ID, record_id
from portal.checklists.checklist_editor import INDICATOR_CODE_TAKEN, SECTION_CODE_TAKEN
from portal.checklists.checklist_file import MAX_CODE, MAX_TEXT_LENGTH, MAX_TITLE
from portal.checklists.cycles import (
    DEFAULT_REPLY_DAYS,
    MAX_REPLY_DAYS,
    NewCycle,
    cycle_problems,
)
from portal.checklists.improvements import MAX_TEXT, NewAction, action_problems
from portal.forms import PortalForm, _l, strip

_AT_MOST = _l("Use at most %(max)s characters.")


def _text(*validators: Any, limit: int = MAX_TEXT_LENGTH) -> StringField:
    """Free text, trimmed, at most `limit` characters."""
    validators = (*validators, Length(max=limit, message=_AT_MOST))
    return StringField(default="", filters=[strip], validators=list(validators))


class _CodedForm(PortalForm):
    """An article or indicator: its code must differ from the others' in the version."""

    code_taken: str

    def __init__(self, formdata: Any = None, codes_in_use: Collection[str] = (), **kwargs: Any):
        super().__init__(formdata, **kwargs)
        self.codes_in_use = set(codes_in_use)

    def validate_code(self, field: StringField) -> None:
        if field.data in self.codes_in_use:
            raise ValidationError(_l(self.code_taken))

    def values(self) -> dict[str, Any]:
        return {field.name: field.data for field in self}


class SectionForm(_CodedForm):
    """An article of a draft checklist."""

    code_taken = SECTION_CODE_TAKEN
    code = _text(DataRequired(_l("Enter a code, such as 3.")), limit=MAX_CODE)
    title_en = _text(DataRequired(_l("Enter the article's title in English.")), limit=MAX_TITLE)
    title_km = _text(limit=MAX_TITLE)


_WHOLE_1_TO_10 = _l("Enter a whole number from 1 to 10.")


class IndicatorForm(_CodedForm):
    """An indicator of a draft checklist."""

    code_taken = INDICATOR_CODE_TAKEN
    code = _text(DataRequired(_l("Enter a code, such as 3.2.")), limit=MAX_CODE)
    text_en = _text(DataRequired(_l("Enter the indicator's text in English.")))
    text_km = _text()
    guidance_en = _text()
    guidance_km = _text()
    evidence_hint_en = _text()
    evidence_hint_km = _text()
    max_score = IntegerField(
        invalid_value_message=_WHOLE_1_TO_10,
        validators=[InputRequired(_WHOLE_1_TO_10), NumberRange(1, 10, _WHOLE_1_TO_10)],
    )
    evidence_required = BooleanField()  # the box is ticked: "yes"


_A_DATE = _l("Enter a date like 2026-12-31.")
_A_VERSION = _l("Choose a published checklist version.")


_REPLY_DAYS = _l("Enter a number of working days from 0 to 60.")  # MAX_REPLY_DAYS


def _date(message: Any) -> DateField:
    return DateField(invalid_value_message=message, validators=[InputRequired(message)])


class CycleForm(PortalForm):
    """The admin opens a cycle."""

    title_en = _text(DataRequired(_l("Enter a title.")), limit=MAX_TITLE)
    title_km = _text(limit=MAX_TITLE)
    template = IntegerField(
        invalid_value_message=_A_VERSION,
        validators=[InputRequired(_A_VERSION), NumberRange(1, MAX_ID, _A_VERSION)],
    )
    opens_on = _date(_A_DATE)
    submission_deadline = _date(_A_DATE)
    review_deadline = _date(_A_DATE)
    participants = StringField(default="all")  # "chosen": only the agencies ticked
    # The ids ticked; one that names no agency is left out by the service.
    agencies = SelectMultipleField(validate_choice=False)
    bands = _text()  # empty: the default bands
    reply_days = IntegerField(
        default=DEFAULT_REPLY_DAYS,
        invalid_value_message=_REPLY_DAYS,
        # Left empty: the default.
        validators=[Optional(), NumberRange(0, MAX_REPLY_DAYS, _REPLY_DAYS)],
    )

    def __init__(self, formdata: Any = None, published: Collection[int] = (), **kwargs: Any):
        super().__init__(formdata, **kwargs)
        self.published = set(published)  # the checklist versions a cycle may use

    def _breaks_a_rule(self, field: Field) -> None:
        problems = cycle_problems(
            self.template.data,
            self.opens_on.data,
            self.submission_deadline.data,
            self.review_deadline.data,
            self.bands.data,
            self.published,
        )
        if problem := problems.get(field.name):
            raise ValidationError(problem)

    validate_template = _breaks_a_rule
    validate_submission_deadline = _breaks_a_rule
    validate_review_deadline = _breaks_a_rule
    validate_bands = _breaks_a_rule

    def new_cycle(self) -> NewCycle:
        return NewCycle(
            title_en=self.title_en.data,
            title_km=self.title_km.data,
            template=self.template.data,
            opens_on=self.opens_on.data,
            submission_deadline=self.submission_deadline.data,
            review_deadline=self.review_deadline.data,
            participants=self.participants.data or "all",
            agencies=[i for i in map(record_id, self.agencies.data or []) if i],
            bands=self.bands.data,
            reply_days=DEFAULT_REPLY_DAYS if self.reply_days.data is None else self.reply_days.data,
        )


class ActionForm(PortalForm):
    """The chair sets an improvement action."""

    indicator = StringField()
    action_en = _text(DataRequired(_l("Say what the agency must do.")), limit=MAX_TEXT)
    action_km = _text(limit=MAX_TEXT)
    due_on = _date(_l("Enter a date."))

    def __init__(self, formdata: Any = None, indicators: Collection[int] = (), **kwargs: Any):
        super().__init__(formdata, **kwargs)
        self.indicators = set(indicators)  # the reviewed checklist's

    def _breaks_a_rule(self, field: Field) -> None:
        problems = action_problems(self._indicator_id(), self.due_on.data, self.indicators)
        if problem := problems.get(field.name):
            raise ValidationError(problem)

    validate_indicator = _breaks_a_rule
    validate_due_on = _breaks_a_rule

    def _indicator_id(self) -> int | None:
        return record_id(self.indicator.data or "")

    def new_action(self) -> NewAction:
        return NewAction(
            indicator=self._indicator_id(),
            action_en=self.action_en.data,
            action_km=self.action_km.data,
            due_on=self.due_on.data,
        )
