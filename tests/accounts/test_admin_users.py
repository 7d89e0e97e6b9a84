"""The admin manages accounts in the browser: create, deactivate, reset a password; each
change is in the audit log."""

from __future__ import annotations

import re

import pytest

from portal.accounts.tables import LoginSession, Organisation, User
from portal.audit.tables import AuditEvent
from tests.conftest import post_form, sign_in


def _new_user_form(**fields):
    form = {
        "full_name": "Chantha Ly",
        "email": "chantha@test.example",
        "role": "officer",
        "password": "a-temporary-pass",
        "organisation_kind": "ngo",
    }
    form.update(fields)
    return form


@pytest.mark.parametrize(
    ("role", "extra", "check"),
    [
        ("officer", {}, lambda u: u.agency is None and u.organisation is None),
        ("admin", {}, lambda u: u.role == "admin"),
        (
            "committee",
            {"constituency": "civil_society"},
            lambda u: u.constituency == "civil_society",
        ),
        (
            "partner",
            {"organisation": "Kampong Cham MRC", "organisation_kind": "mrc"},
            lambda u: u.organisation is not None,
        ),
        ("agency", {"agency": "AG-001"}, lambda u: u.agency is not None),
    ],
)
async def test_admin_creates_an_account_for_each_role(
    client, as_role, make_agency, role, extra, check
):
    await as_role("admin")
    await make_agency(licence_number="AG-001")
    response = await post_form(client, "/admin/users/new", _new_user_form(role=role, **extra))
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "The account has been created." in page.text and "Chantha Ly" in page.text
    user = await User.objects().where(User.email == "chantha@test.example").first()
    assert user.role == role and check(user) and user.must_change_password
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await AuditEvent.exists().where(
        (AuditEvent.action == "user.created") & (AuditEvent.object_id == str(user.id))
    )


async def test_a_form_with_mistakes_comes_back_filled_in_with_each_error_by_its_field(
    client, as_role
):
    await as_role("admin")
    form = _new_user_form(email="not-an-address", role="agency", password="short", agency="")
    response = await post_form(client, "/admin/users/new", form)
    assert response.status_code == 400
    html = response.text
    assert 'value="Chantha Ly"' in html and 'value="not-an-address"' in html
    for field, message in [
        ("email", "Enter an e-mail address like name@example.org."),
        ("password", "Use at least 10 characters."),
        ("agency", "Agency staff need an agency"),
    ]:
        # The message sits in the element the field points to with aria-describedby.
        assert re.search(rf'id="e-{field}">{re.escape(message)}', html), field
    assert await User.count() == 1  # only the admin: nothing half-saved


async def test_partner_needs_an_organisation_and_committee_a_constituency(client, as_role):
    await as_role("admin")
    response = await post_form(client, "/admin/users/new", _new_user_form(role="partner"))
    assert "Partner staff need an organisation." in response.text
    response = await post_form(client, "/admin/users/new", _new_user_form(role="committee"))
    assert "Choose which body this committee member represents." in response.text
    assert await Organisation.count() == 0


async def test_duplicate_email_is_refused(client, as_role, make_user):
    await as_role("admin")
    existing = await make_user("officer")
    response = await post_form(
        client, "/admin/users/new", _new_user_form(email=existing.email.upper())
    )
    assert "There is already an account with this e-mail address." in response.text


async def test_deactivate_and_reactivate(client, as_role, make_user):
    await as_role("admin")
    officer = await make_user("officer")
    await post_form(client, f"/admin/users/{officer.id}/deactivate")
    page = await client.get(f"/admin/users/{officer.id}")
    assert "The account has been deactivated." in page.text and "Reactivate account" in page.text
    await post_form(client, f"/admin/users/{officer.id}/activate")
    page = await client.get(f"/admin/users/{officer.id}")
    assert "The account has been reactivated." in page.text
    actions = await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.object_id == str(officer.id)
    )
    assert [a["action"] for a in actions] == ["user.deactivated", "user.activated"]


async def test_admin_cannot_lock_themself_out(client, as_role):
    admin = await as_role("admin")
    response = await post_form(client, f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 400
    assert "You cannot deactivate your own account." in response.text


async def test_password_reset_shows_a_temporary_password_once_and_forces_a_change(
    app, client, as_role, make_user
):
    import httpx

    await as_role("admin")
    officer = await make_user("officer")
    response = await post_form(client, f"/admin/users/{officer.id}/reset-password")
    assert response.status_code == 200
    temporary = re.search(r'class="secret">([a-z0-9-]+)<', response.text).group(1)
    assert temporary not in (await client.get(f"/admin/users/{officer.id}")).text
    assert await LoginSession.count().where(LoginSession.user == officer.id) == 0

    transport = httpx.ASGITransport(app=app, client=("198.51.100.2", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as browser:
        response = await sign_in(browser, officer, password=temporary)
        assert response.headers["location"] == "/account/password"
        # Every other page sends them back until they choose their own password.
        assert (await browser.get("/")).status_code == 200  # the public home page
        assert (await browser.get("/admin/users")).headers["location"] == "/account/password"
        response = await post_form(
            browser,
            "/account/password",
            {
                "current_password": temporary,
                "new_password": "my own long password",
                "repeat_password": "my own long password",
            },
        )
        assert response.status_code == 303
        page = await browser.get("/")
        assert "Your password has been changed." in page.text


async def test_change_password_errors_are_shown_by_their_fields(client, as_role):
    await as_role("officer")
    response = await post_form(
        client,
        "/account/password",
        {
            "current_password": "wrong",
            "new_password": "long enough pw",
            "repeat_password": "long enough pw",
        },
    )
    assert 'id="e-current_password">The current password is not right.' in response.text
    response = await post_form(
        client,
        "/account/password",
        {"current_password": "x", "new_password": "one thing", "repeat_password": "another"},
    )
    assert "The two new passwords are not the same." in response.text


async def test_audit_log_is_for_admins_and_lists_changes(client, as_role, make_user):
    await as_role("admin")
    officer = await make_user("officer")
    await post_form(client, f"/admin/users/{officer.id}/deactivate")
    page = await client.get("/admin/audit?action=user.deactivated")
    assert "Account deactivated" in page.text and officer.email in page.text
    assert "Signed in</td>" not in page.text  # the filter applies


async def test_user_list_filters_by_role_and_search(client, as_role, make_user):
    await as_role("admin")
    await make_user("officer", full_name="Bopha Officer")
    await make_user("partner", full_name="Sokunthea Partner")
    page = await client.get("/admin/users?role=partner")
    assert "Sokunthea Partner" in page.text and "Bopha Officer" not in page.text
    page = await client.get("/admin/users?q=bopha")
    assert "Bopha Officer" in page.text and "Sokunthea Partner" not in page.text


@pytest.mark.parametrize("role", ["officer", "partner", "agency", "committee"])
async def test_only_admins_reach_user_management(client, as_role, make_user, role):
    await as_role(role)
    other = await make_user("officer")
    for method, path in [
        ("GET", "/admin/users"),
        ("GET", "/admin/users/new"),
        ("GET", f"/admin/users/{other.id}"),
        ("GET", "/admin/audit"),
        ("POST", f"/admin/users/{other.id}/deactivate"),
        ("POST", f"/admin/users/{other.id}/reset-password"),
        ("POST", "/admin/users/new"),
    ]:
        if method == "GET":
            response = await client.get(path)
        else:
            response = await post_form(client, path, _new_user_form())
        assert response.status_code == 404, (role, method, path)
    assert (await User.objects().where(User.id == other.id).first()).is_active


async def test_from_an_agency_page_the_admin_adds_that_agencys_staff(client, as_role, make_agency):
    await as_role("admin")
    agency = await make_agency(licence_number="AG-777")
    page = await client.get(f"/agencies/{agency.id}")
    assert 'href="/admin/users/new?agency=AG-777"' in page.text
    form = await client.get("/admin/users/new?agency=AG-777")
    assert re.search(r'<option value="AG-777"\s+selected', form.text)
    assert re.search(r'<option value="agency"\s+selected', form.text)


async def test_the_admin_changes_an_account_and_each_change_is_audited(
    client, as_role, make_user, client_at
):
    await as_role("admin")
    officer = await make_user("officer", full_name="Dara Chan")
    elsewhere = await client_at("198.51.100.20")
    await sign_in(elsewhere, officer)
    form = (await client.get(f"/admin/users/{officer.id}/edit")).text
    assert 'value="Dara Chan"' in form
    changed = await post_form(
        client,
        f"/admin/users/{officer.id}/edit",
        {
            "full_name": "Dara Chan",
            "email": "Dara@Province.example",
            "role": "provincial_officer",
            "provinces": ["Kandal", "Takeo"],
            "organisation_kind": "ngo",
        },
    )
    assert changed.status_code == 303
    page = (await client.get(changed.headers["location"])).text
    assert "The account has been changed." in page and "Kandal, Takeo" in page
    user = await User.objects().where(User.id == officer.id).first()
    assert (user.email, user.role, user.provinces) == (
        "dara@province.example",
        "provincial_officer",
        "Kandal,Takeo",
    )
    entry = await AuditEvent.objects().where(AuditEvent.action == "user.updated").first()
    assert entry.object_id == str(officer.id)
    assert "role: officer → provincial_officer" in entry.summary
    assert "provinces:  → Kandal,Takeo" in entry.summary
    # The new role counts at once, in the session already open.
    assert (await elsewhere.get("/cases")).status_code == 200


async def test_a_provincial_officer_without_provinces_comes_back_with_the_ticks_kept(
    client, as_role, make_user
):
    await as_role("admin")
    officer = await make_user("officer", email="keep@test.example")
    refused = await post_form(
        client,
        f"/admin/users/{officer.id}/edit",
        {"full_name": "", "email": "keep@test.example", "role": "provincial_officer"},
    )
    assert refused.status_code == 400
    assert 'id="e-provinces">Tick the provinces' in refused.text
    assert 'id="e-full_name">Enter the person' in refused.text
    assert (await User.objects().where(User.id == officer.id).first()).role == "officer"
    taken = await post_form(
        client,
        f"/admin/users/{officer.id}/edit",
        {
            "full_name": "Keep",
            "email": (await make_user("admin")).email,
            "role": "provincial_officer",
            "provinces": ["Pursat", "Kampot"],
        },
    )
    assert taken.status_code == 400 and "There is already an account" in taken.text
    assert 'value="Pursat" checked' in taken.text and 'value="Kampot" checked' in taken.text
