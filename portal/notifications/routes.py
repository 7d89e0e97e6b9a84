"""Alerts pages: each person's list (mark read), and the admin's e-mail outbox."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from portal.access import OptionalRecordId, RecordId, or_404, role_required, signed_in
from portal.accounts.tables import Role
from portal.i18n import N_
from portal.notifications import mail, services
from portal.settings import get_settings
from portal.templating import redirect, render


@get("/alerts", guards=[signed_in])
async def alert_list(request: Request, before: OptionalRecordId = None) -> Template:
    alerts, next_before = await services.alerts_for(request.scope["user"].id, before)
    return render(request, "notifications/alerts.html", alerts=alerts, next_before=next_before)


@post("/alerts/{alert_id:int}/read", guards=[signed_in])
async def alert_read(request: HTMXRequest, alert_id: RecordId) -> Template | Redirect:
    user = request.scope["user"]
    line = await services.mark_read(user.id, alert_id)
    if request.htmx:
        # Just the alert, and the header's count swapped out of band.
        count = await services.unread_count(user.id)
        return render(request, "notifications/_alert.html", a=line, oob_count=count)
    return redirect("/alerts", N_("The alert is marked as read."))


@post("/alerts/read-all", guards=[signed_in])
async def alert_read_all(request: Request) -> Redirect:
    await services.mark_all_read(request.scope["user"].id)
    return redirect("/alerts", N_("All alerts are marked as read."))


admin_only = [role_required(Role.admin)]


@get("/admin/outbox", guards=admin_only)
async def outbox(
    request: Request, status: FromQuery[str] = "", before: OptionalRecordId = None
) -> Template:
    rows, next_before = await mail.outbox_page(status, before)
    return render(
        request,
        "admin/outbox.html",
        messages_=rows,
        next_before=next_before,
        statuses=mail.OutboxStatus.choices(),
        form={"status": status},
        smtp_configured=bool(get_settings().smtp_url),
    )


@get("/admin/outbox/{message_id:int}", guards=admin_only)
async def outbox_message(request: Request, message_id: RecordId) -> Template:
    message = or_404(await mail.outbox_message(message_id))
    return render(request, "admin/outbox_message.html", m=message)


ROUTES = [alert_list, alert_read, alert_read_all, outbox, outbox_message]
