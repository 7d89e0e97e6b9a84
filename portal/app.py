"""create_app(): the one place that assembles routes, middleware, templates and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.logging import LoggingConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from portal import db, home
from portal.accounts import routes as accounts_routes
from portal.agencies import routes as agencies_routes
from portal.checklists import assessment_routes, review_routes
from portal.checklists import routes as checklists_routes
from portal.complaints import agency_routes as complaint_agency_routes
from portal.complaints import case_routes
from portal.complaints import partner_routes as complaint_partner_routes
from portal.complaints import public_routes as complaint_public_routes
from portal.deadlines import routes as deadlines_routes
from portal.notifications import routes as notifications_routes
from portal.scheduler import create_scheduler
from portal.security import SecurityHeadersMiddleware, configure_password_hashing
from portal.settings import PROJECT_ROOT, Settings, get_settings
from portal.templating import template_engine
from portal.web import DEPENDENCIES, EXCEPTION_HANDLERS, RequestContextMiddleware

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
        try:
            yield
        finally:
            if scheduler:
                scheduler.shutdown(wait=False)
            await db.disconnect()

    app = Litestar(
        route_handlers=[
            *home.ROUTES,
            *accounts_routes.ROUTES,
            *agencies_routes.ROUTES,
            *checklists_routes.ROUTES,
            *assessment_routes.ROUTES,
            *review_routes.ROUTES,
            case_routes.router,
            complaint_agency_routes.router,
            deadlines_routes.router,
            *notifications_routes.ROUTES,
            complaint_public_routes.router,
            complaint_partner_routes.router,
            create_static_files_router(
                path="/static",
                directories=[PROJECT_ROOT / "static"],
                cache_control=None,
                name="static",
                include_in_schema=False,
            ),
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
        dependencies=DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
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
    # Wrap outside Litestar's router so that 404s and static files get the same treatment.
    app.asgi_handler = SecurityHeadersMiddleware(
        RequestContextMiddleware(app.asgi_handler, settings)
    )
    return app
