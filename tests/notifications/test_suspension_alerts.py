"""When a licence suspension's end date passes, the admins hear once, so the licence does
not stay suspended by oversight: not before, not again, not for a reinstated licence, and
anew for a later suspension."""

from __future__ import annotations

from datetime import date, timedelta

from portal.agencies.tables import Agency, LicenceEvent
from portal.notifications.tables import Alert, OutboxMessage
from portal.scheduler import scan
from tests.notifications.test_licence_alerts import at

TODAY = date(2026, 6, 1)


async def _suspend(agency_id: int, decided_on: date, until: date) -> None:
    await LicenceEvent.insert(
        LicenceEvent(
            agency=agency_id,
            action="suspended",
            decided_on=decided_on,
            suspended_until=until,
            recorded_at=at(decided_on),
        )
    )
    await Agency.update({Agency.licence_status: "suspended"}).where(Agency.id == agency_id)


async def test_admins_hear_once_when_a_suspension_has_ended(make_agency, make_user):
    agency = await make_agency(name_en="Lotus Manpower")
    reinstated = await make_agency()
    admin = await make_user("admin")
    await make_user("agency", agency=agency.id)
    await make_user("officer")
    await _suspend(agency.id, TODAY - timedelta(days=30), TODAY + timedelta(days=5))
    await _suspend(reinstated.id, TODAY - timedelta(days=30), TODAY + timedelta(days=5))
    await Agency.update({Agency.licence_status: "active"}).where(Agency.id == reinstated.id)

    assert await scan(at(TODAY + timedelta(days=5))) == []  # the last day of the suspension
    sent = await scan(at(TODAY + timedelta(days=6)))
    assert [s.recipient_id for s in sent] == [admin.id]
    assert sent[0].subject == "The suspension of Lotus Manpower ended on Jun 6, 2026"
    assert await OutboxMessage.count() == 1
    assert await scan(at(TODAY + timedelta(days=20))) == []  # once

    # Suspended again later, with a new end: heard again when that one passes.
    await _suspend(agency.id, TODAY + timedelta(days=30), TODAY + timedelta(days=60))
    assert await scan(at(TODAY + timedelta(days=40))) == []
    sent = await scan(at(TODAY + timedelta(days=61)))
    assert len(sent) == 1 and "Jul 31, 2026" in sent[0].subject
    links = {row["link"] for row in await Alert.select(Alert.link)}
    assert links == {f"/agencies/{agency.id}"}
