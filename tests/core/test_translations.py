"""The Khmer catalog keeps up with the source: every marked string is translated, keeps
each %(name)s placeholder, and portal.i18n serves it. English needs no catalog: the msgids
are the English text. This is the one check of the catalog (bin/translations only updates it).

The strings are extracted from the source at test time with babel.cfg, so a string added
to a template or a .py file without `bin/translations update` and a translation fails here.
"""

from __future__ import annotations

import fnmatch
import os
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "portal" / "locale"
# The same keywords and ignored directories as bin/translations.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None}
IGNORE_DIRS = (".*", "var", "bench")
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")


def _keep_directory(path: str) -> bool:
    name = os.path.basename(path)
    return not any(fnmatch.fnmatch(name, pattern) for pattern in IGNORE_DIRS)


@cache
def extracted() -> dict[str, list[str]]:
    """Every msgid marked in the source now, with the files it appears in."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(ROOT / "babel.cfg"))
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=_keep_directory
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


@cache
def catalog(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=language)


def _texts(value: str | tuple | list | None) -> list[str]:
    if isinstance(value, (tuple, list)):
        return [v or "" for v in value]
    return [value or ""]


def _translated(message: Message | None) -> bool:
    return message is not None and not message.fuzzy and all(_texts(message.string))


def test_extraction_finds_strings_in_python_and_templates() -> None:
    places = [p for where in extracted().values() for p in where]
    assert any(p.startswith("portal/") for p in places)
    assert any(p.startswith("templates/") for p in places)
    assert "Sign in" in extracted()


def test_every_marked_string_is_translated_into_khmer() -> None:
    missing = [
        f"  {msgid!r} ({where[0]})"
        for msgid, where in sorted(extracted().items())
        if not _translated(catalog("km").get(msgid))
    ]
    assert not missing, (
        "Untranslated, fuzzy or missing from the Khmer catalog (run bin/translations update, "
        "then translate in portal/locale/km/LC_MESSAGES/messages.po):\n" + "\n".join(missing)
    )


def test_khmer_keeps_every_placeholder() -> None:
    wrong = []
    for message in catalog("km"):
        if not message.id:
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(_texts(message.id))))
        for text in _texts(message.string):
            if text and set(PLACEHOLDER.findall(text)) != wanted:
                wrong.append(f"  {message.id!r}: {text!r}")
    assert not wrong, "Khmer translations whose %(...)s placeholders differ:\n" + "\n".join(wrong)


def test_khmer_translations_format_like_their_msgids() -> None:
    # Templates always %-format (newstyle gettext): a lone % would break the page.
    class Anything(dict):
        def __missing__(self, key: str) -> int:
            return 0

    def formats(text: str) -> bool:
        try:
            text % Anything()
        except (ValueError, TypeError, KeyError):
            return False
        return True

    broken = [
        m.id
        for m in catalog("km")
        if m.id and formats(_texts(m.id)[0]) and not all(formats(t) for t in _texts(m.string))
    ]
    assert not broken, f"Khmer translations with a lone % (write %%): {broken}"


def test_khmer_has_one_plural_form() -> None:
    assert catalog("km").num_plurals == 1
    assert catalog("km").plural_expr == "0"
    assert not catalog("km").fuzzy  # a fuzzy header would drop the charset when compiled


def test_gettext_serves_khmer() -> None:
    from portal import i18n

    khmer = catalog("km")["Sign in"].string
    assert khmer and khmer != "Sign in"
    token = i18n.current_language.set("km")
    try:
        assert i18n.gettext("Sign in") == khmer
    finally:
        i18n.current_language.reset(token)
    token = i18n.current_language.set("en")
    try:
        assert i18n.gettext("Sign in") == "Sign in"
    finally:
        i18n.current_language.reset(token)


@pytest.mark.parametrize(
    "call",
    [
        '_("%(name)s is damaged and cannot be opened.", name=file)',
        "_(message, name=file)",
    ],
)
def test_templates_translate_and_escape_what_they_fill_in(call: str) -> None:
    from portal import i18n
    from portal.templating import template_engine

    message = "%(name)s is damaged and cannot be opened."
    khmer = catalog("km")[message].string
    engine = template_engine()
    context = {"file": "<b>a.pdf</b>", "message": message}
    token = i18n.current_language.set("km")
    try:
        html = engine.render_string("{{ " + call + " }}", context)
        text = engine.render_string(
            "{% autoescape false %}{{ " + call + " }}{% endautoescape %}", context
        )
    finally:
        i18n.current_language.reset(token)
    assert html == khmer % {"name": "&lt;b&gt;a.pdf&lt;/b&gt;"}
    assert text == khmer % {"name": "<b>a.pdf</b>"}  # e.g. a plain-text e-mail
