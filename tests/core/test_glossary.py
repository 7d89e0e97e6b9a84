"""One Khmer term per concept: no Khmer text of the catalogue or the sample checklist uses
a term docs/glossary.md rejects (a look-alike spelling, a word for another concept)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from babel.messages.pofile import read_po

from portal.i18n import LOCALE_DIR
from portal.settings import PROJECT_ROOT

GLOSSARY = PROJECT_ROOT / "docs" / "glossary.md"
SAMPLE_CHECKLIST = PROJECT_ROOT / "portal" / "checklists" / "sample_coc.yaml"
CELL = re.compile(r"(?<!\\)\|")


def rejected_terms() -> list[tuple[str, re.Pattern[str], str]]:
    """(concept, rejected pattern, where: "all" or "catalogue") from the glossary's table."""
    terms = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip().replace("\\|", "|") for c in CELL.split(line)[1:-1]]
        if len(cells) != 6 or cells[0] in ("Concept", "---"):
            continue
        concept, _, _, rejected, where, _ = cells
        terms += [(concept, re.compile(p), where) for p in re.findall(r"`([^`]+)`", rejected)]
    return terms


def catalogue_texts() -> Iterator[tuple[str, str]]:
    with (LOCALE_DIR / "km" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        for message in read_po(fh):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:
                yield str(message.id), text or ""


def checklist_texts(node: Any = None, where: str = "") -> Iterator[tuple[str, str]]:
    if node is None:
        node = yaml.safe_load(SAMPLE_CHECKLIST.read_text(encoding="utf-8"))
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "km" and isinstance(value, str):
                yield where, value
            else:
                yield from checklist_texts(value, f"{where}/{key}")
    elif isinstance(node, list):
        for n, item in enumerate(node):
            yield from checklist_texts(item, f"{where}[{n}]")


def _uses(terms: list, texts: list[tuple[str, str]], scopes: set[str]) -> list[str]:
    return [
        f"{concept}: {pattern.pattern!r} in {where!r}: {text[:80]}"
        for concept, pattern, scope in terms
        if scope in scopes
        for where, text in texts
        if pattern.search(text)
    ]


def test_the_glossary_names_the_rejected_terms():
    concepts = {concept for concept, _, _ in rejected_terms()}
    assert {"complaint", "committee", "Code of Conduct", "case", "agency"} <= concepts
    assert {"sensitive", "acknowledge", "reopen", "publish"} <= concepts


def test_no_khmer_translation_uses_a_rejected_term():
    wrong = _uses(rejected_terms(), list(catalogue_texts()), {"all", "catalogue"})
    assert not wrong, "Khmer translations using a term docs/glossary.md rejects:\n" + "\n".join(
        wrong
    )


def test_no_khmer_text_of_the_sample_checklist_uses_a_rejected_term():
    wrong = _uses(rejected_terms(), list(checklist_texts()), {"all"})
    assert not wrong, "Sample checklist texts using a term docs/glossary.md rejects:\n" + (
        "\n".join(wrong)
    )


def test_the_check_finds_a_look_alike_spelling():
    # បណ្តឹង (with ្ត) and បណ្ដឹង (with ្ដ) look the same but are different characters.
    assert "បណ្តឹង" != "បណ្ដឹង"
    assert _uses(rejected_terms(), [("sample", "ពាក្យបណ្តឹង")], {"all"})
    assert not _uses(rejected_terms(), [("sample", "ពាក្យបណ្ដឹង")], {"all"})
