"""Committee review: members score independently, the chair agrees consensus and
publishes, the registry shows the rating; who may do what."""

from __future__ import annotations

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
from tests.checklists.conftest import indicators
from tests.conftest import post_form, sign_in


async def _submitted(open_cycle: Any, make_agency: Any, make_user: Any) -> dict[str, Any]:
    """A submitted assessment of the 3-indicator checklist (1.2 answered not applicable),
    a cycle chaired by `chair`, and two panel members."""
    agency = await make_agency(name_en="Mekong Manpower")
    cycle, [assessment] = await open_cycle(agency)
    by_code = await indicators(cycle.template)
    now = clock.now()
    for code, choice in (("1.1", "met"), ("1.2", "not_applicable"), ("2.1", "partly_met")):
        await Answer.insert(
            Answer(
                assessment=assessment["id"],
                indicator=by_code[code]["id"],
                slot=f"{assessment['id']}:{by_code[code]['id']}",
                choice=choice,
                explanation=f"Answer to {code}",
                updated_at=now,
            )
        )
    await Assessment.update({Assessment.status: "submitted", Assessment.submitted_at: now}).where(
        Assessment.id == assessment["id"]
    )
    chair = await make_user("committee", full_name="Chair Sokha", constituency="ministry")
    union = await make_user("committee", full_name="Member Dara", constituency="union")
    cso = await make_user("committee", full_name="Member Vanna", constituency="civil_society")
    await AssessmentCycle.update({AssessmentCycle.chair: chair.id}).where(
        AssessmentCycle.id == cycle.id
    )
    return {
        "id": assessment["id"],
        "agency": agency,
        "codes": {code: row["id"] for code, row in by_code.items()},
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


async def test_members_score_independently(client, open_cycle, make_agency, make_user):
    review = await _submitted(open_cycle, make_agency, make_user)
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


async def test_not_applicable_only_where_the_agency_said_so(
    client, open_cycle, make_agency, make_user
):
    review = await _submitted(open_cycle, make_agency, make_user)
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


async def test_the_chair_agrees_consensus_and_publishes(client, open_cycle, make_agency, make_user):
    review = await _submitted(open_cycle, make_agency, make_user)
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
    assert "Largely compliant" in registry.text
    agency_page = await client.get(f"/agencies/{review['agency'].id}")
    assert "Largely compliant" in agency_page.text
    assert "checklist version 1" in agency_page.text


async def test_who_may_review(client, open_cycle, make_agency, make_user):
    review = await _submitted(open_cycle, make_agency, make_user)
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
