"""Demo complaints.

- `seed_complaints`: about thirty cases across every state (some overdue, one sensitive),
  walked through the real workflow (`services.move`), so each has its timeline, audit
  lines and figures. Safe to run again: the first demo reference marks them done.
- `bulk_complaints(n)`: n realistic complaints for benchmarks, written in batches
  (executemany on SQLite, COPY on PostgreSQL: 100,000 in well under a minute); their
  running figures are added once at the end from the counts kept while generating them."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from piccolo.querystring import QueryString

from portal import clock, db
from portal.accounts.tables import User
from portal.agencies.tables import Agency
from portal.complaints import services
from portal.complaints.states import OPEN, Status
from portal.complaints.tables import (
    AgeBand,
    Audience,
    Channel,
    Complaint,
    ComplaintGround,
    ComplaintWorker,
    ContactPreference,
    Filer,
    Ground,
    Outcome,
    Sanction,
    Sex,
)
from portal.core.roles import Role
from portal.deadlines import Stage, due_at
from portal.labour import DESTINATIONS, PROVINCES, SECTORS

FAMILY_NAMES = ["Sok", "Chan", "Keo", "Prak", "Ouk", "Yin", "Sam", "Heng", "Meas", "Chea",
                "Lim", "Nhem", "Pen", "Srey", "Touch", "Vong", "Khim", "Long", "Mao", "Hun"]  # fmt: skip
GIVEN_NAMES = {
    Sex.woman: ["Sreymom", "Dara", "Bopha", "Chenda", "Sophea", "Kunthea", "Pisey", "Sokha",
                "Rachana", "Leakhena", "Sreyneang", "Malis"],
    Sex.man: ["Vannak", "Rithy", "Sokun", "Piseth", "Kosal", "Veasna", "Samnang", "Chantha",
              "Vuthy", "Sovann", "Makara", "Bunthoeun"],
}  # fmt: skip
STORIES = {
    Ground.delayed_departure: "I paid and signed in {month} but the agency has still not sent me "
    "abroad. They keep saying next month.",
    Ground.excessive_fees: "The agency took {amount} dollars for the medical check, training and "
    "passport. I borrowed it from a microfinance lender and cannot repay.",
    Ground.contract_substitution: "In Cambodia I signed a contract for a factory job. When I "
    "arrived I was given another contract for farm work at a lower wage.",
    Ground.unpaid_wages: "The employer has not paid me for three months. The agency does not "
    "answer my calls.",
    Ground.documents_retained: "The agency's broker kept my passport and says he will return it "
    "only when I pay another fee.",
    Ground.abuse: "The supervisor shouts at us and hit a co-worker. We are afraid to complain.",
    Ground.forced_labour: "We work on a boat for months without coming ashore. The captain keeps "
    "our documents and we cannot leave.",
    Ground.other: "The agency promised free training but charged us for it at the end.",
}
# How often each ground is given (the common ones first, as partners report them).
GROUND_WEIGHTS = {
    Ground.delayed_departure: 20,
    Ground.excessive_fees: 25,
    Ground.contract_substitution: 10,
    Ground.unpaid_wages: 20,
    Ground.documents_retained: 12,
    Ground.abuse: 5,
    Ground.forced_labour: 3,
    Ground.other: 5,
}
# Years of complaints: most are long closed, a few in every open and decided state.
STATUS_WEIGHTS = {
    Status.closed: 900,
    Status.resolved: 20,
    Status.referred: 10,
    Status.dismissed: 10,
    Status.withdrawn: 10,
    Status.received: 8,
    Status.acknowledged: 8,
    Status.awaiting_agency: 14,
    Status.investigation: 20,
}
# Rough stage lengths for bulk rows (the real ones come from portal.deadlines).
BULK_STAGE_LENGTH = {
    Stage.ACKNOWLEDGE: timedelta(hours=48),
    Stage.AGENCY_RESPONSE: timedelta(days=7),
    Stage.INVESTIGATION: timedelta(days=14),
    Stage.RESOLUTION: timedelta(days=14),
}
_STAGE_OF = {
    Status.received: Stage.ACKNOWLEDGE,
    Status.acknowledged: Stage.RESOLUTION,
    Status.awaiting_agency: Stage.AGENCY_RESPONSE,
    Status.investigation: Stage.INVESTIGATION,
}
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_PROVINCES = list(PROVINCES)
_DESTINATIONS = [code for code in DESTINATIONS if code != "other"]
_SECTORS = list(SECTORS)


def _pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _reference(rng: random.Random, received_at: datetime) -> str:
    year = received_at.year % 100
    return f"C{year:02d}-" + "".join(rng.choice(_ALPHABET) for _ in range(8))


def _person(rng: random.Random) -> tuple[str, Sex]:
    sex = rng.choices([Sex.woman, Sex.man, Sex.not_said], weights=[52, 45, 3])[0]
    given = GIVEN_NAMES[sex if sex != Sex.not_said else rng.choice([Sex.woman, Sex.man])]
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(given)}", sex


def _story(rng: random.Random, grounds: list[Ground], received_at: datetime) -> str:
    return " ".join(
        STORIES[g].format(month=received_at.strftime("%B"), amount=rng.randrange(800, 3000, 50))
        for g in grounds
    )


def _grounds(rng: random.Random) -> list[Ground]:
    first = _pick(rng, GROUND_WEIGHTS)
    second = _pick(rng, GROUND_WEIGHTS) if rng.random() < 0.3 else first
    return [first] if second == first else [first, second]


def _outcome_for(rng: random.Random, status: Status) -> dict[str, Any]:
    """Outcome columns for a decided (or closed) case."""
    if status in OPEN:
        return {"outcome": "", "compensation": None, "currency": "", "sanction": ""}
    outcome = {
        Status.resolved: rng.choice([Outcome.settlement, Outcome.compensation]),
        Status.referred: rng.choice([Outcome.court, Outcome.other_authority]),
        Status.dismissed: Outcome.dismissed,
        Status.withdrawn: Outcome.withdrawn,
        Status.closed: rng.choice(list(Outcome)),
    }[status]
    paid = outcome in (Outcome.settlement, Outcome.compensation) and rng.random() < 0.7
    amount = Decimal(rng.randrange(100, 3000, 10)) if paid else None
    sanction = rng.choices(list(Sanction), weights=[70, 20, 8, 2])[0]
    return {
        "outcome": outcome,
        "compensation": amount,
        "currency": "USD" if paid else "",
        "sanction": sanction,
    }


# --- bulk -----------------------------------------------------------------------------

_COMPLAINT_COLUMNS = (
    "id", "reference", "receipt_hash", "form_token_hash", "status", "is_open", "stage",
    "stage_due_at", "resolution_due_at", "paused_since", "received_at", "acknowledged_at",
    "closed_at", "updated_at", "agency", "broker_name", "filer", "representative_of",
    "channel", "organisation", "filed_by", "complainant_name", "name_key", "phone", "email",
    "contact_preference", "province", "destination", "sector", "description",
    "amount_claimed", "claim_currency", "share_identity", "workers_count",
    "assigned_officer", "is_sensitive", "outcome", "compensation", "compensation_currency",
    "sanction", "outcome_note",
)  # fmt: skip
_WORKER_COLUMNS = ("complaint", "name", "sex", "age_band", "disability", "lgbtqia")
_GROUND_COLUMNS = ("complaint", "ground")
# Complaints per transaction, so the SQLite write-ahead log stays small.
_COMMIT_EVERY = 20_000


async def bulk_complaints(n: int, seed: int = 2026, now: datetime | None = None) -> int:
    """Add `n` realistic complaints (no timelines) and their figures; returns n."""
    rng = random.Random(seed)
    now = now or clock.now()
    agencies = [row["id"] for row in await Agency.select(Agency.id)]
    officers = [row["id"] for row in await User.select(User.id).where(User.role == Role.officer)]
    engine = Complaint._meta.db
    last = await engine.run_querystring(QueryString("SELECT MAX(id) AS n FROM complaint"))
    next_id = (last[0]["n"] or 0) + 1
    receipt = services.receipt_hash("bulk demo data")  # nobody can check these cases
    figures: Counter[str] = Counter()
    seen: set[str] = set()
    done = 0
    while done < n:
        complaints, workers, grounds = [], [], []
        for _ in range(min(_COMMIT_EVERY, n - done)):
            row, its_workers, its_grounds = _bulk_row(
                rng, next_id, now, agencies, officers, receipt, figures, seen
            )
            complaints.append(row)
            workers += its_workers
            grounds += [(next_id, g) for g in its_grounds]
            next_id += 1
        async with db.transaction():
            await _insert_many("complaint", _COMPLAINT_COLUMNS, complaints)
            await _insert_many("complaint_worker", _WORKER_COLUMNS, workers)
            await _insert_many("complaint_ground", _GROUND_COLUMNS, grounds)
        done += len(complaints)
    if engine.engine_type == "postgres":
        # The ids were given explicitly: move the sequence past them.
        await engine.run_querystring(
            QueryString(
                "SELECT setval(pg_get_serial_sequence('complaint', 'id'), "
                "(SELECT MAX(id) FROM complaint))"
            )
        )
    async with db.transaction():
        await services.bump(dict(figures))
    # Fresh statistics for the planner (PostgreSQL: and the visibility map that lets
    # counts read the index alone).
    analyse = "VACUUM ANALYZE" if engine.engine_type == "postgres" else "ANALYZE"
    await engine.run_querystring(QueryString(analyse))
    return done


async def _insert_many(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows straight onto the open transaction's connection: COPY on PostgreSQL,
    executemany on SQLite. (Piccolo's QueryString takes seconds to bind a million values.)"""
    engine = Complaint._meta.db
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("call inside db.transaction()")
    connection = transaction.connection
    if engine.engine_type == "postgres":
        await connection.copy_records_to_table(table, records=rows, columns=list(columns))
        return
    marks = ", ".join("?" for _ in columns)
    await connection.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608 - our names
        rows,
    )


def _bulk_row(
    rng: random.Random,
    complaint_id: int,
    now: datetime,
    agencies: list[int],
    officers: list[int],
    receipt: str,
    figures: Counter[str],
    seen: set[str],
) -> tuple[tuple, list[tuple], list[Ground]]:
    status = _pick(rng, STATUS_WEIGHTS)
    is_open = status in OPEN
    # Open cases arrived in the last few weeks; the others over the last two years.
    age = timedelta(minutes=rng.randrange(0, 60 * 24 * (25 if is_open else 730)))
    received_at = now - age
    stage = _STAGE_OF.get(status)
    resolution_due = received_at + BULK_STAGE_LENGTH[Stage.RESOLUTION]
    stage_due = None
    if stage is not None:
        # The current stage began somewhere between receipt and now.
        started = received_at if stage == Stage.ACKNOWLEDGE else received_at + age * rng.random()
        stage_due = (
            resolution_due if stage == Stage.RESOLUTION else started + BULK_STAGE_LENGTH[stage]
        )
    decided_at = received_at + timedelta(days=rng.randrange(3, 40)) if not is_open else None
    if decided_at and decided_at > now:  # a recent case: decided some time since receipt
        decided_at = received_at + age * rng.random()
    name, sex = _person(rng)
    group = rng.random() < 0.08
    people = [(name, sex)] + [_person(rng) for _ in range(rng.randrange(1, 6) if group else 0)]
    grounds = _grounds(rng)
    outcome = _outcome_for(rng, status)
    reference = _reference(rng, received_at)
    while reference in seen:  # the same random reference twice: draw again
        reference = _reference(rng, received_at)
    seen.add(reference)
    filer = rng.choices(list(Filer), weights=[60, 25, 15])[0]
    complainant = name if filer == Filer.worker else _person(rng)[0]
    agency = rng.choice(agencies) if agencies and rng.random() < 0.95 else None
    row = (
        complaint_id,
        reference,
        receipt,
        None,
        status.value,
        is_open,
        stage.value if stage else None,
        stage_due,
        resolution_due,
        None,
        received_at,
        received_at + timedelta(hours=rng.randrange(2, 48)) if status != Status.received else None,
        decided_at if status == Status.closed else None,
        decided_at or received_at,
        agency,
        "" if agency else "A broker in the village",
        filer.value,
        "Banteay Meanchey MRC" if filer == Filer.representative else "",
        rng.choice(list(Channel)).value,
        None,
        None,
        complainant,
        services.name_key(complainant),
        f"0{rng.randrange(10, 99)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}",
        "",
        rng.choice(list(ContactPreference)).value,
        rng.choice(_PROVINCES),
        rng.choice(_DESTINATIONS),
        rng.choice(_SECTORS),
        _story(rng, grounds, received_at),
        Decimal(rng.randrange(200, 4000, 50)) if Ground.excessive_fees in grounds else None,
        "USD",
        rng.random() < 0.4,
        len(people),
        rng.choice(officers) if officers and status != Status.received else None,
        Ground.forced_labour in grounds or (Ground.abuse in grounds and rng.random() < 0.5),
        outcome["outcome"],
        outcome["compensation"],
        outcome["currency"],
        outcome["sanction"],
        "",
    )
    workers = [
        (complaint_id, who, s.value, rng.choice(list(AgeBand)).value, "no", False)
        for who, s in people
    ]
    month = services.month_key(received_at)
    figures[f"status:{status}"] += 1
    figures[f"received:{month}"] += 1
    for _, s in people:
        figures[f"workers:{s}"] += 1
        figures[f"workers:{month}:{s}"] += 1
    if outcome["compensation"] is not None and decided_at is not None:
        cents = int(outcome["compensation"] * 100)
        figures[f"compensation:{services.month_key(decided_at)}:USD"] += cents
    return row, workers, grounds


# --- the demo cases -------------------------------------------------------------------

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
    first_reference = _reference(random.Random(DEMO_SEED), now - timedelta(days=DEMO_CASES[0][1]))
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
        reference = _reference(rng, received_at)  # the first one is first_reference
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
    grounds = [Ground.forced_labour] if sensitive else _grounds(rng)
    name, sex = _person(rng)
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
            province=rng.choice(_PROVINCES),
            destination=rng.choice(_DESTINATIONS),
            sector="fishing" if sensitive else rng.choice(_SECTORS),
            description=_story(rng, grounds, received_at),
            share_identity=n % 4 == 0,
            is_sensitive=sensitive,
            assigned_officer=officer.id if status != Status.received else None,
            status=Status.received,
            **(await services.stage_fields(Status.received, received_at, resolution)),
        )
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
            outcome = _outcome_for(rng, target)
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
