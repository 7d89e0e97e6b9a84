"""Data for the licence history and the province list, from what agencies hold already:

- each agency with an issue date gets an "issued" entry in its licence history (that date,
  its current expiry), so no history starts empty where the registry knows the licence;
- each province written as free text becomes its code when it names one of Cambodia's 25
  provinces in a common spelling, English or Khmer (portal.agencies.provinces); any other
  text is kept as it was, for an admin to fix (the agency list names those agencies)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from portal.agencies.provinces import code_for

ID = "2026-12-03T20:54:28:668061"
VERSION = "1.38.0"
DESCRIPTION = "licence history and province codes"


class RawTable(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="agencies", description=DESCRIPTION)

    async def run():
        await RawTable.raw(
            "INSERT INTO licence_event (agency, action, decided_on, decision_reference, reason, "
            "expires_on, suspended_until, complaint_id, complaint_reference, recorded_at) "
            "SELECT a.id, 'issued', a.licence_issued_on, '', '', a.licence_expires_on, NULL, "
            "NULL, '', a.created_at FROM agency a WHERE a.licence_issued_on IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM licence_event e WHERE e.agency = a.id)"
        )
        for row in await RawTable.raw("SELECT id, province FROM agency WHERE province != ''"):
            code = code_for(row["province"])
            if code and code != row["province"]:
                await RawTable.raw("UPDATE agency SET province = {} WHERE id = {}", code, row["id"])

    manager.add_raw(run)
    return manager
