"""Factories for complaint tests: a complaint row in any state, without going through
the form (the intake tests cover the form)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest


@pytest.fixture
def make_complaint(make_agency: Any) -> Any:
    """`await make_complaint(status=..., agency=..., **columns)` → the Complaint row. Sets
    the stage and due time its status implies, as a real case would have them."""
    counter = iter(range(1, 100_000))

    async def make(status: str = "received", now: datetime | None = None, **fields: Any) -> Any:
        from portal import clock
        from portal.complaints import search, services
        from portal.complaints.states import Status
        from portal.complaints.tables import Complaint, ComplaintWorker
        from portal.deadlines import Stage, due_at

        n = next(counter)
        now = now or clock.now()
        if "agency" not in fields and "broker_name" not in fields:
            fields["agency"] = (await make_agency()).id
        resolution = await due_at(Stage.RESOLUTION, now)
        code = fields.pop("receipt_code", f"{n:020d}")
        name = fields.pop("complainant_name", f"Complainant {n}")
        complaint = Complaint(
            reference=fields.pop("reference", f"C26-TEST{n:04d}"),
            receipt_hash=services.receipt_hash(code),
            received_at=now,
            updated_at=now,
            resolution_due_at=resolution,
            filer=fields.pop("filer", "worker"),
            contact_preference=fields.pop("contact_preference", "phone"),
            description=fields.pop("description", "The agency kept my passport."),
            complainant_name=name,
            name_key=services.name_key(name),
            phone_key=search.phone_key(fields.get("phone", "")),
            status=status,
            **(await services.stage_fields(Status(status), now, resolution)),
            **fields,
        )
        await complaint.save()
        await ComplaintWorker.insert(
            ComplaintWorker(complaint=complaint.id, sex="woman", age_band="25_34", disability="no")
        )
        await services.bump({f"status:{status}": 1})
        return complaint

    return make
