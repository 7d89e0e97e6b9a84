"""Every number, date and code a person types may be typed with Khmer digits and spaces,
as a Khmer keyboard writes them ("០១២ ៣៤៥ ៦៧៨"): each numeric field of each form reads it
as the same value written with 0-9."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from litestar.datastructures import FormMultiDict
from wtforms import DateField, DateTimeField, DecimalField, FloatField, IntegerField

import portal
from portal.complaints.tables import Complaint
from portal.forms import NUMERIC_FIELDS, DigitsField, PortalForm, _fields, whole_number
from tests.complaints.test_intake import complaint_fields, form_token, post_complaint, receipt_of

# What a person types in each kind of numeric field, and the value the form must read.
TYPED: list[tuple[type, str, Any]] = [
    (DigitsField, " ០១២ ៣៤៥ ៦៧៨ ", "012 345 678"),
    (IntegerField, "១ ២", 12),
    (DecimalField, "១ ៥០០", Decimal(1500)),
    (FloatField, "១២.៥", 12.5),
    (DateField, "២០២៦-០៤-១៤", date(2026, 4, 14)),
    (DateTimeField, "២០២៦-០៤-១៤ ០៩:៣០:០០", datetime(2026, 4, 14, 9, 30)),
]


def _form_classes() -> Iterator[type[PortalForm]]:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(module.name)
    seen: set[type] = set()
    waiting: list[type] = [PortalForm]
    while waiting:
        for sub in waiting.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                waiting.append(sub)
                yield sub


def _numeric_fields() -> list[tuple[type[PortalForm], str, type]]:
    found = []
    for form_class in _form_classes():
        for field in _fields(form_class()):
            if isinstance(field, NUMERIC_FIELDS):
                found.append((form_class, field.name, type(field)))
    return found


def test_every_numeric_field_of_every_form_reads_khmer_digits_and_spaces():
    fields = _numeric_fields()
    names = {name for _, name, _ in fields}
    # The walk must reach the forms a person fills in with numbers, or it proves nothing.
    assert {"phone", "amount_claimed", "code", "threshold", "max_score", "day"} <= names
    assert any(name.endswith("_amount") for name in names)  # the deadline policy's subforms
    for form_class, name, kind in fields:
        typed, expected = next((t, e) for k, t, e in TYPED if issubclass(kind, k))
        form = form_class(FormMultiDict([(name, typed)]))
        field = next(f for f in _fields(form) if f.name == name)
        assert field.process_errors == [], (form_class.__name__, name, field.process_errors)
        assert field.data == expected, (form_class.__name__, name, field.data)


def test_scores_read_without_a_form_take_khmer_digits_too():
    assert whole_number("១០", 0, 10) == 10
    assert whole_number("១ ០", 0, 10) == 10
    assert whole_number("១១", 0, 10) is None


async def test_a_complaint_typed_on_a_khmer_keyboard_is_filed(client, make_agency):
    agency = await make_agency()
    await client.get("/complaints/new?lang=km")
    token = await form_token(client)
    response = await post_complaint(
        client,
        complaint_fields(token, agency.licence_number, phone="០១២ ៣៤៥ ៦៧៨", amount_claimed="១ ៥០០"),
    )
    assert response.status_code == 200, response.text
    assert receipt_of(response)
    stored = await Complaint.select(Complaint.phone, Complaint.amount_claimed).first()
    assert stored["phone"] == "012 345 678"
    assert stored["amount_claimed"] == Decimal(1500)
