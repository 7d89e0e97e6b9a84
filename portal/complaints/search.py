"""Search the cases from the officers' queue: an exact reference; any part of a
reference; a phone number however it is written, or part of its digits; words of the
description, the messages and notes, and the names. Each database through its own index
(migrations/complaints, "Free-text, reference and phone search"): SQLite's FTS5 trigram
index, PostgreSQL's pg_trgm. Both match three characters or more anywhere in the text,
so a Khmer word is found inside a sentence written without spaces, and English by any
word, in any case. Results come newest first, within the queue's filters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal import db, phones
from portal.access import record_id
from portal.complaints import queue, services

# The trigram indexes match nothing shorter.
MIN_LENGTH = 3
# A reference as printed on the receipt (C26-7K3M9Q2B), and what may be part of one.
_REFERENCE = re.compile(r"^C\d{2}-[0-9A-Z]{8}$")
_REFERENCE_PART = re.compile(r"^[0-9A-Z-]{3,12}$")
_REFERENCE_DIGITS = 8  # the most digits in a row a reference has (its random part)
# Digits (Khmer ones too: \d is any decimal digit), spaces, + ( ) . and dashes.
_PHONE = re.compile(r"^\+?[\d\s().-]+$")
ZERO_WIDTH_SPACE = "\u200b"  # put between Khmer words for line breaks; not in the index
MAX_WORDS = 8
CAMBODIA = "855"  # the country code, without its +


def phone_key(phone: str) -> str:
    """A phone number as stored for the search (Complaint.phone_key): in international
    form, or (not a number that can be dialled) its digits as written."""
    return phones.international(phone) or services.normalise_receipt_code(phone)[:20]


@dataclass(frozen=True)
class Wanted:
    """What the officer typed, read as what it can be."""

    reference: str = ""  # an exact reference
    reference_part: str = ""
    phone: str = ""  # digits of a phone number in international form (no +), or part of them
    words: tuple[str, ...] = ()  # each of them somewhere in the text, any case

    @property
    def too_short(self) -> bool:
        return not (self.reference or self.reference_part or self.phone or self.words)


def read(text: str) -> Wanted:
    """What the search box holds, as a reference, a phone number or words; words shorter
    than three characters are left out (no trigram index can find them)."""
    text = unicodedata.normalize("NFC", text.replace(ZERO_WIDTH_SPACE, "")).strip()[:200]
    squeezed = re.sub(r"\s+", "", text).upper()
    if _REFERENCE.match(squeezed):
        return Wanted(reference=squeezed)
    reference_part = squeezed if _REFERENCE_PART.match(squeezed) else ""
    if reference_part.isdigit() and len(reference_part) > _REFERENCE_DIGITS:
        reference_part = ""  # a phone number, in no reference
    if _PHONE.match(text):
        return Wanted(reference_part=reference_part, phone=_phone_digits(text))
    words = tuple(dict.fromkeys(w for w in text.split() if len(w) >= MIN_LENGTH))
    return Wanted(reference_part=reference_part, words=words[:MAX_WORDS])


def _phone_digits(text: str) -> str:
    """The digits to look for: a whole number in international form; else the digits
    typed (a Cambodian number's leading 0 left out: it is not in the international form)."""
    whole = phones.international(text)
    if whole:
        return whole.lstrip("+")
    digits = services.normalise_receipt_code(text)  # its digits, Khmer ones read as 0-9
    if not text.lstrip().startswith("+"):
        digits = digits.removeprefix("0")
    return digits if len(digits) >= MIN_LENGTH else ""


async def search(user: Any, text: str, filters: queue.QueueFilters, now: datetime) -> dict:
    """One page of the cases matching `text` within the queue's filters, newest first,
    and where the next page starts. Words, names and phone numbers never find a
    sensitive case the officer may not open (that would tell who complained of what); a
    reference, which tells nothing, finds any case, shown as the queue shows it."""
    wanted = read(text)
    if wanted.too_short:
        return {"rows": [], "next_cursor": None, "too_short": True}
    clauses = queue.where(user, filters, now, searching=True)
    if wanted.reference:
        clauses.append(("complaint.reference = {}", [wanted.reference]))
        return _page(user, await _cases(clauses, 1), None, now)
    postgres = db.get_engine().engine_type == "postgres"
    match, key = _postgres_match(wanted) if postgres else _sqlite_match(wanted)
    findable, by_whom = queue.findable(user)
    if wanted.reference_part:  # the reference is what matched: any case
        findable = f"({findable} OR complaint.reference LIKE {{}})"
        by_whom = [*by_whom, f"%{wanted.reference_part}%"]
    clauses.append((findable, by_whom))
    # The newest matches a window at a time, then the cases among them the filters keep:
    # a page never looks through more than the WINDOWS' matches, however few the filters keep
    # (the next page goes on from the last one looked at).
    rows: list[dict[str, Any]] = []
    below = record_id(filters.after)
    for size in WINDOWS:
        hits = await _hits(match, key, below, size)
        if hits:
            ids = ("complaint.id IN (" + ", ".join("{}" for _ in hits) + ")", hits)
            rows += await _cases([*clauses, ids], queue.PAGE_SIZE + 1 - len(rows))
        if len(rows) > queue.PAGE_SIZE or len(hits) < size:
            return _page(user, rows, None, now)
        below = hits[-1]
    return _page(user, rows, below, now)


# How many matches a page looks at: a few first, more when the filters left too few.
WINDOWS = (200, 1000)
_COLUMNS = (
    f"SELECT {queue.COLUMNS_SQL} FROM complaint LEFT JOIN agency ON agency.id = complaint.agency"  # noqa: S608 - our names
)


async def _hits(match: queue.Clause, key: str, below: int | None, size: int) -> list[int]:
    """The ids of the newest `size` cases matching, below `below`."""
    sql, values = match
    if below:
        sql, values = f"{sql} AND {key} < {{}}", [*values, below]
    rows = await db.select(
        f"SELECT {key} AS id FROM complaint_search WHERE {sql} "  # noqa: S608
        f"ORDER BY {key} DESC LIMIT {{}}",
        *values,
        size,
    )
    return [row["id"] for row in rows]


async def _cases(clauses: list[queue.Clause], limit: int) -> list[dict[str, Any]]:
    """The cases the clauses keep, newest first."""
    sql = " AND ".join(sql for sql, _ in clauses)
    values = [v for _, vs in clauses for v in vs]
    return await db.select(
        f"{_COLUMNS} WHERE {sql} ORDER BY complaint.id DESC LIMIT {{}}", *values, limit
    )


def _page(user: Any, rows: list[dict[str, Any]], below: int | None, now: datetime) -> dict:
    """The page shown, and where the next starts: after its last case, or (when the
    filters kept few of the matches looked at) after the last match looked at."""
    page = rows[: queue.PAGE_SIZE]
    for row in page:
        queue.mark_row(user, row, now)
    more = page[-1]["id"] if len(rows) > queue.PAGE_SIZE else below
    return {"rows": page, "next_cursor": str(more) if more else None}


def _after_country_code(wanted: Wanted) -> bool:
    """Whether to look up a whole Cambodian number by what follows its 855, then check it
    whole: 855 begins nearly every number, so its trigrams read them all (20 ms at a
    million complaints on either database; 1 ms without)."""
    return wanted.phone.startswith(CAMBODIA) and len(wanted.phone) > 6 and not wanted.reference_part


def _sqlite_match(wanted: Wanted) -> tuple[queue.Clause, str]:
    """An FTS5 query: each part of what was typed a phrase in its own column."""

    def phrase(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    if _after_country_code(wanted):
        sql = "complaint_search MATCH {} AND instr(complaint_search.phone, {}) > 0"
        return (sql, [f"phone : {phrase(wanted.phone[3:])}", wanted.phone]), "rowid"
    either = []
    if wanted.reference_part:
        either.append(f"reference : {phrase(wanted.reference_part)}")
    if wanted.phone:
        either.append(f"phone : {phrase(wanted.phone)}")
    if wanted.words:
        either.append("(" + " AND ".join(f"body : {phrase(w)}" for w in wanted.words) + ")")
    return ("complaint_search MATCH {}", [" OR ".join(either)]), "rowid"


def _postgres_match(wanted: Wanted) -> tuple[queue.Clause, str]:
    """LIKE conditions, which the pg_trgm indexes serve; the words in lower case, as the
    search document keeps them (LIKE checks a row several times faster than ILIKE)."""

    def anywhere(text: str) -> str:
        return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"

    if _after_country_code(wanted):  # strpos: checked on the few rows found, not indexed
        sql = "complaint_search.phone LIKE {} AND strpos(complaint_search.phone, {}) > 0"
        return (sql, [anywhere(wanted.phone[3:]), wanted.phone]), "complaint"
    either: list[queue.Clause] = []
    if wanted.reference_part:
        either.append(("complaint_search.reference LIKE {}", [anywhere(wanted.reference_part)]))
    if wanted.phone:
        either.append(("complaint_search.phone LIKE {}", [anywhere(wanted.phone)]))
    if wanted.words:
        each = ["complaint_search.body LIKE {}"] * len(wanted.words)
        words = [anywhere(w.lower()) for w in wanted.words]
        either.append(("(" + " AND ".join(each) + ")", words))
    sql = "(" + " OR ".join(part for part, _ in either) + ")"
    return (sql, [v for _, values in either for v in values]), "complaint"


@asynccontextmanager
async def filled_after_load(first_id: int) -> AsyncIterator[None]:
    """For the generated demo complaints only: the triggers that keep the index are
    paused while the rows go in, then the index gets every complaint from `first_id` in
    one statement and the triggers are back, in one transaction (when the load fails
    part-way too). Row by row, the triggers took an hour for 1,000,000 complaints."""
    postgres = db.get_engine().engine_type == "postgres"
    async with db.transaction():
        paused = await (_pause_postgres() if postgres else _pause_sqlite())
    try:
        yield
    finally:
        async with db.transaction():
            if postgres:  # a GIN index is built faster at once than row by row
                await db.select("SET LOCAL maintenance_work_mem = '256MB'")
            key = "complaint" if postgres else "rowid"
            await db.select(
                f"INSERT INTO complaint_search ({key}, reference, phone, body) "  # noqa: S608
                "SELECT id, reference, phone, body FROM complaint_search_text WHERE id >= {}",
                first_id,
            )
            if not postgres:  # one segment, not the many of a big insert: half the lookup time
                await db.select(
                    "INSERT INTO complaint_search (complaint_search) VALUES ('optimize')"
                )
            for statement in paused:
                await db.select(statement)


async def _pause_sqlite() -> list[str]:
    """Drop the search triggers (SQLite cannot disable one); what re-creates them."""
    triggers = await db.select(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE {}",
        "complaint_search_%",
    )
    for trigger in triggers:
        await db.select(f'DROP TRIGGER "{trigger["name"]}"')
    return [trigger["sql"] for trigger in triggers]


async def _pause_postgres() -> list[str]:
    """Disable the search triggers and drop the index's GIN indexes; what restores them."""
    triggers = await db.select(
        "SELECT tgname AS name, tgrelid::regclass::text AS table_name FROM pg_trigger "
        "WHERE tgname LIKE {} AND NOT tgisinternal",
        "complaint_search_%",
    )
    indexes = await db.select(
        "SELECT indexname AS name, indexdef FROM pg_indexes WHERE tablename = {} "
        "AND indexdef LIKE {}",
        "complaint_search",
        "%USING gin%",
    )
    for trigger in triggers:
        await db.select(f'ALTER TABLE {trigger["table_name"]} DISABLE TRIGGER "{trigger["name"]}"')
    for index in indexes:
        await db.select(f'DROP INDEX "{index["name"]}"')
    return [index["indexdef"] for index in indexes] + [
        f'ALTER TABLE {trigger["table_name"]} ENABLE TRIGGER "{trigger["name"]}"'
        for trigger in triggers
    ]
