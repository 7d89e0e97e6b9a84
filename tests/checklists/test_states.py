"""The self-assessment workflow: every allowed move works, every other one is refused and
changes nothing."""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest

from portal.checklists import states
from portal.checklists.states import TRANSITIONS
from portal.checklists.tables import Assessment, AssessmentStatus
from portal.errors import DomainError

ALL_MOVES = list(product(AssessmentStatus, AssessmentStatus))


def test_every_state_has_its_moves():
    assert set(TRANSITIONS) == set(AssessmentStatus)
    assert TRANSITIONS[AssessmentStatus.rated] == set()  # a published rating is final
    assert states.EDITABLE == {AssessmentStatus.in_progress, AssessmentStatus.returned}


async def _assessment_in(status: AssessmentStatus, make_agency: Any, open_cycle: Any) -> dict:
    _, [assessment] = await open_cycle(await make_agency())
    await Assessment.update({Assessment.status: status}).where(Assessment.id == assessment["id"])
    return await _reload(assessment["id"])


async def _reload(assessment_id: int) -> dict:
    return await Assessment.select().where(Assessment.id == assessment_id).first()


@pytest.mark.parametrize(("current", "target"), ALL_MOVES, ids=lambda s: str(s))
async def test_move(
    current: AssessmentStatus, target: AssessmentStatus, make_agency: Any, open_cycle: Any
):
    assessment = await _assessment_in(current, make_agency, open_cycle)
    if target in TRANSITIONS[current]:
        await states.move(assessment, target, {"round": 2})
        after = await _reload(assessment["id"])
        assert (after["status"], after["round"]) == (target, 2)
    else:
        with pytest.raises(states.NotAllowed):
            await states.move(assessment, target, {"round": 2})
        assert await _reload(assessment["id"]) == assessment


async def test_a_stale_move_is_refused(make_agency: Any, open_cycle: Any):
    """The chair publishes from a page loaded before someone else returned the
    assessment: the second move is refused and the first one stands."""
    assessment = await _assessment_in(AssessmentStatus.submitted, make_agency, open_cycle)
    await states.move(assessment, AssessmentStatus.returned)
    with pytest.raises(DomainError, match="changed by someone else"):
        await states.move(assessment, AssessmentStatus.rated)
    assert (await _reload(assessment["id"]))["status"] == AssessmentStatus.returned
