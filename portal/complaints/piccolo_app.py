from piccolo.conf.apps import AppConfig

from portal.settings import PROJECT_ROOT

# Tables arrive with the issue that builds this domain.
APP_CONFIG = AppConfig(
    app_name="complaints",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "complaints"),
    table_classes=[],
)
