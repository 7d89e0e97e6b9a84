"""The COC picture: agencies assessed and rated per cycle, ratings by band, and each
article's average score, counted from the consensus scores of rated agencies."""

from __future__ import annotations

from portal import clock
from portal.checklists.tables import Assessment, ConsensusScore, Rating
from portal.reports import coc, figures
from tests.checklists.conftest import indicators, open_cycle_for

# Per agency: scores of 1.1, 1.2, 2.1 (each out of 2; None: not applicable) and its band.
SCORES = [
    ((2, 2, 2), "A"),
    ((2, None, 1), "B"),
    ((1, 1, 0), "C"),
    ((2, 2, 1), "A"),
    ((0, 0, 2), "C"),
    ((2, 1, 2), "A"),
]


async def test_the_picture_counts_rated_agencies_and_averages_articles(make_agency):
    agencies = [await make_agency() for _ in range(len(SCORES) + 1)]
    cycle, assessments = await open_cycle_for(*agencies)
    codes = {code: row["id"] for code, row in (await indicators(cycle.template)).items()}
    now = clock.now()
    for assessment, (scores, band) in zip(assessments, SCORES, strict=False):
        await Assessment.update({Assessment.submitted_at: now, Assessment.status: "rated"}).where(
            Assessment.id == assessment["id"]
        )
        for code, score in zip(("1.1", "1.2", "2.1"), scores, strict=True):
            await ConsensusScore(
                assessment=assessment["id"], indicator=codes[code], round=1,
                slot=f"{assessment['id']}:{codes[code]}:1", score=score,
                not_applicable=score is None, decided_at=now,
            ).save()  # fmt: skip
        await Rating(
            assessment=assessment["id"], agency=assessment["agency"], cycle=cycle.id,
            template=cycle.template, points=0, applicable_maximum=0, full_maximum=0,
            total=0, percent=0, band_code=band, band_label="Band " + band, published_at=now,
        ).save()  # fmt: skip
    await figures.rebuild_cycles()

    [staff] = await coc.pictures(5, public=False)
    assert (staff.assessed.value, staff.rated.value) == (6, 6)  # the 7th never submitted
    assert {row.code: row.cells[0].value for row in staff.bands.rows} == {"A": 3, "B": 1, "C": 2}
    averages = {row.code: row.cells[0].value for row in staff.articles.rows}
    # Article 1: 100, 100 (1.2 not applicable: 2 of 2), 50, 100, 0, 75 -> 70.8; article 2:
    # 100, 50, 0, 50, 100, 100 -> 66.7 (rounded to whole percents).
    assert averages == {"1": 71, "2": 67}

    [public] = await coc.pictures(5, public=True)
    assert all(row.cells[0].hidden for row in public.bands.rows)  # 3, 1, 2: all small
    assert public.rated.value == 6 and public.rated.shown
    [hidden_averages] = await coc.pictures(7, public=True)  # over fewer than 7 agencies
    assert all(row.cells[0].hidden for row in hidden_averages.articles.rows)
