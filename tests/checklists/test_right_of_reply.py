"""The agency's right of reply: it hears when its assessment is returned and when its
rating is decided; the rating stays out of the registry and the public statistics until
the reply window (working days) closes, the agency accepts it, or the chair decides on
its contest."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from portal import clock
from portal.audit.tables import AuditEvent
from portal.checklists.tables import AssessmentCycle, Rating
from portal.notifications.tables import Alert, OutboxMessage
from portal.reports import figures
from tests.checklists.conftest import PDF
from tests.checklists.test_review_loop import make_agency_user, reviewed
from tests.checklists.test_reviews import _rated
from tests.conftest import post_form, sign_in

# A Monday morning in Phnom Penh; ten working days later is two weekends on.
DECIDED = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def at(monkeypatch: Any, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


async def rated_at(client: Any, make_agency: Any, make_user: Any, monkeypatch: Any) -> dict:
    review = await reviewed(make_agency, make_user)
    await make_agency_user(review)
    at(monkeypatch, DECIDED)
    await _rated(client, review)
    review["rating"] = await Rating.select().first()
    return review


async def in_registry(client: Any, review: dict[str, Any]) -> bool:
    await client.post("/logout", data={"_csrf_token": client.cookies["portal_csrf"]})
    return "Partially compliant" in (await client.get(f"/agencies/{review['agency'].id}")).text


async def public_bands() -> list[str]:
    await figures.rebuild_cycles()
    from portal.reports.tables import CycleFigure

    rows = await CycleFigure.select().where(CycleFigure.measure == "band")
    return [row["category"] for row in rows]


async def test_the_window_holds_the_rating_back_until_it_closes(
    client, make_agency, make_user, monkeypatch
):
    review = await rated_at(client, make_agency, make_user, monkeypatch)
    due = review["rating"]["reply_due"]
    # Ten working days: past two weekends, so at least fourteen calendar days.
    assert due - DECIDED >= timedelta(days=14)

    # The agency heard, by alert and by e-mail, and reads its rating with the deadline.
    agency_user = await make_agency_user(review)
    alert = await Alert.select().where(Alert.recipient == agency_user.id).first()
    assert alert["kind"] == "rating_decided"
    mail = await OutboxMessage.select().where(OutboxMessage.to_address == agency_user.email).first()
    assert "Your rating for COC self-assessment 2026: C" in mail["subject"]
    await sign_in(client, agency_user)
    feedback = (await client.get(f"/assessments/{review['id']}/feedback")).text
    assert "Accept the rating" in feedback and "Contest the rating" in feedback

    at(monkeypatch, due - timedelta(minutes=1))
    assert not await in_registry(client, review)
    assert await public_bands() == []
    # When the window closes the rating is public, without anyone doing anything.
    at(monkeypatch, due + timedelta(minutes=1))
    assert await in_registry(client, review)
    assert await public_bands() == ["C"]
    await sign_in(client, agency_user)
    late = await post_form(client, f"/assessments/{review['id']}/reply/accept")
    assert late.status_code == 400
    assert "The time to reply to this rating has passed." in late.text


async def test_the_window_is_a_cycle_setting(client, make_agency, make_user, monkeypatch):
    review = await reviewed(make_agency, make_user)
    await AssessmentCycle.update({AssessmentCycle.reply_days: 0}).where(AssessmentCycle.id > 0)
    at(monkeypatch, DECIDED)
    await _rated(client, review)
    assert await in_registry(client, review)


async def test_accepting_publishes_at_once(client, make_agency, make_user, monkeypatch):
    review = await rated_at(client, make_agency, make_user, monkeypatch)
    await sign_in(client, await make_agency_user(review))
    accepted = await post_form(client, f"/assessments/{review['id']}/reply/accept")
    assert accepted.status_code == 303
    assert await in_registry(client, review)


async def test_a_contest_waits_for_the_chairs_decision(client, make_agency, make_user, monkeypatch):
    review = await rated_at(client, make_agency, make_user, monkeypatch)
    url = f"/assessments/{review['id']}/reply/contest"
    await sign_in(client, await make_agency_user(review))
    refused = await post_form(client, url, {"reason": "  "})
    assert refused.status_code == 400
    assert "Say why your agency contests the rating." in refused.text
    contested = await client.post(
        url,
        data={
            "reason": "Our passport register was not read.",
            "_csrf_token": client.cookies["portal_csrf"],
        },
        files={"files": ("register.pdf", PDF, "application/pdf")},
    )
    assert contested.status_code == 303, contested.text
    feedback = (await client.get(f"/assessments/{review['id']}/feedback")).text
    sent_file = re.search(rf"/assessments/{review['id']}/reply-files/\d+", feedback)
    assert sent_file, "the agency's page links the file it sent"
    download = await client.get(sent_file.group(0))
    assert download.status_code == 200
    assert 'attachment; filename="register.pdf"' in download.headers["content-disposition"]
    assert (await client.get(sent_file.group(0) + "0")).status_code == 404
    chair_alert = await Alert.select().where(Alert.recipient == review["chair"].id).first()
    assert chair_alert["kind"] == "rating_contested"

    # The window closes: a contested rating stays unpublished.
    at(monkeypatch, review["rating"]["reply_due"] + timedelta(days=1))
    assert not await in_registry(client, review)

    await sign_in(client, review["chair"])
    page = (await client.get(f"/reviews/{review['id']}")).text
    assert "Our passport register was not read." in page and "register.pdf" in page
    decide = f"/reviews/{review['id']}/contest"
    missing = await post_form(client, decide, {"outcome": "change", "band": "A"})
    assert missing.status_code == 400
    assert "Give the reason for your decision." in missing.text
    decided = await post_form(
        client,
        decide,
        {"outcome": "change", "band": "A", "decision_reason": "The register shows it."},
    )
    assert decided.status_code == 303
    await client.post("/logout", data={"_csrf_token": client.cookies["portal_csrf"]})
    agency_page = (await client.get(f"/agencies/{review['agency'].id}")).text
    assert "Compliant" in agency_page and "Partially compliant" not in agency_page

    agency_user = await make_agency_user(review)
    kinds = {a["kind"] for a in await Alert.select().where(Alert.recipient == agency_user.id)}
    assert kinds == {"rating_decided", "contest_decided"}
    await sign_in(client, agency_user)
    overview = (await client.get(f"/assessments/{review['id']}")).text
    timeline = overview.split('id="timeline"')[1]
    for entry in (
        "Rating decided",
        "Contested by the agency",
        "Contest decided: rating changed",
        "Rating published",
    ):
        assert entry in timeline
    actions = {e["action"] for e in await AuditEvent.select(AuditEvent.action)}
    assert {"review.rating_contested", "review.contest_decided"} <= actions


async def test_the_agency_hears_when_its_assessment_is_returned(client, make_agency, make_user):
    from tests.checklists.test_reviews import _both_members_submit, _panel

    review = await reviewed(make_agency, make_user)
    agency_user = await make_agency_user(review)
    await _panel(client, review)
    await _both_members_submit(client, review)
    await sign_in(client, review["chair"])
    codes = review["codes"]
    await post_form(
        client,
        f"/reviews/{review['id']}/return",
        {"reopen": [str(codes["2.1"])], f"why-{codes['2.1']}": "Show the passport register."},
    )
    alert = await Alert.select().where(Alert.recipient == agency_user.id).first()
    assert (alert["kind"], alert["link"]) == ("assessment_returned", f"/assessments/{review['id']}")
    mail = await OutboxMessage.select().where(OutboxMessage.to_address == agency_user.email).first()
    assert "was returned for revision" in mail["subject"]
    assert "(indicators to revise: 1)" in mail["body"]


async def test_an_admin_sets_the_window_and_reads_the_default_bands_in_khmer(
    client, as_role, make_agency
):
    from tests.checklists.test_cycles import _published_template

    await as_role("admin")
    template_id = await _published_template()
    agency = await make_agency()
    form = (await client.get("/admin/cycles/new?lang=km")).text
    assert 'name="reply_days"' in form and 'value="10"' in form
    default_bands = form.split('name="bands"')[1].split(">", 1)[1].split("</textarea>")[0]
    assert "អនុលោមភាគច្រើន" in default_bands and "Largely compliant" not in default_bands
    fields = {
        "title_en": "Pilot 2026",
        "template": str(template_id),
        "opens_on": "2026-12-01",
        "submission_deadline": "2027-01-31",
        "review_deadline": "2027-03-31",
        "participants": "chosen",
        "agencies": [str(agency.id)],
        "bands": default_bands,
    }
    wrong = await post_form(client, "/admin/cycles/new", {**fields, "reply_days": "99"})
    assert wrong.status_code == 400
    assert "បញ្ចូលចំនួនថ្ងៃធ្វើការពី ០ ដល់ ៦០។" in wrong.text  # in the admin's language
    assert "Pilot 2026" in wrong.text
    saved = await post_form(client, "/admin/cycles/new", {**fields, "reply_days": "5"})
    assert saved.status_code == 303
    cycle = await AssessmentCycle.objects().first()
    # The defaults as offered in Khmer are stored as the defaults: English readers see English.
    assert (cycle.reply_days, cycle.bands) == (5, "")
