"""A complaint's states and the moves between them: the one place that defines them.

received → acknowledged → awaiting agency response → under investigation / mediation →
resolved | referred | dismissed | withdrawn, then closed; a closed case can be reopened
(appeal), which puts it back under investigation. Every other move is refused.

Each open state has the deadline stage whose clock runs while the case is in it; the
due time is computed by `portal.deadlines` and stored on the complaint.
"""

from __future__ import annotations

from portal.deadlines import Stage
from portal.i18n import N_
from portal.labels import LabelledEnum


class Status(LabelledEnum):
    received = "received", N_("Received")
    acknowledged = "acknowledged", N_("Acknowledged")
    awaiting_agency = "awaiting_agency", N_("Awaiting the agency's response")
    investigation = "investigation", N_("Under investigation or mediation")
    resolved = "resolved", N_("Resolved")
    referred = "referred", N_("Referred")
    dismissed = "dismissed", N_("Dismissed")
    withdrawn = "withdrawn", N_("Withdrawn")
    closed = "closed", N_("Closed")


# The outcome states: the case has an answer and waits only to be closed.
DECIDED = frozenset({Status.resolved, Status.referred, Status.dismissed, Status.withdrawn})
OPEN = frozenset(set(Status) - DECIDED - {Status.closed})

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.received: frozenset({Status.acknowledged, Status.dismissed, Status.withdrawn}),
    Status.acknowledged: frozenset({Status.awaiting_agency, Status.investigation, *DECIDED}),
    Status.awaiting_agency: frozenset({Status.investigation, *DECIDED}),
    Status.investigation: frozenset({Status.awaiting_agency, *DECIDED}),
    Status.resolved: frozenset({Status.closed, Status.investigation}),
    Status.referred: frozenset({Status.closed, Status.investigation}),
    Status.dismissed: frozenset({Status.closed, Status.investigation}),
    Status.withdrawn: frozenset({Status.closed}),
    Status.closed: frozenset({Status.investigation}),  # reopened on appeal
}

# Which deadline runs in each open state. After acknowledgement the case runs against
# its resolution deadline (counted from receipt) until the agency is asked to respond.
STAGE_OF: dict[Status, Stage] = {
    Status.received: Stage.ACKNOWLEDGE,
    Status.acknowledged: Stage.RESOLUTION,
    Status.awaiting_agency: Stage.AGENCY_RESPONSE,
    Status.investigation: Stage.INVESTIGATION,
}


def can_move(current: Status | str, target: Status | str) -> bool:
    """Whether the workflow allows going from `current` to `target`."""
    return Status(target) in TRANSITIONS[Status(current)]


def is_open(status: Status | str) -> bool:
    """A case that still needs work (its deadlines are watched)."""
    return Status(status) in OPEN


def stage_of(status: Status | str) -> Stage | None:
    return STAGE_OF.get(Status(status))
