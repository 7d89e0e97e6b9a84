"""Khmer and English: catalogs, the current language, and locale-aware formatting.

The messages are written in English (the msgids), so English has no catalog. The Khmer .po
file under portal/locale is compiled in memory when the process starts, so a fresh checkout
needs no build step and a stale .mo can never shadow an edited .po.
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import parse_pattern
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"en": "English", "km": "ខ្មែរ"}
DEFAULT_LANGUAGE = "en"
SOURCE_LANGUAGE = "en"  # the language the msgids are written in: it has no catalog
TIMEZONE = ZoneInfo("Asia/Phnom_Penh")

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; it is translated where shown."""
    return message


def _load(language: str) -> _gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()  # the msgids are the English text
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


_TRANSLATIONS = {language: _load(language) for language in LANGUAGES}


def catalog(language: str) -> _gettext.NullTranslations:
    return _TRANSLATIONS[language]


def gettext(message: str) -> str:
    """Translate into the current request's language."""
    return _TRANSLATIONS[current_language.get()].gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _TRANSLATIONS[current_language.get()].ngettext(singular, plural, n)


_ = gettext


def choose_language(query: str | None, cookie: str | None, accept: str, default: str) -> str:
    """?lang= wins, then the remembered cookie, then the browser's preference."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate  # type: ignore[return-value]
    for part in accept.split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return default


def local_name(english: str, khmer: str | None) -> str:
    """A name kept in both languages (agencies, indicators), in the reader's language."""
    return khmer if current_language.get() == "km" and khmer else english


@cache
def _parsed_locale(language: str) -> Locale:
    return Locale.parse(language)


def _locale() -> Locale:
    # Parsed once per language: a queue page formats a hundred dates.
    return _parsed_locale(current_language.get())


def local_time(value: datetime) -> datetime:
    """The moment as Phnom Penh clocks show it."""
    return value.astimezone(TIMEZONE)


# Khmer pages write numbers with Khmer digits, as Khmer print does, unless an admin chose
# Latin digits (portal.display keeps this in step with the stored setting).
_KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
_khmer_digits = True


def use_khmer_digits(khmer: bool) -> None:
    global _khmer_digits
    _khmer_digits = khmer


def digits(text: str, language: str | None = None) -> str:
    """`text` with its digits as a reader of `language` (the current one) expects them."""
    if (language or current_language.get()) == "km" and _khmer_digits:
        return text.translate(_KHMER_DIGITS)
    return text


def format_datetime(value: datetime | None) -> str:
    """A date and a time of day without seconds: "Apr 14, 2026, 3:07 PM"; in Khmer with
    the 24-hour clock, "១៤ មេសា ២០២៦, ១៥:០៧" (Khmer readers do not use AM/PM)."""
    if value is None:
        return ""
    moment = local_time(value)
    language = current_language.get()
    pattern, fields = _date_time_pattern(language)
    return digits(pattern % {name: field(moment) for name, field in fields}, language)


# The time of day in each language: CLDR's short time, but a 24-hour clock in Khmer.
TIME_PATTERNS = {"km": "HH:mm"}


def date_time_pattern(language: str) -> str:
    """The CLDR pattern format_datetime writes: the medium date and a time without seconds."""
    locale = _parsed_locale(language)
    time = TIME_PATTERNS.get(language, str(locale.time_formats["short"].pattern))
    return (
        str(locale.datetime_formats["medium"])
        .replace("{0}", time)
        .replace("{1}", str(locale.date_formats["medium"].pattern))
    )


@cache
def _date_time_pattern(language: str) -> tuple[str, list[tuple[str, Callable[[datetime], str]]]]:
    """date_time_pattern(language) read once: babel reads and interprets a pattern anew for
    every date (a tenth of filing a complaint went to the receipt's three dates). A
    language added with other fields fails here, loudly."""
    locale = _parsed_locale(language)
    months = dict(locale.months["format"]["abbreviated"].items())
    am, pm = (locale.day_periods["format"]["abbreviated"][p] for p in ("am", "pm"))
    fields: dict[str, Callable[[datetime], str]] = {
        "y": lambda moment: str(moment.year),
        "MMM": lambda moment: months[moment.month],
        "d": lambda moment: str(moment.day),
        "h": lambda moment: str(moment.hour % 12 or 12),
        "HH": lambda moment: f"{moment.hour:02d}",
        "mm": lambda moment: f"{moment.minute:02d}",
        "a": lambda moment: am if moment.hour < 12 else pm,
    }
    pattern = date_time_pattern(language)
    written = str(parse_pattern(pattern).format)
    names = set(re.findall(r"%\((\w+)\)s", written))
    if "'" in pattern or not names <= fields.keys():
        raise ValueError(f"the {language} date-time pattern has fields not written here: {pattern}")
    return written, [(name, fields[name]) for name in names]


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_time(value).date()
    return digits(_format_date(value, "medium", locale=_locale()))


def format_number(value: int | float | Decimal) -> str:
    if isinstance(value, int) and -1000 < value < 1000:
        return digits(str(value))  # no grouping to do; most numbers on a page are counts
    return digits(format_decimal(value, locale=_locale()))


def format_money(amount: Decimal | int | float, currency: str) -> str:
    if currency == "KHR":
        # Riel are written without a minor unit, with the riel sign after the number.
        return digits(f"{format_decimal(round(amount), locale=_locale())} ៛")
    return digits(format_currency(amount, currency, locale=_locale()))
