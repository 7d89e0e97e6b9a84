"""The admin's audit log page: who did what, newest first, filtered by action, person,
record and date; and the same entries as CSV."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Request, Response, Router
from litestar.response import Template

from portal.access import OptionalRecordId, role_required
from portal.audit import services
from portal.audit.actions import Action, readable_summary
from portal.core.roles import Role
from portal.templating import render
from portal.web import SignedInUser, get


def _filters(request: Request) -> services.AuditFilters:
    return services.AuditFilters.from_query(dict(request.query_params))


@get("/audit")
async def audit_log(request: Request, before: OptionalRecordId = None) -> Template:
    filters = _filters(request)
    rows, next_before = await services.page(before_id=before, filters=filters)
    query = filters.query_values()
    return render(
        request,
        "audit/log.html",
        events=rows,
        actions=Action,
        form=query,
        summary_of=readable_summary,
        next_page=urlencode({**query, "before": next_before}) if next_before else "",
        csv_query=urlencode(query),
    )


@get("/audit.csv")
async def audit_csv(request: Request, user: SignedInUser) -> Response:
    content = await services.export_csv(user, _filters(request), Action.label_of)
    return Response(
        content,
        media_type="text/csv",  # Litestar adds "; charset=utf-8" to a text type
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


router = Router(
    path="/admin", guards=[role_required(Role.admin)], route_handlers=[audit_log, audit_csv]
)
