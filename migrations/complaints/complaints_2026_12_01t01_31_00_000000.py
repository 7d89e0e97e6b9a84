"""The search by the start of a name compares `name_key` (the name Unicode-normalised and
case-folded by the portal) instead of `lower(complainant_name)`: SQLite's lower() folds
ASCII letters only, so "élise" did not find "Élise". Fills the key for the complaints
already stored and moves the index to it.

The folding is written out here rather than imported, so that this migration keeps doing
what it did when the portal's own function changes."""

import unicodedata

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-01T01:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Name search folds case beyond ASCII"

BATCH = 1000


class RawTable(Table):
    pass


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()[:200]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="complaints", description=DESCRIPTION)

    async def fill_and_index():
        last = 0
        while True:
            rows = await RawTable.raw(
                "SELECT id, complainant_name FROM complaint "
                "WHERE id > {} AND complainant_name <> '' ORDER BY id LIMIT {}",
                last,
                BATCH,
            )
            if not rows:
                break
            last = rows[-1]["id"]
            pairs = ", ".join("(CAST({} AS INTEGER), {})" for _ in rows)
            values = [v for row in rows for v in (row["id"], _fold(row["complainant_name"]))]
            await RawTable.raw(
                f"WITH keyed (id, name_key) AS (VALUES {pairs}) "  # noqa: S608 - no input
                "UPDATE complaint SET name_key = keyed.name_key FROM keyed "
                "WHERE complaint.id = keyed.id",
                *values,
            )
        await RawTable.raw("DROP INDEX IF EXISTS complaint_complainant_name_lower")
        await RawTable.raw(
            "CREATE INDEX IF NOT EXISTS complaint_name_key ON complaint (name_key, id)"
        )

    async def back_to_lower():
        await RawTable.raw("DROP INDEX IF EXISTS complaint_name_key")
        await RawTable.raw(
            "CREATE INDEX IF NOT EXISTS complaint_complainant_name_lower "
            "ON complaint (lower(complainant_name), id)"
        )

    manager.add_raw(fill_and_index)
    manager.add_raw_backwards(back_to_lower)
    return manager
