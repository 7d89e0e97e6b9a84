"""Forms: declared once with WTForms (each field's type, limits and messages), and the one
way a form POST is answered.

A handler reads its form with `read_form(request, TheForm)`, which raises FormErrors when
a field is wrong; services raise FormErrors too when a rule of theirs refuses a value.
`submit()` turns either into the same page again, filled in as it was sent, with each
error beside its field (400); otherwise the handler's redirect goes out.

Messages are written `_l("...")`: WTForms fills in their %(min)s/%(max)s when it checks
a field, and they are translated then, into the reader's language.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from types import SimpleNamespace
from typing import Any, TypeVar

from babel.support import LazyProxy
from email_validator import EmailNotValidError, validate_email
from litestar import Request, Response
from litestar.datastructures import FormMultiDict
from litestar.response import Template
from wtforms import (
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    StringField,
)
from wtforms.validators import StopValidation

from portal import i18n
from portal.errors import FormErrors
from portal.i18n import N_
from portal.templating import render

F = TypeVar("F", bound=Form)


def _l(message: str) -> Any:
    """A message translated each time it is used (so in each reader's language)."""
    return LazyProxy(i18n.gettext, message, enable_cache=False)


def strip(text: str | None) -> str | None:
    """A field filter: the text without the spaces around it (a value typed with a
    trailing space is the same value)."""
    return text.strip() if text else text


# WTForms' own messages for a value it cannot read, translated through our catalogue.
WTFORMS_MESSAGES = (
    N_("Not a valid date value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid choice."),
    N_("This field is required."),
)


# Control characters but tab, CR and LF: PostgreSQL refuses NUL, and none has a place in
# text a person typed.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_CHARACTER_MESSAGE = N_("This text contains an invisible control character. Remove it.")


def has_control_character(text: str) -> bool:
    return _CONTROL_CHARACTER.search(text) is not None


def _no_control_character(form: Form, field: Field) -> None:
    if any(isinstance(v, str) and has_control_character(v) for v in field.raw_data or ()):
        raise StopValidation(i18n.gettext(CONTROL_CHARACTER_MESSAGE))


_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
# Spaces people type inside a number ("1 500", "០១២ ៣៤៥ ៦៧៨"), and the zero-width space
# Khmer keyboards put between words.
_SPACES = re.compile(r"[\s\u200b]+")


def typed_number(text: str, keep_spaces: bool = False) -> str:
    """A number, date or code as a person typed it, read with digits 0-9: Khmer digits
    become 0-9 and the spaces inside go (`keep_spaces`: only those around it)."""
    latin = text.translate(_KHMER_DIGITS)
    return latin.strip() if keep_spaces else _SPACES.sub("", latin)


class DigitsField(StringField):
    """Text a person types mostly as digits, stored as text (a phone number, a receipt
    code): Khmer digits are read as 0-9 and the spaces inside are kept."""


# The fields whose values are numbers or dates: PortalForm reads Khmer digits and spaces
# in them before WTForms converts them.
NUMERIC_FIELDS = (IntegerField, DecimalField, FloatField, DateField, DateTimeField, DigitsField)


class _TypedNumbers:
    """Form data with the values of a form's numeric fields read by typed_number()."""

    def __init__(self, formdata: Any, numeric: dict[str, bool]) -> None:
        self.formdata = formdata
        self.numeric = numeric  # field name: whether its inside spaces are kept

    def __iter__(self) -> Iterator[str]:
        return iter(self.formdata)

    def __len__(self) -> int:
        return len(self.formdata)

    def __contains__(self, name: str) -> bool:
        return name in self.formdata

    def getlist(self, name: str) -> list[Any]:
        values = self.formdata.getlist(name)
        if name not in self.numeric:
            return values
        keep = self.numeric[name]
        return [typed_number(v, keep) if isinstance(v, str) else v for v in values]


def whole_number(text: str, low: int, high: int) -> int | None:
    """The whole number written in `text` (digits 0-9 or Khmer digits, spaces inside
    allowed) when it lies within low..high, else None. The digits are counted first:
    int() refuses more than 4,300 of them."""
    text = typed_number(text)
    if not text.isascii() or not text.isdecimal() or len(text.lstrip("0")) > len(str(high)):
        return None
    number = int(text)
    return number if low <= number <= high else None


TOO_LONG = N_("Use at most %(max)s characters.")


def too_long(values: Mapping[str, str], limits: Mapping[str, int]) -> dict[str, str]:
    """A message for each value longer than its limit (what its column holds, say)."""
    return {
        name: i18n.gettext(TOO_LONG) % {"max": limit}
        for name, limit in limits.items()
        if len(values.get(name) or "") > limit
    }


def is_email_address(text: str) -> bool:
    """An address mail can be sent to, by its form (no DNS look-up)."""
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


class PortalForm(Form):
    """A form of the portal: WTForms' own messages come in the reader's language, no
    field takes a control character, and numbers and dates may be typed with Khmer digits
    and spaces (NUMERIC_FIELDS)."""

    class Meta:
        def get_translations(self, form: Form) -> Any:
            return SimpleNamespace(gettext=i18n.gettext, ngettext=i18n.ngettext)

        def wrap_formdata(self, form: Form, formdata: Any) -> Any:
            formdata = super().wrap_formdata(form, formdata)  # type: ignore[misc]
            numeric = {
                field.name: isinstance(field, DigitsField)
                for field in form
                if isinstance(field, NUMERIC_FIELDS)
            }
            return (
                _TypedNumbers(formdata, numeric) if formdata is not None and numeric else formdata
            )

        def bind_field(self, form: Form, unbound_field: Any, options: dict[str, Any]) -> Field:
            field = unbound_field.bind(form=form, **options)
            if not isinstance(field, FormField | FieldList):  # their own fields are checked
                field.validators = [_no_control_character, *field.validators]
            return field


def errors_by_field(form: Form) -> dict[str, str]:
    """The first error of each field, by the field's name in the page (a subform's fields
    and a list's entries included), as the page shows it beside the field."""
    return {field.name: str(field.errors[0]) for field in _fields(form) if field.errors}


def _fields(fields: Iterable[Field]) -> Iterator[Field]:
    for field in fields:
        if isinstance(field, FormField):
            yield from _fields(field.form)
        elif isinstance(field, FieldList):
            yield from _fields(field.entries)
        else:
            yield field


# The names the portal's fields have. WTForms reads the digits of "worker-0-name" with
# int(), which fails on "²" or 5,000 digits: another name is no field of the portal anyway.
_FIELD_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")


async def text_data(request: Request) -> FormMultiDict:
    """The submitted form's text fields: a file sent under a text field's name is not a
    value WTForms can read (the files are read with portal.uploads)."""
    fields = await request.form()
    return FormMultiDict(
        [(k, v) for k, v in fields.multi_items() if isinstance(v, str) and _FIELD_NAME.fullmatch(k)]
    )


async def read_form(request: Request, form_class: type[F], **context: Any) -> F:
    """The submitted form, checked; FormErrors if a field is wrong. `context` goes to the
    form's constructor: what its checks need to know (the codes already in use, say), so
    that every error shows at once."""
    form = form_class(await text_data(request), **context)
    if not form.validate():
        raise FormErrors(errors_by_field(form))
    return form


async def read_values(request: Request) -> dict[str, str]:
    """The text fields of a form read without a form class (fields named after each
    indicator, say); FormErrors names each field with a control character."""
    message = i18n.gettext(CONTROL_CHARACTER_MESSAGE)
    refused = {
        name: message
        for name, value in (await request.form()).multi_items()
        if isinstance(value, str) and has_control_character(value)
    }
    if refused:
        raise FormErrors(refused)
    return await sent_values(request)


async def sent_values(request: Request, form_class: type[Form] | None = None) -> dict[str, str]:
    """The text fields as they were sent, to fill the form in again (never a password)."""
    secret = set()
    if form_class is not None:
        secret = {field.name for field in form_class() if isinstance(field, PasswordField)}
    fields = await request.form()
    return {
        name: value
        for name, value in fields.items()
        if isinstance(value, str) and name not in secret
    }


async def submit(
    request: Request,
    save: Callable[[], Awaitable[Response]],
    again: Callable[[dict[str, str], dict[str, str]], Awaitable[Response] | Response],
    form_class: type[Form] | None = None,
) -> Response:
    """Answer a form POST: `save()` reads the form, calls the service and returns where to
    go next (a redirect); when it raises FormErrors, `again(values, errors)` shows the
    same page with the values as sent and each error beside its field, as a 400."""
    try:
        return await save()
    except FormErrors as error:
        page = again(await sent_values(request, form_class), error.errors)
        response = await page if inspect.isawaitable(page) else page
        response.status_code = 400
        return response


def form_page(
    request: Request,
    template_name: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """A page with a form, filled in with `values` (as stored, or as sent) and each of
    `errors` beside its field; empty without them. A page's helper passes on the
    `(values, errors)` that `submit` gives `again`, so the same helper serves both."""
    return render(request, template_name, form=values or {}, errors=errors or {}, **context)
