from piccolo.conf.apps import AppConfig

from portal.checklists.tables import (
    ActionFile,
    Answer,
    Assessment,
    AssessmentCycle,
    ChecklistTemplate,
    Clarification,
    ConsensusScore,
    Evidence,
    ImprovementAction,
    Indicator,
    MemberScore,
    PanelMember,
    Rating,
    ReplyFile,
    ReturnedIndicator,
    Section,
)
from portal.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="checklists",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "checklists"),
    table_classes=[
        ChecklistTemplate,
        Section,
        Indicator,
        AssessmentCycle,
        Assessment,
        Answer,
        Evidence,
        Clarification,
        PanelMember,
        MemberScore,
        ConsensusScore,
        ReturnedIndicator,
        Rating,
        ReplyFile,
        ImprovementAction,
        ActionFile,
    ],
    migration_dependencies=["portal.agencies.piccolo_app", "portal.accounts.piccolo_app"],
)
