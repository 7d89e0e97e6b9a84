"""Piccolo's configuration: the engine from PORTAL_DATABASE_URL and every domain app."""

from piccolo.conf.apps import AppRegistry

from portal.db import get_engine

DB = get_engine()

APP_REGISTRY = AppRegistry(
    apps=[
        "portal.core.piccolo_app",
        "portal.agencies.piccolo_app",
        "portal.accounts.piccolo_app",
        "portal.audit.piccolo_app",
        "portal.complaints.piccolo_app",
        "portal.checklists.piccolo_app",
        "portal.notifications.piccolo_app",
        "portal.deadlines.piccolo_app",
        "portal.reports.piccolo_app",
        "portal.retention.piccolo_app",
    ]
)
