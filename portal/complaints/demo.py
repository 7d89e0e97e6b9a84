"""Demo complaints: about thirty cases across every state (some overdue, one sensitive),
walked through the real workflow (`services.move`), so each has its timeline, audit lines
and figures. Safe to run again: the first demo reference marks them done. (Benchmarks'
bulk rows: `bulk_demo.py`.)"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from portal import clock, db
from portal.accounts.tables import User
from portal.agencies.tables import Agency
from portal.complaints import search, services
from portal.complaints.demo_people import (
    DESTINATION_CODES,
    PROVINCE_CODES,
    SECTOR_CODES,
    random_grounds,
    random_outcome,
    random_person,
    random_reference,
    random_story,
)
from portal.complaints.states import Status
from portal.complaints.tables import (
    Audience,
    Channel,
    Complaint,
    ComplaintGround,
    ComplaintWorker,
    ContactPreference,
    Filer,
    Ground,
)
from portal.deadlines import Stage, due_at

# (status it ends in, days since it was received, sensitive?)
DEMO_CASES: list[tuple[Status, float, bool]] = [
    (Status.received, 0.2, False),
    (Status.received, 1.5, False),
    (Status.received, 3.5, False),  # acknowledgement overdue
    (Status.received, 5, False),  # overdue, past the grace period
    (Status.acknowledged, 2, False),
    (Status.acknowledged, 6, False),
    (Status.acknowledged, 16, False),  # resolution overdue
    (Status.awaiting_agency, 3, False),
    (Status.awaiting_agency, 6, False),
    (Status.awaiting_agency, 12, False),  # the agency is late
    (Status.awaiting_agency, 20, False),
    (Status.investigation, 8, True),  # trafficking: sensitive
    (Status.investigation, 10, False),
    (Status.investigation, 18, False),
    (Status.investigation, 30, False),
    (Status.resolved, 25, False),
    (Status.resolved, 40, False),
    (Status.resolved, 12, False),
    (Status.referred, 35, False),
    (Status.dismissed, 22, False),
    (Status.withdrawn, 9, False),
    (Status.closed, 60, False),
    (Status.closed, 75, False),
    (Status.closed, 90, False),
    (Status.closed, 120, False),
    (Status.closed, 150, False),
    (Status.closed, 200, False),
    (Status.closed, 45, False),
    (Status.closed, 33, False),
    (Status.received, 0.5, False),
]
# The moves that take a received case to each state.
_PATHS: dict[Status, list[Status]] = {
    Status.received: [],
    Status.acknowledged: [Status.acknowledged],
    Status.awaiting_agency: [Status.acknowledged, Status.awaiting_agency],
    Status.investigation: [Status.acknowledged, Status.awaiting_agency, Status.investigation],
    Status.resolved: [Status.acknowledged, Status.awaiting_agency, Status.investigation,
                      Status.resolved],
    Status.referred: [Status.acknowledged, Status.investigation, Status.referred],
    Status.dismissed: [Status.acknowledged, Status.dismissed],
    Status.withdrawn: [Status.withdrawn],
    Status.closed: [Status.acknowledged, Status.awaiting_agency, Status.investigation,
                    Status.resolved, Status.closed],
}  # fmt: skip
DEMO_SEED = 190  # Sub-decree 190


async def seed_complaints(report: list[str]) -> None:
    """About thirty demo cases, each walked through the workflow with its timeline."""
    rng = random.Random(DEMO_SEED)
    now = clock.now()
    first_reference = random_reference(
        random.Random(DEMO_SEED), now - timedelta(days=DEMO_CASES[0][1])
    )
    if await Complaint.exists().where(Complaint.reference == first_reference):
        return
    officer = await User.objects().where(User.email == "officer@demo.example").first()
    agencies = [
        row["id"]
        for row in await Agency.select(Agency.id)
        .where(Agency.licence_number.like("MOLVT-PRA-%"))
        .order_by(Agency.id)
    ]
    if officer is None or not agencies:
        return
    for n, (status, days, sensitive) in enumerate(DEMO_CASES):
        received_at = now - timedelta(days=days)
        reference = random_reference(rng, received_at)  # the first one is first_reference
        await _demo_case(rng, n, reference, status, received_at, sensitive, agencies, officer)
    report.append(f"{len(DEMO_CASES)} complaints across every state")


async def _demo_case(
    rng: random.Random,
    n: int,
    reference: str,
    status: Status,
    received_at: datetime,
    sensitive: bool,
    agencies: list[int],
    officer: User,
) -> None:
    grounds = [Ground.forced_labour] if sensitive else random_grounds(rng)
    name, sex = random_person(rng)
    # The first two agencies (with demo staff accounts) get most complaints.
    agency = agencies[n % 2] if n % 5 else rng.choice(agencies)
    resolution = await due_at(Stage.RESOLUTION, received_at)
    month = services.month_key(received_at)
    async with db.transaction():
        complaint = Complaint(
            reference=reference,
            receipt_hash=services.receipt_hash(f"demo {reference}"),
            received_at=received_at,
            updated_at=received_at,
            resolution_due_at=resolution,
            agency=agency,
            filer=Filer.worker if n % 3 else Filer.family,
            channel=rng.choice(list(Channel)),
            complainant_name=name,
            name_key=services.name_key(name),
            phone=f"0{rng.randrange(10, 99)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}",
            contact_preference=ContactPreference.phone,
            province=rng.choice(PROVINCE_CODES),
            destination=rng.choice(DESTINATION_CODES),
            sector="fishing" if sensitive else rng.choice(SECTOR_CODES),
            description=random_story(rng, grounds, received_at),
            share_identity=n % 4 == 0,
            is_sensitive=sensitive,
            assigned_officer=officer.id if status != Status.received else None,
            status=Status.received,
            **(await services.stage_fields(Status.received, received_at, resolution)),
        )
        complaint.phone_key = search.phone_key(complaint.phone)
        await complaint.save()
        await ComplaintWorker.insert(
            ComplaintWorker(
                complaint=complaint.id, name=name, sex=sex, age_band="25_34", disability="no"
            )
        )
        await ComplaintGround.insert(
            *[ComplaintGround(complaint=complaint.id, ground=g) for g in grounds]
        )
        await services.add_event(
            complaint.id, "filed", Audience.public, received_at, by_complainant=True
        )
        await services.bump(
            {
                "status:received": 1,
                f"received:{month}": 1,
                f"workers:{sex}": 1,
                f"workers:{month}:{sex}": 1,
            }
        )
    path = _PATHS[status]
    span = clock.now() - received_at
    row: dict[str, Any] = {"id": complaint.id, "reference": reference, "status": Status.received,
                           "resolution_due_at": resolution}  # fmt: skip
    for step, target in enumerate(path, start=1):
        # Each move a little later, the last one a while ago (so some stages are overdue).
        at = received_at + span * (step / (len(path) + 1.5))
        extra: dict[str, Any] = {}
        if target in (Status.resolved, Status.referred, Status.dismissed, Status.withdrawn):
            outcome = random_outcome(rng, target)
            extra = {
                "outcome": outcome["outcome"],
                "compensation": outcome["compensation"],
                "compensation_currency": outcome["currency"],
                "sanction": outcome["sanction"],
            }
            if outcome["compensation"] is not None:
                await services.bump(
                    {
                        f"compensation:{services.month_key(at)}:USD": int(
                            outcome["compensation"] * 100
                        )
                    }
                )
        await services.move(officer, row, target, at, extra=extra)
        if target == Status.awaiting_agency:
            await services.add_event(
                complaint.id,
                "response_requested",
                Audience.agency,
                at,
                officer,
                "Please explain the fees you charged this worker and send your receipts.",
            )
        if extra.get("outcome"):
            await services.add_event(complaint.id, "outcome", Audience.public, at, officer)
        row["status"] = target
