"""What the agency (and the chair) hear as the review loop moves: the assessment returned
for revision, the rating decided, a contest and its decision. Each goes out as an alert
and its e-mail through `portal.notifications`, in the transaction of the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal import clock
from portal.i18n import N_
from portal.notifications import messages
from portal.notifications.services import Due, notify
from portal.notifications.watchers import agency_staff

# The words of these alerts, registered with the others (read when an alert is shown).
messages.KINDS.update(
    {
        "assessment_returned": messages.AlertText(
            N_("Your self-assessment for %(cycle)s was returned for revision"),
            N_(
                "The committee returned your self-assessment for %(cycle)s for revision "
                "(indicators to revise: %(count)s). Read its feedback, change those answers "
                "and submit again."
            ),
        ),
        "rating_decided": messages.AlertText(
            N_("Your rating for %(cycle)s: %(band)s"),
            N_(
                "The committee has decided your agency's rating for %(cycle)s. Read it with the "
                "feedback, and accept it or contest it with your reasons by %(date)s. After "
                "that it is published."
            ),
        ),
        "rating_contested": messages.AlertText(
            N_("A rating for %(cycle)s is contested"),
            N_(
                "An agency contests the rating it received for %(cycle)s. Read its reasons "
                "and decide: uphold the rating or change it. It stays unpublished until then."
            ),
        ),
        "contest_decided": messages.AlertText(
            N_("The committee has decided on your contest for %(cycle)s"),
            N_(
                "The chair has decided on your agency's contest of its rating for %(cycle)s. "
                "The rating is now %(band)s and it is published."
            ),
        ),
    }
)


async def _send(
    kind: str,
    assessment: dict[str, Any],
    recipients: list[int],
    threshold: str,
    link: str,
    due_at: datetime | None = None,
    **params: Any,
) -> None:
    now = clock.now()
    item = Due(
        kind=kind,
        record_type="assessment",
        record_id=assessment["id"],
        threshold=threshold,
        due_at=due_at or now,
        recipients=tuple(recipients),
        params={"cycle_en": assessment["cycle_title_en"], "cycle_km": assessment["cycle_title_km"]}
        | params,
        link=link,
    )
    await notify([item], now)


async def _staff(assessment: dict[str, Any]) -> list[int]:
    return (await agency_staff([assessment["agency"]]))[assessment["agency"]]


async def returned(assessment: dict[str, Any], round_: int, count: int) -> None:
    await _send(
        "assessment_returned",
        assessment,
        await _staff(assessment),
        f"round-{round_}",
        f"/assessments/{assessment['id']}",
        count=count,
    )


async def rating_decided(assessment: dict[str, Any], band: str, reply_due: datetime) -> None:
    await _send(
        "rating_decided",
        assessment,
        await _staff(assessment),
        "decided",
        f"/assessments/{assessment['id']}/feedback",
        due_at=reply_due,
        band=band,
    )


async def contested(assessment: dict[str, Any], chair: int | None) -> None:
    await _send(
        "rating_contested",
        assessment,
        [chair] if chair else [],
        "contested",
        f"/reviews/{assessment['id']}#reply",
    )


async def contest_decided(assessment: dict[str, Any], band: str) -> None:
    await _send(
        "contest_decided",
        assessment,
        await _staff(assessment),
        "contest-decided",
        f"/assessments/{assessment['id']}/feedback",
        band=band,
    )
