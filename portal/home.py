"""The home page and the health check."""

from __future__ import annotations

from litestar import Request
from litestar.response import Template

from portal.db import database_status
from portal.templating import render
from portal.web import get


@get("/", name="home")
async def home(request: Request) -> Template:
    return render(request, "home.html")


@get("/healthz")
async def healthz() -> dict[str, str]:
    database = await database_status()
    return {"status": "ok" if database == "ok" else "degraded", "database": database}


ROUTES = [home, healthz]
