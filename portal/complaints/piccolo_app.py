from piccolo.conf.apps import AppConfig

from portal.complaints.tables import (
    CaseEvent,
    CaseFile,
    CaseReferral,
    Complaint,
    ComplaintFigure,
    ComplaintGround,
    ComplaintWorker,
)
from portal.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="complaints",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "complaints"),
    table_classes=[
        Complaint,
        ComplaintWorker,
        ComplaintGround,
        CaseEvent,
        CaseFile,
        CaseReferral,
        ComplaintFigure,
    ],
    migration_dependencies=["portal.agencies.piccolo_app", "portal.accounts.piccolo_app"],
)
