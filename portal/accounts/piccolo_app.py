from piccolo.conf.apps import AppConfig

from portal.accounts.tables import LoginSession, Organisation, User
from portal.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "accounts"),
    table_classes=[Organisation, User, LoginSession],
    migration_dependencies=["portal.agencies.piccolo_app"],
)
