"""Licence expiry alerts: who hears, when, once, and the e-mail that goes with each."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from portal import db
from portal.deadlines import PHNOM_PENH
from portal.notifications.services import Due, notify
from portal.notifications.tables import Alert, OutboxMessage
from portal.scheduler import scan

TODAY = date(2026, 6, 1)


def at(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PHNOM_PENH)


async def _keys() -> list[str]:
    return sorted(row["key"] for row in await Alert.select(Alert.key))


async def test_admins_and_the_agencys_own_staff_hear_60_then_30_days_ahead(make_agency, make_user):
    agency = await make_agency(licence_expires_on=TODAY + timedelta(days=60))
    other = await make_agency(licence_expires_on=TODAY + timedelta(days=200))
    admin = await make_user("admin")
    staff = await make_user("agency", agency=agency.id)
    outsider = await make_user("agency", agency=other.id)
    officer = await make_user("officer")

    assert await scan(at(TODAY - timedelta(days=1))) == []  # 61 days ahead: nothing yet
    sent = await scan(at(TODAY))
    assert sorted(s.recipient_id for s in sent) == sorted([admin.id, staff.id])
    assert await scan(at(TODAY, 20)) == []  # the same day again: nothing new

    sent = await scan(at(TODAY + timedelta(days=30)))
    assert sorted(s.recipient_id for s in sent) == sorted([admin.id, staff.id])
    assert all("Jul 31, 2026" in s.subject for s in sent)
    thresholds = [row["threshold"] for row in await Alert.select(Alert.threshold)]
    assert sorted(thresholds) == ["30d", "30d", "60d", "60d"]

    heard = {row["recipient"] for row in await Alert.select(Alert.recipient)}
    assert outsider.id not in heard and officer.id not in heard
    assert await Alert.count() == 4
    assert await OutboxMessage.count() == 4


async def test_an_agency_added_late_gets_only_the_nearer_warning(make_agency, make_user):
    await make_user("admin")
    await make_agency(licence_expires_on=TODAY + timedelta(days=20))
    sent = await scan(at(TODAY))
    assert len(sent) == 1 and "Jun 21, 2026" in sent[0].subject
    assert [row["threshold"] for row in await Alert.select(Alert.threshold)] == ["30d"]


async def test_expired_revoked_and_undated_licences_are_not_watched(make_agency, make_user):
    await make_user("admin")
    await make_agency(licence_expires_on=TODAY - timedelta(days=1))
    await make_agency(licence_expires_on=TODAY + timedelta(days=10), licence_status="revoked")
    await make_agency(licence_expires_on=None)
    assert await scan(at(TODAY)) == []


async def test_a_deactivated_account_hears_nothing(make_agency, make_user):
    await make_user("admin", is_active=False)
    await make_agency(licence_expires_on=TODAY + timedelta(days=10))
    assert await scan(at(TODAY)) == []


async def test_the_email_is_queued_with_the_alert_in_the_recipients_language(
    make_agency, make_user
):
    await make_agency(
        name_en="Angkor Manpower",
        name_km="អង្គរ ម៉ែនផៅវើ",
        licence_expires_on=TODAY + timedelta(days=30),
    )
    english = await make_user("admin", language="en", full_name="Dara")
    khmer = await make_user("admin", language="km", full_name="Sophea")
    await scan(at(TODAY))
    mails = {m["to_address"]: m for m in await OutboxMessage.select()}
    assert "Angkor Manpower" in mails[english.email]["subject"]
    assert "Hello Dara" in mails[english.email]["body"]
    assert "http://127.0.0.1:8000/agencies/" in mails[english.email]["body"]
    khmer_mail = mails[khmer.email]
    assert khmer_mail["language"] == "km"
    assert "អង្គរ ម៉ែនផៅវើ" in khmer_mail["subject"]
    assert "expires" not in khmer_mail["subject"] and "Hello" not in khmer_mail["body"]


async def test_an_alert_and_its_email_are_stored_with_the_change_or_not_at_all(make_user):
    admin = await make_user("admin")
    item = Due(
        kind="licence_expiry",
        record_type="agency",
        record_id=1,
        threshold="30d",
        due_at=at(TODAY),
        recipients=(admin.id,),
        params={"agency_en": "X", "agency_km": "", "licence": "L-1", "days": 3},
    )
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await notify([item], at(TODAY))
            raise RuntimeError("the change that caused the alert failed")
    assert await Alert.count() == 0 and await OutboxMessage.count() == 0
    async with db.transaction():
        await notify([item], at(TODAY))
    assert await Alert.count() == 1 and await OutboxMessage.count() == 1
    assert await notify([item], at(TODAY)) == []
    assert await Alert.count() == 1 and await OutboxMessage.count() == 1
