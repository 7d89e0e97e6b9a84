from piccolo.conf.apps import AppConfig

from portal.checklists.tables import ChecklistTemplate, Indicator, Section
from portal.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="checklists",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "checklists"),
    table_classes=[ChecklistTemplate, Section, Indicator],
)
