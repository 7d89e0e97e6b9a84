"""Every signed-in page shows the reader's unread-alert count (read with the session): an
index on (recipient, is_read) makes it a count of the unread ones alone, not a walk over
every alert the person ever had. Plain SQL that both SQLite and PostgreSQL accept."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-30T22:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index for the unread-alert count"


class RawTable(Table):
    pass


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="notifications", description=DESCRIPTION
    )

    async def create():
        await RawTable.raw(
            "CREATE INDEX IF NOT EXISTS alert_recipient_unread ON alert (recipient, is_read)"
        )

    async def drop():
        await RawTable.raw("DROP INDEX IF EXISTS alert_recipient_unread")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
