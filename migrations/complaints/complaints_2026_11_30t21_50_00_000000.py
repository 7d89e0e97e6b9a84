"""Two queue indexes change:

- the dashboard's overdue count leaves out paused cases (waiting on the complainant, their
  clock stopped): its index gains `paused_since`, so the count still reads the index alone
  (`paused_since IS NULL` is an equality both SQLite and PostgreSQL use on an index);
- the search by the start of a name ignores case: it reads an index on the lower-case name
  (an expression index, which both databases have) instead of the name as typed."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-30T21:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Overdue count without paused cases; name search in any case"


class RawTable(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="complaints", description=DESCRIPTION)

    async def create():
        await RawTable.raw("DROP INDEX IF EXISTS complaint_open_stage_due")
        await RawTable.raw(
            "CREATE INDEX IF NOT EXISTS complaint_open_stage_running_due "
            "ON complaint (is_open, stage, paused_since, stage_due_at)"
        )
        await RawTable.raw("DROP INDEX IF EXISTS complaint_complainant_name")
        await RawTable.raw(
            "CREATE INDEX IF NOT EXISTS complaint_complainant_name_lower "
            "ON complaint (lower(complainant_name), id)"
        )

    async def drop():
        await RawTable.raw("DROP INDEX IF EXISTS complaint_open_stage_running_due")
        await RawTable.raw(
            "CREATE INDEX IF NOT EXISTS complaint_open_stage_due "
            "ON complaint (is_open, stage, stage_due_at)"
        )
        await RawTable.raw("DROP INDEX IF EXISTS complaint_complainant_name_lower")
        await RawTable.raw(
            "CREATE INDEX IF NOT EXISTS complaint_complainant_name "
            "ON complaint (complainant_name)"
        )

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
