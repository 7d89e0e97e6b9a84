"""create_app(): the one place that assembles routes, middleware, templates and lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.logging import LoggingConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.template import TemplateConfig

from portal import db, home
from portal.accounts import routes as accounts_routes
from portal.agencies import routes as agencies_routes
from portal.audit import routes as audit_routes
from portal.checklists import assessment_routes, review_routes
from portal.checklists import routes as checklists_routes
from portal.complaints import agency_routes as complaint_agency_routes
from portal.complaints import case_routes
from portal.complaints import partner_routes as complaint_partner_routes
from portal.complaints import public_routes as complaint_public_routes
from portal.deadlines import routes as deadlines_routes
from portal.notifications import routes as notifications_routes
from portal.reports import export_routes as report_export_routes
from portal.reports import routes as reports_routes
from portal.retention import routes as retention_routes
from portal.scheduler import create_scheduler
from portal.security import CsrfTokenCheck, SecurityHeadersMiddleware, configure_password_hashing
from portal.settings import Settings, get_settings
from portal.static import serve_static
from portal.templating import template_engine
from portal.web import (
    DEPENDENCIES,
    EXCEPTION_HANDLERS,
    RequestContextMiddleware,
    not_found,
    one_not_found,
    refuse_control_characters,
)

MAX_REQUEST_BYTES = 25 * 1024 * 1024


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_password_hashing(settings.password_hash_threads)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await db.connect()
        scheduler = create_scheduler(settings) if settings.run_scheduler else None
        if scheduler:
            scheduler.start()
        # What is loaded by now lives as long as the process: keeping it out of the
        # collector's full passes ends ~70 ms stalls of whichever request triggers one.
        gc.freeze()
        try:
            yield
        finally:
            if scheduler:
                scheduler.shutdown(wait=False)
            await db.disconnect()

    app = Litestar(
        route_handlers=[
            *home.ROUTES,
            accounts_routes.public,
            accounts_routes.own_account,
            accounts_routes.admin,
            audit_routes.router,
            retention_routes.router,
            agencies_routes.public,
            agencies_routes.admin,
            checklists_routes.router,
            assessment_routes.assessment_pages,
            assessment_routes.for_staff,
            assessment_routes.for_readers,
            assessment_routes.for_committee,
            assessment_routes.for_admins,
            review_routes.for_members,
            review_routes.for_readers,
            review_routes.for_agencies,
            review_routes.for_staff,
            review_routes.for_admins,
            case_routes.router,
            complaint_agency_routes.router,
            deadlines_routes.router,
            notifications_routes.alerts,
            notifications_routes.outbox_pages,
            complaint_public_routes.router,
            complaint_partner_routes.router,
            reports_routes.public,
            reports_routes.for_signed_in,
            reports_routes.admin,
            report_export_routes.router,
            not_found,
        ],
        template_config=TemplateConfig(instance=template_engine()),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="portal_csrf",
            header_name="x-csrftoken",
            cookie_secure=settings.secure_cookies,
            cookie_httponly=True,  # pages carry the token themselves; scripts never read it
            cookie_samesite="lax",
        ),
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=500, gzip_compress_level=6
        ),
        middleware=[CsrfTokenCheck],  # runs before Litestar's own CSRF check
        dependencies=DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
        before_request=refuse_control_characters,
        plugins=[HTMXPlugin()],  # every request is an HTMXRequest: `request.htmx`
        lifespan=[lifespan],
        request_max_body_size=MAX_REQUEST_BYTES,
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            log_exceptions="never",  # our handler logs unexpected errors once, without request data
        ),
        openapi_config=None,
        debug=False,
    )
    # Wrap outside Litestar's router so that 404s and static files get the same headers.
    app.asgi_handler = SecurityHeadersMiddleware(
        serve_static(
            one_not_found(RequestContextMiddleware(app.asgi_handler, settings)),
            settings.data_dir,
        )
    )
    return app
