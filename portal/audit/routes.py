"""The admin's audit log page: who did what, newest first."""

from __future__ import annotations

from litestar import Request, Router
from litestar.params import FromQuery
from litestar.response import Template

from portal.access import OptionalRecordId, role_required
from portal.audit import services
from portal.audit.actions import Action, readable_summary
from portal.core.roles import Role
from portal.templating import render
from portal.web import get


@get("/audit")
async def audit_log(
    request: Request, before: OptionalRecordId = None, action: FromQuery[str] = ""
) -> Template:
    rows, next_before = await services.page(before_id=before, action=action)
    return render(
        request,
        "audit/log.html",
        events=rows,
        actions=Action,
        summary_of=readable_summary,
        action=action,
        next_before=next_before,
    )


router = Router(path="/admin", guards=[role_required(Role.admin)], route_handlers=[audit_log])
