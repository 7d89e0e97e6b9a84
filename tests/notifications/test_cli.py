"""`portal alerts --now ISO_DATETIME`: one scan as of that time, a line per alert sent."""

from __future__ import annotations

from datetime import date

from portal import display
from portal.notifications.tables import Alert, OutboxMessage
from tests.core.test_cli import portal


async def test_alerts_now_prints_each_alert_then_the_count_and_never_repeats(
    make_agency, make_user
):
    admin = await make_user("admin")
    await make_agency(name_en="Mekong Workers", licence_expires_on=date(2026, 8, 1))
    result = portal("alerts", "--now", "2026-06-15T09:00+07:00")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "1 alerts sent"
    assert f"user {admin.id} (admin)" in lines[0] and "Mekong Workers" in lines[0]
    assert admin.email not in result.stdout
    again = portal("alerts", "--now", "2026-06-15T10:00+07:00")
    assert again.stdout.strip().splitlines() == ["0 alerts sent"]
    assert await Alert.count() == 1


async def test_alerts_now_writes_khmer_mail_with_the_digits_the_admin_chose(make_agency, make_user):
    await make_user("admin", language="km")
    await make_agency(name_en="Mekong Workers", licence_expires_on=date(2026, 8, 1))
    await display.save_digit_style(None, display.LATIN)
    try:
        result = portal("alerts", "--now", "2026-06-15T09:00+07:00")
    finally:
        await display.save_digit_style(None, display.KHMER)  # this process's default again
    assert result.returncode == 0, result.stderr
    mail = await OutboxMessage.select(OutboxMessage.body).first()
    assert "2026" in mail["body"] and "២០២៦" not in mail["body"]


def test_alerts_needs_a_readable_time():
    result = portal("alerts", "--now", "next tuesday")
    assert result.returncode != 0 and "not an ISO date and time" in result.stderr
