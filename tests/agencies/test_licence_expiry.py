"""A licence past its expiry date shows Expired everywhere from the next day in Cambodia,
without anyone editing the agency; admins hear 60 and 30 days ahead, once each."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from portal import clock
from portal.agencies.tables import Agency
from portal.deadlines import PHNOM_PENH
from portal.notifications.tables import Alert
from portal.scheduler import scan

EXPIRES = date(2026, 12, 3)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """That moment in Phnom Penh, as the UTC time the portal's clock gives."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PHNOM_PENH).astimezone(UTC)


def badges(html: str) -> list[str]:
    return re.findall(r'<span class="badge (?:ok|bad)">([^<]+)</span>', html)


@pytest.fixture
def set_clock(monkeypatch):
    def move(moment: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    return move


async def test_the_licence_shows_expired_from_the_day_after_its_expiry(
    client, make_agency, set_clock
):
    agency = await make_agency(name_en="Lotus Manpower", licence_expires_on=EXPIRES)
    pages = {
        "registry": "/agencies?q=Lotus",
        "agency page": f"/agencies/{agency.id}",
        "suggestions": "/complaints/agencies?q=Lotus",
    }
    # 23:30 on the day of expiry in Phnom Penh (16:30 UTC): still licensed.
    set_clock(at(EXPIRES, 23, 30))
    for where, path in pages.items():
        page = await client.get(path)
        assert "Lotus Manpower" in page.text and badges(page.text) == ["Active"], where
    # 00:30 the next day in Phnom Penh, though still 3 December in UTC: expired.
    set_clock(at(EXPIRES + timedelta(days=1), 0, 30))
    for where, path in pages.items():
        page = await client.get(path)
        assert "Lotus Manpower" in page.text and badges(page.text) == ["Expired"], where
    assert (await Agency.objects().get(Agency.id == agency.id)).licence_status == "active"


async def test_the_status_filter_follows_the_expiry_date(client, make_agency, set_clock):
    await make_agency(name_en="Lapsed Link", licence_expires_on=EXPIRES)
    await make_agency(name_en="Current Link", licence_expires_on=EXPIRES + timedelta(days=1))
    await make_agency(name_en="Undated Link", licence_expires_on=None)
    await make_agency(name_en="Marked Link", licence_status="expired")
    await make_agency(
        name_en="Suspended Link", licence_status="suspended", licence_expires_on=EXPIRES
    )
    set_clock(at(EXPIRES + timedelta(days=1), 9))

    def names(html: str) -> set[str]:
        return set(re.findall(r"(\w+) Link</a>", html))

    expired = await client.get("/agencies", params={"status": "expired"})
    assert names(expired.text) == {"Lapsed", "Marked"}
    active = await client.get("/agencies", params={"status": "active"})
    assert names(active.text) == {"Current", "Undated"}
    suspended = await client.get("/agencies", params={"status": "suspended"})
    assert names(suspended.text) == {"Suspended"}  # a ministry decision stays as decided


async def test_admins_hear_at_60_and_30_days_once_each_then_the_page_says_expired(
    client, make_agency, make_user, set_clock
):
    agency = await make_agency(name_en="Apsara Placement", licence_expires_on=EXPIRES)
    admin = await make_user("admin", language="km")
    for days_before in range(70, -2, -1):  # a daily scan, and a second run on each day
        moment = at(EXPIRES - timedelta(days=days_before), 7)
        await scan(moment)
        await scan(moment + timedelta(hours=6))
    alerts = await Alert.select(Alert.threshold, Alert.created_at).where(
        Alert.recipient == admin.id
    )
    assert sorted(row["threshold"] for row in alerts) == ["30d", "60d"]
    heard_on = sorted(row["created_at"].astimezone(PHNOM_PENH).date() for row in alerts)
    assert heard_on == [EXPIRES - timedelta(days=60), EXPIRES - timedelta(days=30)]

    set_clock(at(EXPIRES + timedelta(days=1), 7))
    page = await client.get(f"/agencies/{agency.id}", params={"lang": "km"})
    assert badges(page.text) == ["ផុតសុពលភាព"]
