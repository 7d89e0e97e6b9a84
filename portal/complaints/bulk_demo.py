"""`bulk_complaints(n)`: n realistic complaints for benchmarks, written in batches
(executemany on SQLite, COPY on PostgreSQL: 100,000 in well under a minute); their running
figures are added once at the end from the counts kept while generating them, and their
search index in one statement."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from piccolo.querystring import QueryString

from portal import clock, db
from portal.accounts.tables import User
from portal.agencies.tables import Agency
from portal.complaints import search, services
from portal.complaints.demo_people import (
    DESTINATION_CODES,
    PROVINCE_CODES,
    SECTOR_CODES,
    pick,
    random_grounds,
    random_outcome,
    random_person,
    random_reference,
    random_story,
)
from portal.complaints.states import OPEN, Status
from portal.complaints.tables import (
    AgeBand,
    Channel,
    Complaint,
    ContactPreference,
    Filer,
    Ground,
)
from portal.core.roles import Role
from portal.deadlines import Stage

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


_COMPLAINT_COLUMNS = (
    "id", "reference", "receipt_hash", "form_token_hash", "status", "is_open", "stage",
    "stage_due_at", "resolution_due_at", "paused_since", "received_at", "acknowledged_at",
    "closed_at", "updated_at", "agency", "broker_name", "filer", "representative_of",
    "channel", "organisation", "filed_by", "complainant_name", "name_key", "phone", "phone_key",
    "email", "contact_preference", "province", "destination", "sector", "description",
    "amount_claimed", "claim_currency", "share_identity", "workers_count",
    "assigned_officer", "is_sensitive", "outcome", "compensation", "compensation_currency",
    "sanction", "outcome_note", "news_at",
)  # fmt: skip
# Some complainants write in Khmer (the search finds a Khmer word inside a sentence).
KHMER_STORIES = (
    "ភ្នាក់ងារបានយកលិខិតឆ្លងដែនរបស់ខ្ញុំ ហើយមិនព្រមប្រគល់ឱ្យខ្ញុំវិញទេ។",
    "និយោជកមិនបានបើកប្រាក់ខែឱ្យខ្ញុំអស់រយៈពេលបីខែហើយ។",
    "ខ្ញុំបានបង់ប្រាក់រួចហើយ ប៉ុន្តែក្រុមហ៊ុនមិនទាន់បញ្ជូនខ្ញុំទៅធ្វើការនៅបរទេសនៅឡើយទេ។",
)
KHMER_SHARE = 0.2
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
    async with search.filled_after_load(next_id):
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
    status = pick(rng, STATUS_WEIGHTS)
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
    name, sex = random_person(rng)
    group = rng.random() < 0.08
    people = [(name, sex)] + [
        random_person(rng) for _ in range(rng.randrange(1, 6) if group else 0)
    ]
    grounds = random_grounds(rng)
    outcome = random_outcome(rng, status)
    reference = random_reference(rng, received_at)
    while reference in seen:  # the same random reference twice: draw again
        reference = random_reference(rng, received_at)
    seen.add(reference)
    filer = rng.choices(list(Filer), weights=[60, 25, 15])[0]
    complainant = name if filer == Filer.worker else random_person(rng)[0]
    story = random_story(rng, grounds, received_at)
    if rng.random() < KHMER_SHARE:
        story = rng.choice(KHMER_STORIES)
    phone = f"0{rng.randrange(10, 99)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}"
    officer = rng.choice(officers) if officers and status != Status.received else None
    # Something new since its officer last looked on a tenth of the open assigned cases.
    news_at = now - age * rng.random() if officer and is_open and rng.random() < 0.1 else None
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
        phone,
        search.phone_key(phone),
        "",
        rng.choice(list(ContactPreference)).value,
        rng.choice(PROVINCE_CODES),
        rng.choice(DESTINATION_CODES),
        rng.choice(SECTOR_CODES),
        story,
        Decimal(rng.randrange(200, 4000, 50)) if Ground.excessive_fees in grounds else None,
        "USD",
        rng.random() < 0.4,
        len(people),
        officer,
        Ground.forced_labour in grounds or (Ground.abuse in grounds and rng.random() < 0.5),
        outcome["outcome"],
        outcome["compensation"],
        outcome["currency"],
        outcome["sanction"],
        "",
        news_at,
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
