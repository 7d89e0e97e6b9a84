"""Free-text search of the officers' queue, each database through its own index.

One search document per complaint: its reference, its phone number's digits and its text
(the description, the names, the outcome note and every timeline entry's words), defined
once per database as the view `complaint_search_text` and copied into `complaint_search`
by triggers whenever a complaint, one of its workers or one of its timeline entries
changes, so every writer (the forms, the demo loader, anonymisation) keeps it in step.

- SQLite: `complaint_search` is an FTS5 table with the trigram tokenizer (rowid = the
  complaint's id): Khmer, written without spaces between words, is found inside a
  sentence, English by any word, in any case.
- PostgreSQL: `complaint_search` is a table with pg_trgm GIN indexes, which serve
  `LIKE '%...%'` and `ILIKE`. The database wants a UTF-8 locale (Debian's default,
  C.UTF-8): under plain C, pg_trgm indexes no Khmer letters (a Khmer search then reads
  the whole index) and ILIKE folds only ASCII letters.

It also fills `phone_key` (the number in international form) for the complaints stored
before it, with libphonenumber as `portal.phones` does (written out here, so that this
migration keeps doing what it did when the portal's function changes)."""

import unicodedata

import phonenumbers
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T20:52:14:032467"
VERSION = "1.38.0"
DESCRIPTION = "Free-text, reference and phone search"

BATCH = 1000

# The columns whose change changes a complaint's search document.
_COMPLAINT_TEXT = (
    "reference, phone_key, description, complainant_name, broker_name, representative_of, "
    "outcome_note"
)


def _document(newline: str, join: str, zero_width_space: str) -> str:
    """The view, in either database's words for a newline, a string join and a character.
    A zero-width space (put between Khmer words for line breaking) is left out, so a
    search typed without one finds them."""
    return f"""
CREATE VIEW complaint_search_text AS
SELECT c.id, c.reference, replace(c.phone_key, '+', '') AS phone,
  replace(
    c.description || {newline} || c.complainant_name || {newline} || c.broker_name
    || {newline} || c.representative_of || {newline} || c.outcome_note || {newline}
    || coalesce((SELECT {join.format("w.name")} FROM complaint_worker w
                 WHERE w.complaint = c.id), '')
    || {newline}
    || coalesce((SELECT {join.format("e.body")} FROM case_event e
                 WHERE e.complaint = c.id AND e.body <> ''), ''),
    {zero_width_space}, '') AS body
FROM complaint c"""


# The queue's open cases picked by the date received, newest first.
OPEN_RECEIVED = "CREATE INDEX complaint_open_received ON complaint (is_open, received_at, id)"

SQLITE = [
    OPEN_RECEIVED,
    _document("char(10)", "group_concat({}, char(10))", "char(8203)"),
    "CREATE VIRTUAL TABLE complaint_search USING fts5(reference, phone, body, "
    "tokenize = 'trigram')",
    *(
        f"""CREATE TRIGGER complaint_search_{name} AFTER {event} BEGIN
  DELETE FROM complaint_search WHERE rowid = {row}.{key};
  INSERT INTO complaint_search (rowid, reference, phone, body)
    SELECT id, reference, phone, body FROM complaint_search_text WHERE id = {row}.{key};
END"""
        for name, event, row, key in (
            ("filed", "INSERT ON complaint", "new", "id"),
            ("changed", f"UPDATE OF {_COMPLAINT_TEXT} ON complaint", "new", "id"),
            ("worker_added", "INSERT ON complaint_worker WHEN new.name <> ''", "new", "complaint"),
            ("worker_changed", "UPDATE OF name ON complaint_worker", "new", "complaint"),
            ("worker_removed", "DELETE ON complaint_worker", "old", "complaint"),
            ("event_added", "INSERT ON case_event WHEN new.body <> ''", "new", "complaint"),
            ("event_changed", "UPDATE OF body ON case_event", "new", "complaint"),
            ("event_removed", "DELETE ON case_event WHEN old.body <> ''", "old", "complaint"),
        )
    ),
    """CREATE TRIGGER complaint_search_removed AFTER DELETE ON complaint BEGIN
  DELETE FROM complaint_search WHERE rowid = old.id;
END""",
    "INSERT INTO complaint_search (rowid, reference, phone, body) "
    "SELECT id, reference, phone, body FROM complaint_search_text",
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    OPEN_RECEIVED,
    _document("chr(10)", "string_agg({}, chr(10))", "chr(8203)"),
    """CREATE TABLE complaint_search (
  complaint integer PRIMARY KEY REFERENCES complaint (id) ON DELETE CASCADE,
  reference text NOT NULL,
  phone text NOT NULL,
  body text NOT NULL
)""",
    "CREATE INDEX complaint_search_reference ON complaint_search USING gin (reference gin_trgm_ops)",
    "CREATE INDEX complaint_search_phone ON complaint_search USING gin (phone gin_trgm_ops)",
    "CREATE INDEX complaint_search_body ON complaint_search USING gin (body gin_trgm_ops)",
    """CREATE FUNCTION complaint_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  case_id integer;
BEGIN
  IF TG_TABLE_NAME = 'complaint' THEN
    case_id := NEW.id;
  ELSIF TG_OP = 'DELETE' THEN
    case_id := OLD.complaint;
  ELSE
    case_id := NEW.complaint;
  END IF;
  INSERT INTO complaint_search (complaint, reference, phone, body)
    SELECT id, reference, phone, body FROM complaint_search_text WHERE id = case_id
  ON CONFLICT (complaint) DO UPDATE
    SET reference = excluded.reference, phone = excluded.phone, body = excluded.body;
  RETURN NULL;
END $$""",
    f"CREATE TRIGGER complaint_search_complaint AFTER INSERT OR UPDATE OF {_COMPLAINT_TEXT} "
    "ON complaint FOR EACH ROW EXECUTE FUNCTION complaint_search_refresh()",
    "CREATE TRIGGER complaint_search_worker AFTER INSERT OR UPDATE OF name OR DELETE "
    "ON complaint_worker FOR EACH ROW EXECUTE FUNCTION complaint_search_refresh()",
    # A timeline entry without words (a status change without a note) changes nothing.
    "CREATE TRIGGER complaint_search_event_added AFTER INSERT ON case_event "
    "FOR EACH ROW WHEN (NEW.body <> '') EXECUTE FUNCTION complaint_search_refresh()",
    "CREATE TRIGGER complaint_search_event AFTER UPDATE OF body OR DELETE "
    "ON case_event FOR EACH ROW EXECUTE FUNCTION complaint_search_refresh()",
    "INSERT INTO complaint_search (complaint, reference, phone, body) "
    "SELECT id, reference, phone, body FROM complaint_search_text",
]

UNDO_SQLITE = [
    *(
        f"DROP TRIGGER IF EXISTS complaint_search_{name}"
        for name in (
            "filed",
            "changed",
            "worker_added",
            "worker_changed",
            "worker_removed",
            "event_added",
            "event_changed",
            "event_removed",
            "removed",
        )
    ),  # fmt: skip
    "DROP TABLE IF EXISTS complaint_search",
    "DROP VIEW IF EXISTS complaint_search_text",
    "DROP INDEX IF EXISTS complaint_open_received",
]
UNDO_POSTGRES = [
    "DROP TRIGGER IF EXISTS complaint_search_complaint ON complaint",
    "DROP TRIGGER IF EXISTS complaint_search_worker ON complaint_worker",
    "DROP TRIGGER IF EXISTS complaint_search_event_added ON case_event",
    "DROP TRIGGER IF EXISTS complaint_search_event ON case_event",
    "DROP FUNCTION IF EXISTS complaint_search_refresh()",
    "DROP TABLE IF EXISTS complaint_search",
    "DROP VIEW IF EXISTS complaint_search_text",
    "DROP INDEX IF EXISTS complaint_open_received",
]


class RawTable(Table):
    pass


def _phone_key(text: str) -> str:
    """In international form, or (not a number that can be dialled) its digits."""
    try:
        number = phonenumbers.parse(text, "KH")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())[:20]


async def _fill_phone_keys():
    last = 0
    while True:
        rows = await RawTable.raw(
            "SELECT id, phone FROM complaint WHERE id > {} AND phone <> '' ORDER BY id LIMIT {}",
            last,
            BATCH,
        )
        if not rows:
            break
        last = rows[-1]["id"]
        keyed = [(row["id"], _phone_key(row["phone"])) for row in rows]
        keyed = [(row_id, key) for row_id, key in keyed if key]
        if not keyed:
            continue
        pairs = ", ".join("(CAST({} AS INTEGER), {})" for _ in keyed)
        await RawTable.raw(
            f"WITH keyed (id, phone_key) AS (VALUES {pairs}) "  # noqa: S608 - no input
            "UPDATE complaint SET phone_key = keyed.phone_key FROM keyed "
            "WHERE complaint.id = keyed.id",
            *[value for pair in keyed for value in pair],
        )


def _is_postgres() -> bool:
    return RawTable._meta.db.engine_type == "postgres"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="complaints", description=DESCRIPTION)

    async def create():
        await _fill_phone_keys()
        for statement in POSTGRES if _is_postgres() else SQLITE:
            await RawTable.raw(statement)

    async def drop():
        for statement in UNDO_POSTGRES if _is_postgres() else UNDO_SQLITE:
            await RawTable.raw(statement)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
