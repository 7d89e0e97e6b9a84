"""Committee review: members score independently, the chair agrees consensus and
publishes, the registry shows the rating; who may do what."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from portal import clock
from portal.checklists.tables import (
    Answer,
    Assessment,
    AssessmentCycle,
    ConsensusScore,
    MemberScore,
    Rating,
)
from tests.checklists.conftest import submitted_for_review
from tests.conftest import post_form, sign_in


async def _submitted(make_agency: Any, make_user: Any) -> dict[str, Any]:
    """A submitted assessment of the 3-indicator checklist (1.2 answered not applicable),
    a cycle chaired by `chair`, and two panel members."""
    agency = await make_agency(name_en="Mekong Manpower")
    chair = await make_user("committee", full_name="Chair Sokha", constituency="ministry")
    union = await make_user("committee", full_name="Member Dara", constituency="union")
    cso = await make_user("committee", full_name="Member Vanna", constituency="civil_society")
    assessment_id, codes = await submitted_for_review(agency, chair)
    return {
        "id": assessment_id,
        "agency": agency,
        "codes": codes,
        "chair": chair,
        "union": union,
        "cso": cso,
    }


async def _panel(client: Any, review: dict[str, Any]) -> None:
    await sign_in(client, review["chair"])
    response = await post_form(
        client,
        f"/reviews/{review['id']}/panel",
        {"members": [str(review["union"].id), str(review["cso"].id)]},
    )
    assert response.status_code == 303, response.text


def _scores(review: dict[str, Any], values: dict[str, str], comment: str) -> dict[str, str]:
    form = {}
    for code, value in values.items():
        form[f"score-{review['codes'][code]}"] = value
        form[f"comment-{review['codes'][code]}"] = f"{comment} on {code}"
    return form


async def test_members_score_independently(client, make_agency, make_user):
    review = await _submitted(make_agency, make_user)
    await _panel(client, review)
    url = f"/reviews/{review['id']}"

    await sign_in(client, review["union"])
    saved = await post_form(
        client, f"{url}/scores", _scores(review, {"1.1": "2", "1.2": "na", "2.1": "1"}, "Dara")
    )
    assert saved.status_code == 303
    # Vanna has not scored: Dara's scores and comments are nowhere on her page.
    await sign_in(client, review["cso"])
    page = await client.get(url)
    assert page.status_code == 200
    assert "Dara on 1.1" not in page.text
    assert "The other members' scores appear here once you have submitted your own." in page.text

    # Dara submits; Vanna still sees nothing until she submits her own.
    await sign_in(client, review["union"])
    submitted = await post_form(
        client,
        f"{url}/scores",
        {**_scores(review, {"1.1": "2", "1.2": "na", "2.1": "1"}, "Dara"), "then": "submit"},
    )
    assert submitted.status_code == 303
    await sign_in(client, review["cso"])
    assert "Member Dara</th>" not in (await client.get(url)).text
    await post_form(
        client,
        f"{url}/scores",
        {**_scores(review, {"1.1": "1", "1.2": "na", "2.1": "1"}, "Vanna"), "then": "submit"},
    )
    after = (await client.get(url)).text
    assert "Member Dara</th>" in after and "Member Vanna</th>" in after
    assert "Members disagree" in after  # 2 against 1 on indicator 1.1
    # Submitted scores no longer change, even by a forged POST.
    forged = await post_form(client, f"{url}/scores", _scores(review, {"1.1": "0"}, "Later"))
    assert forged.status_code == 400
    row = (
        await MemberScore.select()
        .where(
            (MemberScore.member == review["cso"].id)
            & (MemberScore.indicator == review["codes"]["1.1"])
        )
        .first()
    )
    assert row["score"] == 1


async def test_not_applicable_only_where_the_agency_said_so(client, make_agency, make_user):
    review = await _submitted(make_agency, make_user)
    await _panel(client, review)
    await sign_in(client, review["union"])
    response = await post_form(
        client, f"/reviews/{review['id']}/scores", _scores(review, {"1.1": "na", "2.1": "2"}, "x")
    )
    assert response.status_code == 400
    assert "Not applicable is possible only where the agency answered so." in response.text
    assert await MemberScore.count() == 0  # nothing half-saved


async def _both_members_submit(client: Any, review: dict[str, Any]) -> None:
    for member, values in (
        (review["union"], {"1.1": "2", "1.2": "na", "2.1": "1"}),
        (review["cso"], {"1.1": "1", "1.2": "na", "2.1": "1"}),
    ):
        await sign_in(client, member)
        response = await post_form(
            client,
            f"/reviews/{review['id']}/scores",
            {**_scores(review, values, member.full_name), "then": "submit"},
        )
        assert response.status_code == 303


async def test_the_chair_agrees_consensus_and_publishes(
    client, make_agency, make_user, monkeypatch
):
    review = await _submitted(make_agency, make_user)
    await _panel(client, review)
    await _both_members_submit(client, review)
    url = f"/reviews/{review['id']}"
    codes = review["codes"]
    await sign_in(client, review["chair"])

    # Suggested for 1.1 is 1 (the lower of 2 and 1): choosing 2 needs a reason.
    refused = await post_form(
        client,
        f"{url}/consensus",
        {
            f"consensus-{codes['1.1']}": "2",
            f"consensus-{codes['1.2']}": "na",
            f"consensus-{codes['2.1']}": "1",
        },
    )
    assert refused.status_code == 400
    assert "Say why the consensus differs from the suggested score." in refused.text
    assert await ConsensusScore.count() == 0
    # Publishing before consensus is refused with a message.
    early = await post_form(client, f"{url}/publish")
    assert early.status_code == 400
    assert "Record a consensus score for every indicator" in early.text

    agreed = await post_form(
        client,
        f"{url}/consensus",
        {
            f"consensus-{codes['1.1']}": "2",
            f"reason-{codes['1.1']}": "The fee ledger shows no worker paid.",
            f"feedback-{codes['1.1']}": "Good practice.",
            f"consensus-{codes['1.2']}": "na",
            f"consensus-{codes['2.1']}": "1",
        },
    )
    assert agreed.status_code == 303
    page = (await client.get(url)).text
    # 2 + 1 of the 4 points that apply (1.2 not applicable) → 75% of the full 6 = 4.5.
    assert "Total: 4.5 of 6" in page
    assert "Rating B: Largely compliant" in page

    published = await post_form(client, f"{url}/publish")
    assert published.status_code == 303
    rating = await Rating.select().first()
    assert (rating["band_code"], str(rating["total"])) == ("B", "4.5")

    await client.post("/logout", data={"_csrf_token": client.cookies["portal_csrf"]})
    registry = await client.get("/agencies", params={"q": "Mekong"})
    assert "Largely compliant" not in registry.text  # the agency's reply window is open
    later = clock.now() + timedelta(days=30)
    monkeypatch.setattr(clock, "now", lambda: later)
    registry = await client.get("/agencies", params={"q": "Mekong"})
    assert "Largely compliant" in registry.text
    agency_page = await client.get(f"/agencies/{review['agency'].id}")
    assert "Largely compliant" in agency_page.text
    assert "checklist version 1" in agency_page.text


async def test_who_may_review(client, make_agency, make_user):
    review = await _submitted(make_agency, make_user)
    await _panel(client, review)
    url = f"/reviews/{review['id']}"
    await _both_members_submit(client, review)
    # A member who is not the chair can neither record consensus nor publish.
    await sign_in(client, review["union"])
    assert (await post_form(client, f"{url}/consensus", {})).status_code == 404
    assert (await post_form(client, f"{url}/publish")).status_code == 404
    assert (await post_form(client, f"{url}/panel", {"members": "1"})).status_code == 404
    # A committee member off the panel cannot score.
    outsider = await make_user("committee")
    await sign_in(client, outsider)
    assert (await post_form(client, f"{url}/scores", {})).status_code == 404
    # Agency staff, officers and admins never reach the review.
    for role in ("agency", "officer", "admin"):
        other = (
            await make_user(role, agency=review["agency"].id)
            if role == "agency"
            else await make_user(role)
        )
        await sign_in(client, other)
        assert (await client.get(url)).status_code == 404
        assert (await post_form(client, f"{url}/publish")).status_code == 404
    assert await Rating.count() == 0


async def test_return_for_revision_reopens_exactly_the_named_indicators(
    client, make_agency, make_user
):
    review = await _submitted(make_agency, make_user)
    await _panel(client, review)
    await _both_members_submit(client, review)
    url = f"/reviews/{review['id']}"
    codes = review["codes"]
    await sign_in(client, review["chair"])
    await post_form(
        client,
        f"{url}/consensus",
        {
            f"consensus-{codes['1.1']}": "1",
            f"consensus-{codes['1.2']}": "na",
            f"consensus-{codes['2.1']}": "1",
        },
    )
    # Feedback is required for each indicator returned.
    refused = await post_form(client, f"{url}/return", {"reopen": [str(codes["2.1"])]})
    assert refused.status_code == 400
    assert "Tell the agency what to revise." in refused.text
    returned = await post_form(
        client,
        f"{url}/return",
        {"reopen": [str(codes["2.1"])], f"why-{codes['2.1']}": "Show the passport register."},
    )
    assert returned.status_code == 303

    agency_user = await make_user("agency", agency=review["agency"].id)
    await sign_in(client, agency_user)
    overview = await client.get(f"/assessments/{review['id']}")
    assert "Show the passport register." in overview.text
    section_of = {code: row for code, row in (await indicators_by_code(review)).items()}
    # A forged POST on a locked indicator is refused and changes nothing.
    locked = await post_form(
        client,
        f"/assessments/{review['id']}/sections/{section_of['1.1']['section']}",
        {f"answer-{codes['1.1']}": "not_met", "then": "stay"},
    )
    assert locked.status_code == 409
    answer = await Answer.select().where(Answer.indicator == codes["1.1"]).first()
    assert answer["choice"] == "met"
    # The reopened one can change, and the agency resubmits.
    opened = await post_form(
        client,
        f"/assessments/{review['id']}/sections/{section_of['2.1']['section']}",
        {
            f"answer-{codes['2.1']}": "met",
            f"explanation-{codes['2.1']}": "Register kept.",
            "then": "stay",
        },
    )
    assert opened.status_code == 303
    await Assessment.update({Assessment.complete_count: 3}).where(Assessment.id == review["id"])
    from portal.checklists.tables import Evidence

    for code in ("1.1", "2.1"):  # evidence the checklist requires
        await Evidence.insert(
            Evidence(
                assessment=review["id"],
                indicator=codes[code],
                stored_name=f"{code.replace('.', '')}{'0' * 30}.pdf"[:36],
                filename="register.pdf",
                content_type="application/pdf",
                size=10,
                uploaded_at=clock.now(),
            )
        )
    resubmitted = await post_form(client, f"/assessments/{review['id']}/submit")
    assert resubmitted.status_code == 303, resubmitted.text
    row = await Assessment.select().where(Assessment.id == review["id"]).first()
    assert (row["status"], row["round"]) == ("submitted", 2)

    # Round 2: the same panel scores only 2.1; the history of round 1 is shown.
    await sign_in(client, review["union"])
    page = (await client.get(url)).text
    assert "Round 1 consensus" in page and "Show the passport register." in page
    assert f'name="score-{codes["1.1"]}"' not in page
    done = await post_form(
        client, f"{url}/scores", {f"score-{codes['2.1']}": "2", "then": "submit"}
    )
    assert done.status_code == 303
    await sign_in(client, review["chair"])
    await post_form(client, f"{url}/consensus", {f"consensus-{codes['2.1']}": "2"})
    assert (await post_form(client, f"{url}/publish")).status_code == 303
    rating = await Rating.select().first()
    # 1.1 kept its round-1 score of 1, 2.1 now 2: 3 of the 4 points that apply → 4.5 of 6.
    assert str(rating["total"]) == "4.5"


async def indicators_by_code(review: dict[str, Any]) -> dict[str, Any]:
    from portal.checklists.tables import Indicator

    rows = await Indicator.select().where(Indicator.id.is_in(list(review["codes"].values())))
    return {row["code"]: row for row in rows}


async def _rated(client: Any, review: dict[str, Any]) -> None:
    await _panel(client, review)
    await _both_members_submit(client, review)
    codes = review["codes"]
    await sign_in(client, review["chair"])
    await post_form(
        client,
        f"/reviews/{review['id']}/consensus",
        {
            f"consensus-{codes['1.1']}": "1",
            f"feedback-{codes['1.1']}": "Publish your fee schedule.",
            f"consensus-{codes['1.2']}": "na",
            f"consensus-{codes['2.1']}": "1",
        },
    )
    assert (await post_form(client, f"/reviews/{review['id']}/publish")).status_code == 303


async def test_feedback_and_improvement_plan(client, make_agency, make_user):

    from portal.checklists.tables import ImprovementAction
    from tests.checklists.conftest import PDF

    review = await _submitted(make_agency, make_user)
    await _rated(client, review)
    codes = review["codes"]
    url = f"/reviews/{review['id']}"
    due = (clock.now().date() + timedelta(days=30)).isoformat()
    bad = await post_form(client, f"{url}/actions", {"indicator": str(codes["1.1"]), "due_on": due})
    assert bad.status_code == 400 and "Say what the agency must do." in bad.text
    yesterday = (clock.now().date() - timedelta(days=1)).isoformat()
    wrong = await post_form(
        client,
        f"{url}/actions",
        {"indicator": "999999", "action_km": "ក" * 2001, "due_on": yesterday},
    )
    assert wrong.status_code == 400  # every mistake at once, each beside its field
    for message in (
        "Choose the indicator this action improves.",
        "Say what the agency must do.",
        "Use at most 2000 characters.",
        "The due date cannot be in the past.",
    ):
        assert message in wrong.text
    assert await ImprovementAction.count() == 0
    added = await post_form(
        client,
        f"{url}/actions",
        {
            "indicator": str(codes["1.1"]),
            "action_en": "Post the fee schedule at the office.",
            "due_on": due,
        },
    )
    assert added.status_code == 303
    action = await ImprovementAction.select().first()

    # The agency reads consensus scores and comments, never a member's own.
    agency_user = await make_user("agency", agency=review["agency"].id)
    await sign_in(client, agency_user)
    feedback = await client.get(f"/assessments/{review['id']}/feedback")
    assert feedback.status_code == 200
    assert "Publish your fee schedule." in feedback.text
    assert "Post the fee schedule at the office." in feedback.text
    assert "Member Dara" not in feedback.text and "on 1.1" not in feedback.text
    # Another agency sees none of it.
    other = await make_user("agency")
    await sign_in(client, other)
    assert (await client.get(f"/assessments/{review['id']}/feedback")).status_code == 404
    forged = await post_form(
        client, f"/assessments/{review['id']}/actions/{action['id']}", {f"note-{action['id']}": "x"}
    )
    assert forged.status_code == 404

    await sign_in(client, agency_user)
    updated = await post_form(
        client,
        f"/assessments/{review['id']}/actions/{action['id']}",
        {f"note-{action['id']}": "Schedule posted on 1 December."},
        files={f"files-{action['id']}": ("notice board.pdf", PDF, "application/pdf")},
    )
    assert updated.status_code == 303
    page = (await client.get(f"/assessments/{review['id']}/feedback")).text
    assert "Done, waiting for verification" in page and "notice board.pdf" in page
    sent_file = re.search(rf"/assessments/{review['id']}/action-files/\d+", page)
    assert sent_file, "the feedback page links the action's file"
    download = await client.get(sent_file.group(0))
    assert download.status_code == 200
    assert "notice%20board.pdf" in download.headers["content-disposition"]

    # A committee member reopens it with a reason, the agency updates again, it is verified.
    await sign_in(client, review["union"])
    no_reason = await post_form(client, f"{url}/actions/{action['id']}/reopen")
    assert no_reason.status_code == 400
    # Beside its own field, named apart from the indicators' "what to revise" fields.
    assert f'id="f-reopen-why-{action["id"]}"' in no_reason.text
    assert "Say why the action is reopened." in no_reason.text
    reason = {f"reopen-why-{action['id']}": "Photo unreadable."}
    await post_form(client, f"{url}/actions/{action['id']}/reopen", reason)
    await sign_in(client, agency_user)
    await post_form(
        client,
        f"/assessments/{review['id']}/actions/{action['id']}",
        {f"note-{action['id']}": "New photo attached."},
    )
    await sign_in(client, review["cso"])
    await post_form(client, f"{url}/actions/{action['id']}/verify")
    row = await ImprovementAction.select().where(ImprovementAction.id == action["id"]).first()
    assert row["status"] == "verified"


async def test_heatmap_and_scores_export(client, make_agency, make_user):
    import csv
    import io

    review = await _submitted(make_agency, make_user)
    await _rated(client, review)
    cycle_id = (await Assessment.select(Assessment.cycle).first())["cycle"]
    heatmap = await client.get(f"/cycles/{cycle_id}/heatmap")
    assert heatmap.status_code == 200
    # Article 1: 1.1 scored 1 of 2 (1.2 not applicable) → 50%; article 2: 1 of 2 → 50%.
    assert heatmap.text.count('<td class="cell shade-c">') == 2
    assert "Mekong Manpower" in heatmap.text
    export = await client.get(f"/cycles/{cycle_id}/scores.csv")
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [r["indicator"] for r in rows] == ["1.1", "1.2", "2.1"]
    first = rows[0]
    assert first["member_scores"] == "Member Dara: 2; Member Vanna: 1"
    assert first["consensus"] == "1" and first["consensus_comment"] == "Publish your fee schedule."
    assert rows[1]["consensus"] == "n/a"
    # Agencies and the public never get them.
    agency_user = await make_user("agency", agency=review["agency"].id)
    await sign_in(client, agency_user)
    assert (await client.get(f"/cycles/{cycle_id}/heatmap")).status_code == 404
    assert (await client.get(f"/cycles/{cycle_id}/scores.csv")).status_code == 404


async def test_a_cycle_sets_its_own_bands(client, make_agency, make_user):
    from portal.checklists import checklist_versions, cycles
    from portal.errors import FormErrors
    from tests.checklists.conftest import CHECKLIST

    template = await checklist_versions.import_template(None, CHECKLIST.encode())
    await checklist_versions.publish(None, template.id)
    agency = await make_agency()
    form = cycles.NewCycle(
        title_en="Pilot",
        template=template.id,
        opens_on=date(2026, 1, 1),
        submission_deadline=date(2026, 2, 1),
        review_deadline=date(2026, 3, 1),
        participants="chosen",
        agencies=[agency.id],
        bands="90 A Excellent\nfifty B Oops\n0 C Needs work",
    )
    try:
        await cycles.open_cycle(None, form)
    except FormErrors as error:
        assert "Line 2" in error.errors["bands"]
    else:
        raise AssertionError("a malformed band line was accepted")
    form.bands = "90 A Excellent\n0 B Needs work"
    cycle = await cycles.open_cycle(None, form)
    from portal.checklists.scores import cycle_bands

    stored = (await AssessmentCycle.select().where(AssessmentCycle.id == cycle.id).first())["bands"]
    assert [b.code for b in cycle_bands(stored)] == ["A", "B"]


async def test_the_export_and_heatmap_keep_scores_from_a_member_yet_to_score(
    client, make_agency, make_user
):
    review = await _submitted(make_agency, make_user)
    await _panel(client, review)
    await sign_in(client, review["union"])
    await post_form(
        client,
        f"/reviews/{review['id']}/scores",
        {**_scores(review, {"1.1": "2", "1.2": "na", "2.1": "1"}, "Dara"), "then": "submit"},
    )
    cycle_id = (await Assessment.select(Assessment.cycle).first())["cycle"]
    await sign_in(client, review["cso"])  # on the panel, has not scored yet
    export = await client.get(f"/cycles/{cycle_id}/scores.csv")
    assert "Dara" not in export.text and "Mekong Manpower" not in export.text
    await sign_in(client, review["cso"])
    await post_form(
        client, f"/reviews/{review['id']}/scores", _scores(review, {"1.1": "0"}, "Draft")
    )
    await sign_in(client, review["chair"])  # not on the panel: submitted scores, no drafts
    export = (await client.get(f"/cycles/{cycle_id}/scores.csv")).text
    assert "Member Dara: 2" in export and "Member Vanna" not in export
