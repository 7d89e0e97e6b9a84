"""The complaint workflow: every allowed move works, every other one is refused and
changes nothing."""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest

from portal.complaints import services
from portal.complaints.states import DECIDED, OPEN, TRANSITIONS, Status
from portal.complaints.tables import CaseEvent, Complaint
from portal.errors import DomainError

ALL_MOVES = list(product(Status, Status))


def test_every_state_has_its_moves_and_a_way_forward():
    assert set(TRANSITIONS) == set(Status)
    assert OPEN == {
        Status.received,
        Status.acknowledged,
        Status.awaiting_agency,
        Status.investigation,
    }
    for status in DECIDED:
        assert Status.closed in TRANSITIONS[status]
    assert TRANSITIONS[Status.closed] == {Status.investigation}  # reopened on appeal


@pytest.mark.parametrize(("current", "target"), ALL_MOVES, ids=lambda s: str(s))
async def test_move(current: Status, target: Status, make_complaint: Any, make_user: Any):
    officer = await make_user("officer")
    complaint = await make_complaint(status=current)
    row = await Complaint.select().where(Complaint.id == complaint.id).first()
    if target in TRANSITIONS[current]:
        await services.move(officer, row, target, complaint.received_at)
        after = await Complaint.select().where(Complaint.id == complaint.id).first()
        assert after["status"] == target
        assert after["is_open"] == (target in OPEN)
        assert (after["stage_due_at"] is not None) == (target in OPEN)
        event = await CaseEvent.select().where(CaseEvent.complaint == complaint.id).first()
        assert (event["from_status"], event["to_status"]) == (current, target)
        assert await services.figures([f"status:{current}", f"status:{target}"]) == {
            f"status:{current}": 0,
            f"status:{target}": 1,
        }
    else:
        with pytest.raises(DomainError):
            await services.move(officer, row, target, complaint.received_at)
        after = await Complaint.select().where(Complaint.id == complaint.id).first()
        assert after["status"] == current
        assert await CaseEvent.count().where(CaseEvent.complaint == complaint.id) == 0


async def test_a_stale_move_is_refused(make_complaint: Any, make_user: Any):
    """Two officers act on the same case at once: the second move is refused."""
    officer = await make_user("officer")
    complaint = await make_complaint(status="received")
    row = await Complaint.select().where(Complaint.id == complaint.id).first()
    await services.move(officer, row, Status.acknowledged, complaint.received_at)
    with pytest.raises(DomainError):
        await services.move(officer, row, Status.dismissed, complaint.received_at)
