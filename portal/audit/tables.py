"""The audit log: who changed what, when. Admins read it; nothing edits it."""

from __future__ import annotations

from piccolo.columns import ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from portal.accounts.tables import User


class AuditEvent(Table):
    id: Serial  # Piccolo adds the primary key; this tells the type checker
    at = Timestamptz(index=True)
    actor = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    actor_email = Varchar(length=254, default="")
    action = Varchar(length=50, index=True)
    object_type = Varchar(length=50, default="")
    object_id = Varchar(length=50, default="")
    summary = Text(default="")
