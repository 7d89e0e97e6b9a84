"""Factories for report tests: complaints with their grounds, workers and outcome written
straight to the tables (the intake and case tests cover the forms)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest


async def outcome_recorded(complaint: int, at: datetime | None) -> None:
    """The timeline line an outcome leaves (its time is when the case was resolved)."""
    from portal import db

    columns = ("complaint", "at", "kind", "audience", "by_complainant", "from_status")
    await db.insert("case_event", columns, [(complaint, at, "outcome", "public", False, "")])


@pytest.fixture
def make_case(make_agency: Any) -> Any:
    """`await make_case(received_at, grounds=[...], workers=[(sex, disability, lgbtqia)],
    acknowledged_after=hours, outcome=..., outcome_at=..., compensation=..., **columns)`."""
    counter = iter(range(1, 1_000_000))
    default_agency: list[int] = []

    async def make(
        received_at: datetime,
        grounds: tuple[str, ...] = ("unpaid_wages",),
        workers: tuple[tuple[str, str, bool], ...] = (("woman", "no", False),),
        acknowledged_after: float | None = 2,
        outcome: str = "",
        outcome_at: datetime | None = None,
        compensation: Decimal | None = None,
        currency: str = "",
        **fields: Any,
    ) -> int:
        from portal import db

        n = next(counter)
        if "agency" not in fields:
            if not default_agency:
                default_agency.append((await make_agency()).id)
            fields["agency"] = default_agency[0]
        acknowledged = (
            received_at + timedelta(hours=acknowledged_after)
            if acknowledged_after is not None
            else None
        )
        values = {
            "reference": f"R{n:07d}",
            "receipt_hash": f"{n:064d}",
            "status": "resolved" if outcome else "acknowledged",
            "is_open": not outcome,
            "received_at": received_at,
            "acknowledged_at": acknowledged,
            "updated_at": outcome_at or received_at,
            "filer": "worker",
            "channel": "web",
            "contact_preference": "phone",
            "province": "Kandal",
            "destination": "TH",
            "sector": "construction",
            "description": "Private story that must never reach a report.",
            "complainant_name": "Private Name",
            "outcome": outcome,
            "compensation": compensation,
            "compensation_currency": currency,
            **fields,
        }
        rows = await db.insert("complaint", list(values), [list(values.values())], " RETURNING id")
        complaint = rows[0]["id"]
        await db.insert(
            "complaint_ground", ("complaint", "ground"), [(complaint, g) for g in grounds]
        )
        await db.insert(
            "complaint_worker",
            ("complaint", "name", "sex", "age_band", "disability", "lgbtqia"),
            [(complaint, "", sex, "25_34", dis, lgbt) for sex, dis, lgbt in workers],
        )
        if outcome:
            await outcome_recorded(complaint, outcome_at)
        return complaint

    return make


async def organisation_named(name: str) -> int:
    from portal.accounts.tables import Organisation

    organisation = Organisation(name=name, kind="mrc", created_at=datetime.now(UTC))
    await organisation.save()
    return organisation.id


@pytest.fixture
async def cases(make_case, make_agency):
    """Q2 2025: 12 complaints by web and 2 by hotline, for two agencies and partners."""
    agencies = [(await make_agency()).id, (await make_agency()).id]
    organisations = [await organisation_named("Union A"), await organisation_named("MRC B")]
    for n in range(14):
        await make_case(
            datetime(2025, 5, 1 + n, 3, tzinfo=UTC),
            channel="hotline" if n < 2 else "web",
            agency=agencies[n % 2],
            organisation=organisations[0] if n < 3 else organisations[1],
            workers=(("woman" if n < 8 else "man", "no", False),),
            outcome="compensation" if n < 6 else "",
            outcome_at=datetime(2025, 6, 20, tzinfo=UTC),
            compensation=1000,
            currency="USD",
        )
    from portal.reports import figures

    await figures.rebuild_all()
    return {"agencies": agencies, "organisations": organisations}
