"""The alerts list, the header count, marking read; the supervisor flag on the user page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from portal import clock
from portal.accounts.tables import User
from portal.notifications.tables import Alert
from portal.scheduler import scan
from tests.conftest import csrf_token, post_form


def _count(html: str) -> str:
    match = re.search(r'id="alert-count"[^>]*>([^<]*)<', html)
    assert match, "no alert count in the header"
    return match.group(1)


async def _licence_alerts(make_agency, n: int = 2) -> None:
    today = clock.now().date()
    for i in range(n):
        await make_agency(
            name_en=f"Expiring Agency {i}", licence_expires_on=today + timedelta(days=10 + i)
        )
    await scan(datetime.now(UTC))


async def test_the_header_counts_unread_alerts_and_the_list_marks_them_read(
    client, as_role, make_agency
):
    await as_role("admin")
    assert _count((await client.get("/")).text) == "0"
    await _licence_alerts(make_agency)
    page = await client.get("/alerts")
    assert _count(page.text) == "2"
    assert "The licence of Expiring Agency 0 expires" in page.text
    alert = await Alert.select(Alert.id).first()
    response = await post_form(client, f"/alerts/{alert['id']}/read")
    assert response.status_code == 303 and response.headers["location"] == "/alerts"
    page = await client.get("/alerts")
    assert _count(page.text) == "1"
    response = await post_form(client, "/alerts/read-all")
    assert _count((await client.get("/alerts")).text) == "0"


async def test_htmx_gets_the_alert_back_with_the_new_count(client, as_role, make_agency):
    await as_role("admin")
    await _licence_alerts(make_agency)
    alert = await Alert.select(Alert.id).first()
    response = await client.post(
        f"/alerts/{alert['id']}/read",
        headers={"hx-request": "true", "x-csrftoken": await csrf_token(client)},
    )
    assert response.status_code == 200
    assert f'id="alert-{alert["id"]}" class="read"' in response.text
    assert 'hx-swap-oob="true"' in response.text and _count(response.text) == "1"
    assert "<html" not in response.text


async def test_someone_elses_alert_is_not_found(client, as_role, make_user, make_agency):
    other = await make_user("admin")
    await _licence_alerts(make_agency, n=1)
    theirs = await Alert.select(Alert.id).where(Alert.recipient == other.id).first()
    await as_role("officer")
    response = await post_form(client, f"/alerts/{theirs['id']}/read")
    assert response.status_code == 404
    assert await Alert.count().where(Alert.is_read.eq(True)) == 0
    page = await client.get("/alerts")
    assert "Expiring Agency" not in page.text and _count(page.text) == "0"


async def test_anonymous_visitors_get_no_count(client):
    page = await client.get("/")
    assert 'id="alert-count"' not in page.text
    assert (await client.get("/alerts")).status_code == 303


async def test_an_admin_marks_an_officer_as_supervisor(client, as_role, make_user):
    await as_role("admin")
    officer = await make_user("officer")
    page = await client.get(f"/admin/users/{officer.id}")
    assert "Make supervisor" in page.text
    response = await post_form(
        client, f"/admin/users/{officer.id}/supervisor", {"supervisor": "yes"}
    )
    assert response.status_code == 303
    assert (await User.select(User.is_supervisor).where(User.id == officer.id).first())[
        "is_supervisor"
    ]
    page = await client.get(f"/admin/users/{officer.id}")
    assert "Stop being a supervisor" in page.text
    committee = await make_user("committee")
    response = await post_form(
        client, f"/admin/users/{committee.id}/supervisor", {"supervisor": "yes"}
    )
    assert response.status_code == 400
