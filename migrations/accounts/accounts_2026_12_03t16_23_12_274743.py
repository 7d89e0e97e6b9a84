from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T16:23:12:274743"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="accounts", description=DESCRIPTION
    )

    manager.drop_table(
        class_name="ThrottleEvent", tablename="throttle_event", schema=None
    )

    return manager
