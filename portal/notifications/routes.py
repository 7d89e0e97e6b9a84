"""Alerts pages: each person's list (mark read), and the admin's e-mail and SMS outboxes."""

from __future__ import annotations

from litestar import Request, Router, post
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from portal.access import OptionalRecordId, RecordId, or_404, role_required, signed_in
from portal.core.roles import Role
from portal.forms import form_page
from portal.i18n import N_
from portal.notifications import mail, outbox, services, sms
from portal.notifications.tables import OutboxMessage, SmsMessage
from portal.settings import get_settings
from portal.templating import redirect, render
from portal.web import SignedInUser, get


@get("/")
async def alert_list(
    request: Request, user: SignedInUser, before: OptionalRecordId = None
) -> Template:
    alerts, next_before = await services.alerts_for(user.id, before)
    return render(request, "notifications/alerts.html", alerts=alerts, next_before=next_before)


@post("/{alert_id:int}/read")
async def alert_read(
    request: HTMXRequest, user: SignedInUser, alert_id: RecordId
) -> Template | Redirect:
    line = await services.mark_read(user.id, alert_id)
    if request.htmx:
        # Just the alert, and the header's count swapped out of band.
        count = await services.unread_count(user.id)
        return render(request, "notifications/_alert.html", a=line, oob_count=count)
    return redirect("/alerts", N_("The alert is marked as read."))


@post("/read-all")
async def alert_read_all(user: SignedInUser) -> Redirect:
    await services.mark_all_read(user.id)
    return redirect("/alerts", N_("All alerts are marked as read."))


alerts = Router(
    path="/alerts", guards=[signed_in], route_handlers=[alert_list, alert_read, alert_read_all]
)


@get("/")
async def outbox_list(
    request: Request,
    status: FromQuery[str] = "",
    channel: FromQuery[str] = "",
    before: OptionalRecordId = None,
) -> Template:
    sms_shown = channel == outbox.OutboxChannel.sms
    rows, next_before = await (sms if sms_shown else mail).outbox_page(status, before)
    settings = get_settings()
    return form_page(
        request,
        "notifications/outbox.html",
        {"status": status, "channel": channel},  # the filters, as chosen
        messages_=rows,
        next_before=next_before,
        sms_shown=sms_shown,
        statuses=outbox.OutboxStatus.choices(),
        channels=outbox.OutboxChannel.choices(),
        sender_configured=bool(settings.sms_url if sms_shown else settings.smtp_url),
    )


@get("/{message_id:int}")
async def outbox_message(request: Request, message_id: RecordId) -> Template:
    message = or_404(await outbox.message(OutboxMessage, message_id))
    return render(request, "notifications/outbox_message.html", m=message)


@get("/sms/{message_id:int}")
async def outbox_sms(request: Request, message_id: RecordId) -> Template:
    message = or_404(await outbox.message(SmsMessage, message_id))
    return render(request, "notifications/outbox_message.html", m=message, sms_shown=True)


outbox_pages = Router(
    path="/admin/outbox",
    guards=[role_required(Role.admin)],
    route_handlers=[outbox_list, outbox_message, outbox_sms],
)
