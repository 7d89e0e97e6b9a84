"""The checklist file: a template as YAML (docs/checklist-format.md), read with every
mistake named by line and field, and written back out in the same format."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from portal import i18n
from portal.errors import FormErrors
from portal.forms import CONTROL_CHARACTER_MESSAGE, has_control_character, whole_number
from portal.i18n import gettext as _

FORMAT_VERSION = 1
MAX_FILE_BYTES = 1024 * 1024
# The longest text of each kind, in the file as in the editor: a code, a title (what
# their columns hold), any other text.
MAX_CODE = 20
MAX_TITLE = 300
MAX_TEXT_LENGTH = 5000


class TemplateFileError(FormErrors):
    """A template file that cannot be read; the message names the line and the field.
    The import form shows it beside its file field."""

    def __init__(self, message: str) -> None:
        super().__init__({"file": message})


def _fail(node: Node, field: str, problem: str) -> TemplateFileError:
    return TemplateFileError(
        _("Line %(line)s, %(field)s: %(problem)s")
        % {"line": node.start_mark.line + 1, "field": field, "problem": problem}
    )


def _mapping(node: Node, field: str) -> dict[str, Node]:
    if not isinstance(node, MappingNode):
        raise _fail(node, field, _("expected a list of named values"))
    return {key.value: value for key, value in node.value if isinstance(key, ScalarNode)}


def _text(node: Node, field: str, required: bool = True, limit: int = MAX_TEXT_LENGTH) -> str:
    if not isinstance(node, ScalarNode):
        raise _fail(node, field, _("expected text"))
    value = str(node.value).strip()
    if required and not value:
        raise _fail(node, field, _("must not be empty"))
    if len(value) > limit:
        raise _fail(node, field, _("at most %(n)s characters") % {"n": limit})
    if has_control_character(value):  # written as an escape, such as "\0"
        raise _fail(node, field, i18n.gettext(CONTROL_CHARACTER_MESSAGE))
    return value


def _bilingual(
    parent: Node,
    values: dict[str, Node],
    field: str,
    required: bool = True,
    where: str = "",
    limit: int = MAX_TEXT_LENGTH,
) -> tuple[str, str]:
    label = f"{where} {field}".strip()
    if field not in values:
        if required:
            raise _fail(parent, label, _("missing"))
        return "", ""
    node = values[field]
    if isinstance(node, ScalarNode) and not node.value:
        node = MappingNode("tag:yaml.org,2002:map", [], node.start_mark, node.end_mark)
    languages = _mapping(node, label)
    if "en" not in languages:
        raise _fail(node, f"{label}.en", _("missing"))
    english = _text(languages["en"], f"{label}.en", required, limit)
    khmer = _text(languages["km"], f"{label}.km", False, limit) if "km" in languages else ""
    return english, khmer


def _flag(values: dict[str, Node], field: str, default: bool, where: str) -> bool:
    if field not in values:
        return default
    text = _text(values[field], f"{where} {field}").lower()
    if text not in {"true", "false", "yes", "no"}:
        raise _fail(values[field], f"{where} {field}", _("write true or false"))
    return text in {"true", "yes"}


def _score(values: dict[str, Node], field: str, where: str) -> int:
    if field not in values:
        return 2
    score = whole_number(_text(values[field], f"{where} {field}"), 1, 10)
    if score is None:
        raise _fail(values[field], f"{where} {field}", _("a whole number from 1 to 10"))
    return score


def read(content: bytes) -> dict[str, Any]:
    """An uploaded checklist file, checked: its size, its encoding, then parse()."""
    if len(content) > MAX_FILE_BYTES:
        raise TemplateFileError(_("The file is larger than 1 MB."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateFileError(_("Save the file in UTF-8 and try again.")) from None
    return parse(text)


def parse(text: str) -> dict[str, Any]:
    """Read and check a template file; TemplateFileError names what is wrong, and where."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:  # PyYAML composes nested lists by recursion, and has no limit
        raise TemplateFileError(_("The file nests lists or values too deeply.")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise TemplateFileError(
            _("Line %(line)s: this is not valid YAML (%(problem)s).")
            % {"line": line, "problem": getattr(exc, "problem", "") or exc}
        ) from None
    if root is None:
        raise TemplateFileError(_("The file is empty."))
    top = _mapping(root, "file")
    if "format" in top and _text(top["format"], "format") != str(FORMAT_VERSION):
        raise _fail(top["format"], "format", _("this portal reads format 1"))
    title_en, title_km = _bilingual(root, top, "title", limit=MAX_TITLE)
    description_en, description_km = _bilingual(root, top, "description", required=False)
    if "sections" not in top or not isinstance(top["sections"], SequenceNode):
        raise _fail(top.get("sections", root), "sections", _("expected a list of sections"))
    sections: list[dict[str, Any]] = []
    codes: set[str] = set()
    for s_node in top["sections"].value:
        s = _mapping(s_node, "sections")
        s_code = _text(s["code"], "code", limit=MAX_CODE) if "code" in s else ""
        where = f"sections[{s_code or len(sections) + 1}]"
        if not s_code:
            raise _fail(s_node, f"{where}.code", _("missing"))
        s_title = _bilingual(s_node, s, "title", where=f"section {s_code}")
        if (
            "indicators" not in s
            or not isinstance(s["indicators"], SequenceNode)
            or not s["indicators"].value
        ):
            raise _fail(
                s.get("indicators", s_node),
                f"{where}.indicators",
                _("expected a list of indicators"),
            )
        indicators = []
        for i_node in s["indicators"].value:
            i = _mapping(i_node, f"{where}.indicators")
            code = (
                _text(i["code"], f"{where}.indicators.code", limit=MAX_CODE) if "code" in i else ""
            )
            if not code:
                raise _fail(i_node, f"{where}.indicators.code", _("missing"))
            if code in codes:
                raise _fail(i["code"], f"indicator {code}", _("this code is used twice"))
            codes.add(code)
            label = f"indicator {code}"
            indicators.append(
                {
                    "code": code,
                    "text": _bilingual(i_node, i, "text", where=label),
                    "guidance": _bilingual(i_node, i, "guidance", False, label),
                    "evidence_hint": _bilingual(i_node, i, "evidence_hint", False, label),
                    "evidence_required": _flag(i, "evidence_required", True, label),
                    "max_score": _score(i, "max_score", label),
                }
            )
        sections.append({"code": s_code, "title": s_title, "indicators": indicators})
    if not sections:
        raise _fail(top["sections"], "sections", _("expected a list of sections"))
    return {
        "title": (title_en, title_km),
        "description": (description_en, description_km),
        "sections": sections,
    }


def _pair(en: str, km: str) -> dict[str, str]:
    return {"en": en, "km": km}


def dump(data: dict[str, Any]) -> str:
    """A template's structure (see checklist_versions.structure) as a checklist file."""
    t = data["template"]
    document = {
        "format": FORMAT_VERSION,
        "title": _pair(t.title_en, t.title_km),
        "description": _pair(t.description_en, t.description_km),
        "sections": [
            {
                "code": s["code"],
                "title": _pair(s["title_en"], s["title_km"]),
                "indicators": [
                    {
                        "code": i["code"],
                        "text": _pair(i["text_en"], i["text_km"]),
                        "guidance": _pair(i["guidance_en"], i["guidance_km"]),
                        "evidence_hint": _pair(i["evidence_hint_en"], i["evidence_hint_km"]),
                        "evidence_required": i["evidence_required"],
                        "max_score": i["max_score"],
                    }
                    for i in s["indicators"]
                ],
            }
            for s in data["sections"]
        ],
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
