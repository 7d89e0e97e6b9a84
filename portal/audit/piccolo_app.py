from piccolo.conf.apps import AppConfig

from portal.audit.tables import AuditEvent
from portal.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "audit"),
    table_classes=[AuditEvent],
    migration_dependencies=["portal.accounts.piccolo_app"],
)
