from piccolo.conf.apps import AppConfig

from portal.deadlines.tables import DeadlinePolicy, Holiday
from portal.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="deadlines",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "deadlines"),
    table_classes=[DeadlinePolicy, Holiday],
)
