"""Signing in and out, as a person at the login form would notice it."""

from __future__ import annotations

from tests.conftest import PASSWORD, post_form, sign_in


async def test_sign_in_opens_the_page_asked_for_and_sign_out_ends_the_session(client, make_user):
    admin = await make_user("admin")
    response = await client.get("/admin/users")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/users"

    response = await post_form(
        client, "/login", {"email": admin.email, "password": PASSWORD, "next": "/admin/users"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/users"
    assert (await client.get("/admin/users")).status_code == 200

    old_cookie = client.cookies["portal_session"]
    response = await post_form(client, "/logout")
    assert response.status_code == 303
    # The old cookie, replayed, no longer opens anything: the session ended on the server.
    client.cookies.set("portal_session", old_cookie)
    assert (await client.get("/admin/users")).status_code == 303


async def test_wrong_password_unknown_email_and_inactive_account_get_one_message(client, make_user):
    user = await make_user("officer")
    inactive = await make_user("officer", is_active=False)
    pages = [
        await post_form(client, "/login", {"email": user.email, "password": "wrong password"}),
        await post_form(client, "/login", {"email": "nobody@test.example", "password": PASSWORD}),
        await post_form(client, "/login", {"email": inactive.email, "password": PASSWORD}),
    ]
    for page in pages:
        assert page.status_code == 400
        assert "The e-mail address or password is not right" in page.text
    # The form comes back with the address filled in.
    assert f'value="{user.email}"' in pages[0].text


async def test_a_sign_in_form_missing_its_fields_is_a_wrong_sign_in_not_a_crash(client):
    for fields in ({"password": PASSWORD}, {"email": "nobody@test.example"}, {}):
        page = await post_form(client, "/login", fields)
        assert page.status_code == 400, fields
        assert "The e-mail address or password is not right" in page.text


async def test_sign_in_ignores_off_site_next(client, make_user):
    user = await make_user("officer")
    response = await post_form(
        client,
        "/login",
        {"email": user.email, "password": PASSWORD, "next": "//evil.example/steal"},
    )
    assert response.headers["location"] == "/"


async def test_signed_in_user_is_sent_on_from_the_login_page(client, make_user):
    user = await make_user("officer")
    await sign_in(client, user)
    response = await client.get("/login")
    assert response.status_code == 303
