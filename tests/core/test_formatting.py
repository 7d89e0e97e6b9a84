"""Dates, times, numbers and money as a reader in Phnom Penh expects them, per language."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from portal import i18n


@pytest.fixture
def language():
    def use(code: str) -> None:
        i18n.current_language.set(code)

    yield use
    i18n.current_language.set("en")


def test_times_are_shown_in_phnom_penh(language):
    language("en")
    # 20:30 UTC is 03:30 the next morning in Phnom Penh (UTC+7).
    shown = i18n.format_datetime(datetime(2026, 4, 13, 20, 30, tzinfo=UTC))
    assert "Apr 14, 2026" in shown and "3:30" in shown
    assert i18n.format_date(datetime(2026, 4, 13, 20, 30, tzinfo=UTC)) == "Apr 14, 2026"


def test_khmer_dates_use_khmer_month_names_and_digits(language):
    language("km")
    assert i18n.format_date(date(2026, 4, 14)) == "១៤ មេសា ២០២៦"  # April
    language("en")
    assert i18n.format_date(date(2026, 4, 14)) == "Apr 14, 2026"


def test_khmer_times_use_the_24_hour_clock_without_seconds(language):
    afternoon = datetime(2026, 4, 14, 8, 7, 9, tzinfo=UTC)  # 15:07:09 in Phnom Penh
    language("km")
    shown = i18n.format_datetime(afternoon)
    assert shown == "១៤ មេសា ២០២៦, ១៥:០៧"
    assert "PM" not in shown and "ល្ងាច" not in shown
    language("en")
    assert i18n.format_datetime(afternoon) == "Apr 14, 2026, 3:07\u202fPM"  # no seconds either


def test_khmer_numbers_and_money_use_khmer_digits(language):
    language("km")
    assert i18n.format_number(7) == "៧"
    assert i18n.format_number(1234567) == "១,២៣៤,៥៦៧"
    assert i18n.format_money(Decimal("250000"), "KHR") == "២៥០,០០០ ៛"
    assert i18n.format_money(Decimal("10"), "USD").startswith("១០.០០")


def test_the_admin_may_choose_latin_digits_for_khmer_pages(language):
    language("km")
    i18n.use_khmer_digits(False)
    try:
        assert i18n.format_number(1234567) == "1,234,567"
        assert (
            i18n.format_datetime(datetime(2026, 4, 14, 8, 7, tzinfo=UTC)) == "14 មេសា 2026, 15:07"
        )
    finally:
        i18n.use_khmer_digits(True)


def test_numbers_and_money(language):
    language("en")
    assert i18n.format_number(1234567) == "1,234,567"
    assert i18n.format_money(Decimal("69679.5"), "USD") == "$69,679.50"
    assert i18n.format_money(Decimal("250000"), "KHR") == "250,000 ៛"


def test_names_kept_in_both_languages_follow_the_reader(language):
    language("km")
    assert i18n.local_name("Angkor Manpower", "អង្គរ") == "អង្គរ"
    assert i18n.local_name("Angkor Manpower", "") == "Angkor Manpower"
    language("en")
    assert i18n.local_name("Angkor Manpower", "អង្គរ") == "Angkor Manpower"


@pytest.mark.parametrize("code", ["en", "km"])
def test_date_times_read_as_babel_writes_them(language, code):
    # format_datetime reads each language's pattern once (i18n._date_time_pattern) rather
    # than through babel per date; the text must be babel's, every hour of the clock.
    from babel import Locale
    from babel.dates import format_datetime as babel_format_datetime

    language(code)
    assert i18n._date_time_pattern(code) is not None  # the fast way is the one taken
    start = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)
    for hour in range(0, 24 * 366, 7):  # every hour of the day, every month
        moment = start + timedelta(hours=hour, minutes=hour % 60, seconds=(hour * 7) % 60)
        expected = babel_format_datetime(
            moment.astimezone(i18n.TIMEZONE),
            i18n.date_time_pattern(code),
            locale=Locale.parse(code),
        )
        assert i18n.format_datetime(moment) == i18n.digits(expected, code)
