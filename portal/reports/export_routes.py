"""The complaint export for officers and admins: choose a period and a format, then a
page that reloads itself until the file is ready (no JavaScript needed)."""

from __future__ import annotations

import re

from litestar import Request, Response, Router, post
from litestar.params import FromPath
from litestar.response import File, Redirect, Template

from portal.access import or_404, role_required
from portal.core.roles import Role
from portal.reports import case_export, periods
from portal.templating import render
from portal.web import SignedInUser, get

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,40}")
REFRESH_SECONDS = 2


@get("/")
async def export_page(request: Request) -> Template:
    return render(
        request,
        "reports/case_export.html",
        period_choices=periods.choices(),
        chosen=periods.last_complete_quarter().key,
    )


@post("/")
async def export_start(request: Request, user: SignedInUser) -> Redirect:
    form = await request.form()
    kind = str(form.get("kind", ""))
    kind = kind if kind in case_export.KINDS else "csv"
    token = await case_export.start(user, periods.parse(str(form.get("period", ""))), kind)
    return Redirect(f"/reports/cases/{kind}/{token}", status_code=303)


def _checked(kind: str, token: str) -> tuple[str, str]:
    or_404((kind in case_export.KINDS and _TOKEN.fullmatch(token)) or None)
    return kind, token


@get("/{kind:str}/{token:str}")
async def export_status(
    request: Request, user: SignedInUser, kind: FromPath[str], token: FromPath[str]
) -> Response:
    kind, token = _checked(kind, token)
    state = or_404(case_export.state(user.id, token, kind) or None)
    page = render(request, "reports/export_status.html", ready=state == "ready", kind=kind,
                  token=token)  # fmt: skip
    if state == "preparing":
        page.headers["Refresh"] = str(REFRESH_SECONDS)
    return page


@get("/{kind:str}/{token:str}/file")
async def export_file(user: SignedInUser, kind: FromPath[str], token: FromPath[str]) -> File:
    kind, token = _checked(kind, token)
    or_404(case_export.state(user.id, token, kind) == "ready" or None)
    return File(
        case_export.file_of(user.id, token, kind),
        filename=f"complaints.{kind}",
        content_disposition_type="attachment",
    )


router = Router(
    path="/reports/cases",
    guards=[role_required(Role.officer, Role.admin)],
    route_handlers=[export_page, export_start, export_status, export_file],
)
