"""A new account is refused, with the reason beside the field, when a text is longer
than an account keeps or the e-mail address is no address (checked with email-validator)."""

from __future__ import annotations

import html

import pytest

from portal.accounts.tables import User
from tests.accounts.test_admin_users import _new_user_form
from tests.conftest import post_form


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"full_name": "C" * 201}, "full_name", "Use at most 200 characters."),
        (
            {"role": "partner", "organisation": "O" * 201},
            "organisation",
            "Use at most 200 characters.",
        ),
        ({"email": "chantha@"}, "email", "Enter an e-mail address like name@example.org."),
        ({"email": "chantha@test .example"}, "email", "Enter an e-mail address"),
        ({"email": "chantha@@test.example"}, "email", "Enter an e-mail address"),
        ({"email": "chantha@localhost"}, "email", "Enter an e-mail address"),
        ({"full_name": "Chantha\x00Ly"}, "full_name", "This text contains an invisible"),
    ],
)
async def test_an_account_the_portal_cannot_keep_is_refused(
    client, as_role, fields, field, message
):
    await as_role("admin")
    response = await post_form(client, "/admin/users/new", _new_user_form(**fields))
    assert response.status_code == 400
    assert f'id="e-{field}">{message}' in html.unescape(response.text)
    assert await User.count() == 1  # the admin only
