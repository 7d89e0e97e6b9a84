"""What an admin changes about deadlines: each stage's duration and the holiday calendar."""

from __future__ import annotations

from piccolo.columns import Boolean, Date, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from portal.deadlines import DEFAULT_GRACE_HOURS, Stage, Unit


class DeadlinePolicy(Table):
    """How long one complaint stage may take; a stage without a row uses DEFAULT_POLICY."""

    id: Serial  # Piccolo adds the primary key; this tells the type checker
    stage = Varchar(length=30, choices=Stage, unique=True)
    amount = Integer()
    unit = Varchar(length=20, choices=Unit)
    escalate_after_hours = Integer(default=DEFAULT_GRACE_HOURS)
    updated_at = Timestamptz()


class Holiday(Table):
    """A day an admin changed in the calendar: a holiday added (is_closed), or a public
    holiday from the Cambodian calendar that counts as a working day this year (not)."""

    id: Serial  # Piccolo adds the primary key; this tells the type checker
    day = Date(unique=True)
    name = Varchar(length=200, default="")
    is_closed = Boolean(default=True)
    created_at = Timestamptz()
