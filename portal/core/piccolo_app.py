from piccolo.conf.apps import AppConfig

from portal.core.tables import RateLimitEvent
from portal.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "core"),
    table_classes=[RateLimitEvent],
)
