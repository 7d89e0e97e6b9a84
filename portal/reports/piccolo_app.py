from piccolo.conf.apps import AppConfig

from portal.reports.tables import CycleFigure, ReportCombination, ReportFigure, ReportSetting
from portal.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "reports"),
    table_classes=[ReportFigure, CycleFigure, ReportSetting, ReportCombination],
    migration_dependencies=["portal.checklists.piccolo_app"],
)
