"""A self-assessment's states and the moves between them: the one place that defines them.

in progress → submitted (the answers lock) → rated (the rating is published), or
submitted → returned for revision (the named indicators reopen) → submitted again, which
starts the committee's next round. Every other move is refused.

The states themselves are `AssessmentStatus`, stored in `Assessment.status`.
"""

from __future__ import annotations

from typing import Any

from portal.checklists.tables import Assessment, AssessmentStatus
from portal.errors import DomainError
from portal.i18n import gettext as _

TRANSITIONS: dict[AssessmentStatus, frozenset[AssessmentStatus]] = {
    AssessmentStatus.in_progress: frozenset({AssessmentStatus.submitted}),
    AssessmentStatus.submitted: frozenset({AssessmentStatus.rated, AssessmentStatus.returned}),
    AssessmentStatus.returned: frozenset({AssessmentStatus.submitted}),
    AssessmentStatus.rated: frozenset(),
}

# The agency may still change answers (when returned: only the reopened indicators).
EDITABLE = frozenset({AssessmentStatus.in_progress, AssessmentStatus.returned})
# The committee reviews these; rated ones stay readable with their scores.
REVIEWED = frozenset({AssessmentStatus.submitted, AssessmentStatus.rated})


class NotAllowed(DomainError):
    """The workflow does not allow this move from the assessment's current state."""

    status_code = 409


def can_move(current: AssessmentStatus | str, target: AssessmentStatus | str) -> bool:
    """Whether the workflow allows going from `current` to `target`."""
    return AssessmentStatus(target) in TRANSITIONS[AssessmentStatus(current)]


async def move(
    assessment: dict[str, Any], target: AssessmentStatus, extra: dict[str, Any] | None = None
) -> None:
    """Move an assessment (a row with id and status) to `target`, in the caller's
    transaction; `extra` holds other columns to set with it. Refused when the workflow
    does not allow it, or when someone else moved the assessment first."""
    current = AssessmentStatus(assessment["status"])
    if not can_move(current, target):
        raise NotAllowed(_("This self-assessment cannot be changed now."))
    values = {"status": target, **(extra or {})}
    changed = (
        await Assessment.update({getattr(Assessment, name): v for name, v in values.items()})
        .where((Assessment.id == assessment["id"]) & (Assessment.status == current))
        .returning(Assessment.id)
    )
    if not changed:
        raise DomainError(_("This assessment was changed by someone else. Reload and try again."))
