from piccolo.conf.apps import AppConfig

from portal.retention.tables import AnonymisedCase, RetentionPolicy
from portal.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="retention",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "retention"),
    table_classes=[RetentionPolicy, AnonymisedCase],
    migration_dependencies=["portal.complaints.piccolo_app", "portal.accounts.piccolo_app"],
)
