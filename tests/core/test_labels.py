"""Labelled enumerations: a value's label in the reader's language, a select's choices,
and the plain values the database stores."""

from __future__ import annotations

import pytest

from portal import i18n
from portal.accounts.tables import User
from portal.complaints.tables import AgeBand
from portal.core.roles import Role
from portal.labels import LabelledEnum


@pytest.fixture
def khmer():
    token = i18n.current_language.set("km")
    yield
    i18n.current_language.reset(token)


def test_a_label_is_in_the_readers_language(khmer):
    assert Role.officer.label == i18n.catalog("km").gettext("Case officer") != "Case officer"
    assert Role.label_of("officer") == Role.officer.label


def test_choices_are_the_stored_values_with_their_labels():
    assert AgeBand.choices()[:2] == [("under_18", "Under 18"), ("18_24", "18 to 24")]


def test_a_value_that_is_none_of_ours_shows_as_it_is_or_as_told():
    assert Role.label_of("auditor") == "auditor"
    assert Role.label_of(None, "—") == "—"


def test_the_database_sees_plain_values():
    assert Role("agency") is Role.agency and Role.agency == "agency"
    assert {c["value"] for c in User.role._meta.get_choices_dict().values()} == set(Role)


def test_a_value_without_a_label_is_refused():
    with pytest.raises(TypeError, match="needs a label"):

        class Unlabelled(LabelledEnum):
            plain = "plain"
