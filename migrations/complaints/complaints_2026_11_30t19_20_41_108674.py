"""Composite indexes for the officers' queue and the agency's list: each filter's equality
columns, then the order the page sorts on (due time or receipt time, then id), so a page
is an index range read of 51 rows whatever the table's size. Plain SQL that both SQLite
and PostgreSQL accept."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-30T19:20:41:108674"
VERSION = "1.38.0"
DESCRIPTION = "Composite indexes for the case queue"

INDEXES = {
    # open cases, most urgent first (also the overdue count and the deadline scan)
    "complaint_open_due": "complaint (is_open, stage_due_at, id)",
    # one status: open ones by due time, decided and closed ones newest first
    # the dashboard's overdue count per stage, read from the index alone
    "complaint_open_stage_due": "complaint (is_open, stage, stage_due_at)",
    "complaint_status_due": "complaint (status, stage_due_at, id)",
    "complaint_status_received": "complaint (status, received_at, id)",
    # the filters, each before the open-case order
    "complaint_agency_open_due": "complaint (agency, is_open, stage_due_at, id)",
    "complaint_province_open_due": "complaint (province, is_open, stage_due_at, id)",
    "complaint_officer_open_due": "complaint (assigned_officer, is_open, stage_due_at, id)",
    "complaint_sensitive_open_due": "complaint (is_sensitive, is_open, stage_due_at, id)",
    # the agency's own list, newest first
    "complaint_agency_received": "complaint (agency, received_at, id)",
    # search by the start of the complainant's name
    "complaint_complainant_name": "complaint (complainant_name)",
    # the ground filter's EXISTS probe
    "complaint_ground_complaint_ground": "complaint_ground (complaint, ground)",
}


class RawTable(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="complaints", description=DESCRIPTION)

    async def create():
        for name, target in INDEXES.items():
            await RawTable.raw(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop():
        for name in INDEXES:
            await RawTable.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
