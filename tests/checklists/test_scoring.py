"""The committee's arithmetic on hand-worked examples."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from portal.checklists.scoring import (
    DEFAULT_BANDS,
    Band,
    Scored,
    band_for,
    bands_text,
    parse_bands,
    suggest,
    totals,
)


def _fifty(scores: list[int | None]) -> list[Scored]:
    """50 indicators worth 2 each, five articles of ten, with the given scores in order."""
    return [Scored(i, i // 10, 2, score) for i, score in enumerate(scores)]


def test_all_met_is_100_of_100():
    result = totals(_fifty([2] * 50), range(5))
    assert (result.points, result.applicable_maximum, result.full_maximum) == (100, 100, 100)
    assert result.total == Decimal("100.0")
    assert [s.points for s in result.subtotals] == [20] * 5


def test_subtotals_per_article():
    # Article 0: ten 1s = 10/20; article 1: five 2s and five 0s = 10/20; rest all 2.
    scores = [1] * 10 + [2] * 5 + [0] * 5 + [2] * 30
    result = totals(_fifty(scores), range(5))
    assert [(s.points, s.applicable_maximum) for s in result.subtotals] == [
        (10, 20),
        (10, 20),
        (20, 20),
        (20, 20),
        (20, 20),
    ]
    assert result.subtotals[0].share == Fraction(1, 2)
    assert result.total == Decimal("80.0")


def test_not_applicable_leaves_the_maximum_pro_rata():
    # Two indicators not applicable: 96 points apply; 80 scored → 80/96 × 100 = 83.33 → 83.3.
    scores: list[int | None] = [None, None] + [2] * 40 + [0] * 8
    result = totals(_fifty(scores), range(5))
    assert (result.points, result.applicable_maximum, result.full_maximum) == (80, 96, 100)
    assert result.total == Decimal("83.3")
    assert result.percent == Decimal("83.3")
    assert result.subtotals[0].applicable_maximum == 16  # article 0 lost its two


def test_a_template_not_worth_100_scales_to_its_own_maximum():
    # 12 indicators worth 2 = 24; one not applicable: 22 apply; 11 scored = half → 12.0 of 24.
    scored = [
        Scored(i, 0, 2, None if i == 0 else (2 if i <= 5 else 0) + (1 if i == 6 else 0))
        for i in range(12)
    ]
    result = totals(scored, [0])
    assert (result.points, result.applicable_maximum) == (11, 22)
    assert result.total == Decimal("12.0")
    assert result.percent == Decimal("50.0")


def test_an_article_where_nothing_applies_has_no_share():
    result = totals([Scored(1, 7, 2, None), Scored(2, 8, 2, 1)], [7, 8])
    assert result.subtotals[0].share is None
    assert result.total == Decimal("2.0")  # 1 of 2 applicable → half of the full 4


def test_a_score_above_the_maximum_is_an_error():
    with pytest.raises(ValueError):
        totals([Scored(1, 1, 2, 3)], [1])


@pytest.mark.parametrize(
    ("percent", "code"),
    [
        ("100", "A"),
        ("85.0", "A"),
        ("84.9", "B"),
        ("70", "B"),
        ("69.9", "C"),
        ("50", "C"),
        ("49.9", "D"),
        ("0", "D"),
    ],
)
def test_default_bands(percent: str, code: str):
    assert band_for(Decimal(percent)).code == code


def test_bands_are_edited_as_text():
    assert parse_bands(bands_text(DEFAULT_BANDS)) == list(DEFAULT_BANDS)
    custom = parse_bands("90 A Excellent\n0 B Needs work\n")
    assert band_for(Decimal("89.9"), custom) == Band(0, "B", "Needs work")
    with pytest.raises(ValueError, match="2"):
        parse_bands("90 A Excellent\nninety B Oops")
    with pytest.raises(ValueError):
        parse_bands("90 A Excellent")  # nothing below 90


@pytest.mark.parametrize(
    ("members", "score", "disagreement"),
    [
        ([2, 2, 2], 2, False),
        ([2, 1, 2], 2, True),
        ([2, 1], 1, True),  # a split panel: the lower middle
        ([0, 1, 2, 2], 1, True),
        ([None, None, 1], None, True),  # most say not applicable
        ([None, 2, 2], 2, True),
    ],
)
def test_suggested_consensus(members, score, disagreement):
    suggestion = suggest(members)
    assert suggestion is not None
    assert (suggestion.score, suggestion.disagreement) == (score, disagreement)


def test_no_member_scores_no_suggestion():
    assert suggest([]) is None
