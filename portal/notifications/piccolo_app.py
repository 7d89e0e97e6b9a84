from piccolo.conf.apps import AppConfig

from portal.notifications.tables import Alert, OutboxMessage, SchedulerLease, SmsMessage
from portal.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "notifications"),
    table_classes=[Alert, OutboxMessage, SmsMessage, SchedulerLease],
    migration_dependencies=["portal.accounts.piccolo_app"],
)
