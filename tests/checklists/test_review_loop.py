"""The review loop after a return for revision: every indicator without a consensus can
be agreed in the next round, the chair lands on a real page, and the agency's page says
when its assessment was returned."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from portal import clock
from portal.checklists.tables import Assessment, Evidence, Rating
from tests.checklists.test_reviews import (
    _both_members_submit,
    _panel,
    _submitted,
    indicators_by_code,
)
from tests.conftest import post_form, sign_in


async def resubmit(client: Any, review: dict[str, Any], changes: dict[str, str]) -> None:
    """The agency answers the reopened indicators again (`changes`: code → choice), with
    the evidence the checklist requires, and submits."""
    agency_user = await make_agency_user(review)
    await sign_in(client, agency_user)
    codes, by_code = review["codes"], await indicators_by_code(review)
    for code, choice in changes.items():
        saved = await post_form(
            client,
            f"/assessments/{review['id']}/sections/{by_code[code]['section']}",
            {
                f"answer-{codes[code]}": choice,
                f"explanation-{codes[code]}": "Revised.",
                "then": "stay",
            },
        )
        assert saved.status_code == 303, saved.text
    for code in ("1.1", "2.1"):
        await Evidence.insert(
            Evidence(
                assessment=review["id"],
                indicator=codes[code],
                stored_name=f"{review['id']}-{code}".ljust(36, "0"),
                filename="register.pdf",
                content_type="application/pdf",
                size=10,
                uploaded_at=clock.now(),
            )
        )
    await Assessment.update({Assessment.complete_count: 3}).where(Assessment.id == review["id"])
    resubmitted = await post_form(client, f"/assessments/{review['id']}/submit")
    assert resubmitted.status_code == 303, resubmitted.text


async def make_agency_user(review: dict[str, Any]) -> Any:
    if "agency_user" not in review:
        review["agency_user"] = await review["make_user"]("agency", agency=review["agency"].id)
    return review["agency_user"]


async def reviewed(make_agency: Any, make_user: Any) -> dict[str, Any]:
    review = await _submitted(make_agency, make_user)
    review["make_user"] = make_user
    return review


async def test_consensus_is_possible_for_every_indicator_after_an_early_return(
    client, make_agency, make_user
):
    review = await reviewed(make_agency, make_user)
    await _panel(client, review)
    await _both_members_submit(client, review)
    url, codes = f"/reviews/{review['id']}", review["codes"]
    await sign_in(client, review["chair"])
    # The chair agrees only 1.1, then returns 2.1: 1.2 has no consensus yet.
    await post_form(client, f"{url}/consensus", {f"consensus-{codes['1.1']}": "1"})
    returned = await post_form(
        client,
        f"{url}/return",
        {"reopen": [str(codes["2.1"])], f"why-{codes['2.1']}": "Show the passport register."},
    )
    assert returned.status_code == 303
    await resubmit(client, review, {"2.1": "met"})

    # Round 2: 1.2 (never agreed) is scored again along with the reopened 2.1.
    for member in (review["union"], review["cso"]):
        await sign_in(client, member)
        page = (await client.get(url)).text
        assert f'name="score-{codes["1.2"]}"' in page
        assert f'name="score-{codes["1.1"]}"' not in page  # settled in round 1
        done = await post_form(
            client,
            f"{url}/scores",
            {f"score-{codes['1.2']}": "na", f"score-{codes['2.1']}": "2", "then": "submit"},
        )
        assert done.status_code == 303
    await sign_in(client, review["chair"])
    page = (await client.get(url)).text
    assert f'name="consensus-{codes["1.2"]}"' in page
    await post_form(
        client,
        f"{url}/consensus",
        {f"consensus-{codes['1.2']}": "na", f"consensus-{codes['2.1']}": "2"},
    )
    published = await post_form(client, f"{url}/publish")
    assert published.status_code == 303, published.text
    rating = await Rating.select().first()
    # 1 (1.1, kept) + 2 (2.1) of the 4 points that apply → 4.5 of 6.
    assert str(rating["total"]) == "4.5"


async def test_returning_lands_on_the_assessment_with_when_it_was_returned(
    client, make_agency, make_user, monkeypatch
):
    review = await reviewed(make_agency, make_user)
    await _panel(client, review)
    await _both_members_submit(client, review)
    codes = review["codes"]
    moment = datetime(2026, 3, 4, 2, 30, tzinfo=UTC)  # 09:30 in Phnom Penh
    monkeypatch.setattr(clock, "now", lambda: moment)
    await sign_in(client, review["chair"])
    returned = await post_form(
        client,
        f"/reviews/{review['id']}/return",
        {"reopen": [str(codes["2.1"])], f"why-{codes['2.1']}": "Show the passport register."},
    )
    assert returned.status_code == 303
    landed = await client.get(returned.headers["location"])
    assert landed.status_code == 200
    assert "The assessment has been returned to the agency." in landed.text
    assert "Page not found" not in landed.text
    assert "Show the passport register." in landed.text

    await sign_in(client, await make_agency_user(review))
    overview = (await client.get(f"/assessments/{review['id']}")).text
    timeline = overview.split('id="timeline"')[1]
    returned_line = next(line for line in timeline.splitlines() if "Returned for revision" in line)
    assert "9:30" in returned_line and "2026" in returned_line


async def test_the_heatmap_opens_an_article_by_indicator(client, make_agency, make_user):
    from portal.checklists.tables import ConsensusScore
    from tests.checklists.test_reviews import _rated

    review = await reviewed(make_agency, make_user)
    await _rated(client, review)
    codes = review["codes"]
    await ConsensusScore.update({ConsensusScore.score: 0}).where(
        ConsensusScore.indicator == codes["2.1"]
    )
    cycle_id = (await Assessment.select(Assessment.cycle).first())["cycle"]
    heatmap = (await client.get(f"/cycles/{cycle_id}/heatmap")).text
    by_code = await indicators_by_code(review)
    link = f"/cycles/{cycle_id}/heatmap?article={by_code['2.1']['section']}"
    assert f'href="{link}"' in heatmap  # a plain link: no JavaScript needed
    article = await client.get(link)
    assert article.status_code == 200
    zeros = article.text.split('id="zeros"')[1].split("</table>")[0]
    row = zeros.split("2.1 Identity documents stay with the worker.")[1].split("</tr>")[0]
    assert row.split("<td>")[1:] == ["1</td>", "1</td>", "100%</td>"]
    assert '<td class="cell shade-d">0</td>' in article.text
    # Article 1: 1.1 scored 1, 1.2 not applicable; no agency at 0.
    first = (
        await client.get(f"/cycles/{cycle_id}/heatmap?article={by_code['1.1']['section']}")
    ).text
    assert "100%" not in first.split('id="zeros"')[1].split("</table>")[0]
    assert (await client.get(f"/cycles/{cycle_id}/heatmap?article=99999")).status_code == 404
