from piccolo.conf.apps import AppConfig

from portal.agencies.tables import (
    Agency,
    LicenceDocument,
    LicenceEvent,
    PendingImport,
    SanctionDecision,
)
from portal.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="agencies",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "agencies"),
    table_classes=[Agency, LicenceEvent, LicenceDocument, SanctionDecision, PendingImport],
)
