"""Self-assessment deadlines: agencies that have not submitted hear 14 and 3 days ahead and
once the deadline has passed; committee members hear as the review deadline nears."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from portal.checklists import checklist_versions, cycles
from portal.checklists.tables import Assessment
from portal.deadlines import PHNOM_PENH
from portal.notifications.tables import Alert
from portal.scheduler import scan
from tests.checklists.conftest import CHECKLIST

DEADLINE = date(2026, 12, 31)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, tzinfo=PHNOM_PENH)


async def _cycle(*agencies) -> None:
    template = await checklist_versions.import_template(None, CHECKLIST.encode())
    await checklist_versions.publish(None, template.id)
    await cycles.open_cycle(
        None,
        cycles.NewCycle(
            title_en="Pilot 2026",
            title_km="សាកល្បង ២០២៦",
            template=template.id,
            opens_on=date(2026, 11, 1),
            submission_deadline=DEADLINE,
            review_deadline=date(2027, 1, 31),
            participants="chosen",
            agencies=[a.id for a in agencies],
        ),
    )


async def test_agencies_that_have_not_submitted_hear_as_the_deadline_nears(make_agency, make_user):
    late, done = await make_agency(), await make_agency()
    late_staff = await make_user("agency", agency=late.id, language="km")
    done_staff = await make_user("agency", agency=done.id)
    await make_user("admin")
    await _cycle(late, done)
    await Assessment.update({Assessment.status: "submitted"}).where(Assessment.agency == done.id)

    assert await scan(at(DEADLINE - timedelta(days=15))) == []
    sent = await scan(at(DEADLINE - timedelta(days=14)))
    assert [s.recipient_id for s in sent] == [late_staff.id]
    assert "Pilot 2026" not in sent[0].subject and "សាកល្បង ២០២៦" in sent[0].subject
    assert await scan(at(DEADLINE - timedelta(days=10))) == []
    assert len(await scan(at(DEADLINE - timedelta(days=3)))) == 1
    overdue = await scan(at(DEADLINE + timedelta(days=1)))
    assert len(overdue) == 1 and overdue[0].kind == "submission_overdue"
    assert await scan(at(DEADLINE + timedelta(days=2))) == []
    heard = {row["recipient"] for row in await Alert.select(Alert.recipient)}
    assert heard == {late_staff.id} and done_staff.id not in heard


async def test_committee_members_hear_that_submissions_wait_for_review(make_agency, make_user):
    agency = await make_agency()
    member = await make_user("committee")
    await make_user("agency", agency=agency.id)
    await _cycle(agency)
    review_day = date(2027, 1, 31)
    await Assessment.update({Assessment.status: "submitted"}).where(Assessment.id > 0)
    sent = await scan(at(review_day - timedelta(days=14)))
    assert [(s.recipient_id, s.kind) for s in sent] == [(member.id, "review_due")]
    assert "Pilot 2026" in sent[0].subject


async def test_agencies_hear_of_their_own_improvement_actions(make_agency, make_user):
    from portal import clock
    from portal.checklists.tables import AssessmentCycle, ImprovementAction, Indicator, Rating

    rated, other = await make_agency(), await make_agency()
    staff = await make_user("agency", agency=rated.id)
    outsider = await make_user("agency", agency=other.id)
    await _cycle(rated, other)
    cycle = await AssessmentCycle.select().first()
    indicator = await Indicator.select().first()
    for agency in (rated, other):
        assessment = await Assessment.select().where(Assessment.agency == agency.id).first()
        rating = Rating(
            assessment=assessment["id"],
            agency=agency.id,
            cycle=cycle["id"],
            template=cycle["template"],
            points=4,
            applicable_maximum=6,
            full_maximum=6,
            total=4,
            percent=66.7,
            band_code="C",
            band_label="Partially compliant",
            published_at=clock.now(),
        )
        await rating.save()
        await ImprovementAction.insert(
            ImprovementAction(
                rating=rating.id,
                indicator=indicator["id"],
                action_en="Give workers their contracts in Khmer.",
                due_on=DEADLINE,
                # The other agency already reported it done: nobody is reminded.
                status="open" if agency is rated else "done",
                updated_at=clock.now(),
            )
        )

    def improvements(sent):  # the same scan also reminds both agencies to submit
        return [s for s in sent if s.kind.startswith("improvement")]

    sent = improvements(await scan(at(DEADLINE - timedelta(days=3))))
    assert [s.recipient_id for s in sent] == [staff.id]
    assert "improvement action" in sent[0].subject
    overdue = improvements(await scan(at(DEADLINE + timedelta(days=1))))
    assert [(s.kind, s.recipient_id) for s in overdue] == [("improvement_overdue", staff.id)]
    heard = await Alert.select(Alert.recipient).where(Alert.kind.like("improvement%"))
    assert outsider.id not in {row["recipient"] for row in heard}
