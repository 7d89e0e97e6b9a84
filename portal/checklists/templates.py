"""Checklist templates: import and export as YAML (docs/checklist-format.md), publish,
and start the next version. A published version is never changed."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from portal import clock, db
from portal.access import or_404
from portal.audit import services as audit
from portal.checklists.tables import ChecklistTemplate, Indicator, Section, TemplateStatus
from portal.errors import DomainError, FormErrors
from portal.i18n import gettext as _

FORMAT_VERSION = 1
MAX_FILE_BYTES = 1024 * 1024


class TemplateFileError(DomainError):
    """A template file that cannot be read; the message names the line and the field."""


def _fail(node: Node, field: str, problem: str) -> TemplateFileError:
    return TemplateFileError(
        _("Line %(line)s, %(field)s: %(problem)s")
        % {"line": node.start_mark.line + 1, "field": field, "problem": problem}
    )


def _mapping(node: Node, field: str) -> dict[str, Node]:
    if not isinstance(node, MappingNode):
        raise _fail(node, field, _("expected a list of named values"))
    return {key.value: value for key, value in node.value if isinstance(key, ScalarNode)}


def _text(node: Node, field: str, required: bool = True) -> str:
    if not isinstance(node, ScalarNode):
        raise _fail(node, field, _("expected text"))
    value = str(node.value).strip()
    if required and not value:
        raise _fail(node, field, _("must not be empty"))
    return value


def _bilingual(
    parent: Node, values: dict[str, Node], field: str, required: bool = True, where: str = ""
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
    english = _text(languages["en"], f"{label}.en", required)
    khmer = _text(languages["km"], f"{label}.km", required=False) if "km" in languages else ""
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
    text = _text(values[field], f"{where} {field}")
    if not text.isdecimal() or not 1 <= int(text) <= 10:
        raise _fail(values[field], f"{where} {field}", _("a whole number from 1 to 10"))
    return int(text)


def parse(text: str) -> dict[str, Any]:
    """Read and check a template file; TemplateFileError names what is wrong, and where."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
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
    title_en, title_km = _bilingual(root, top, "title")
    description_en, description_km = _bilingual(root, top, "description", required=False)
    if "sections" not in top or not isinstance(top["sections"], SequenceNode):
        raise _fail(top.get("sections", root), "sections", _("expected a list of sections"))
    sections: list[dict[str, Any]] = []
    codes: set[str] = set()
    for s_node in top["sections"].value:
        s = _mapping(s_node, "sections")
        s_code = _text(s["code"], "code") if "code" in s else ""
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
            code = _text(i["code"], f"{where}.indicators.code") if "code" in i else ""
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


def _family(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:100] or "checklist"


async def _save(parsed: dict[str, Any], version: int, family: str) -> ChecklistTemplate:
    template = ChecklistTemplate(
        family=family,
        version=version,
        title_en=parsed["title"][0],
        title_km=parsed["title"][1],
        description_en=parsed["description"][0],
        description_km=parsed["description"][1],
        status=TemplateStatus.draft,
        created_at=clock.now(),
    )
    await template.save()
    for s_pos, s in enumerate(parsed["sections"], start=1):
        section = Section(
            template=template.id,
            position=s_pos,
            code=s["code"],
            title_en=s["title"][0],
            title_km=s["title"][1],
        )
        await section.save()
        await Indicator.insert(
            *(
                Indicator(
                    template=template.id,
                    section=section.id,
                    position=i_pos,
                    code=i["code"],
                    text_en=i["text"][0],
                    text_km=i["text"][1],
                    guidance_en=i["guidance"][0],
                    guidance_km=i["guidance"][1],
                    evidence_hint_en=i["evidence_hint"][0],
                    evidence_hint_km=i["evidence_hint"][1],
                    evidence_required=i["evidence_required"],
                    max_score=i["max_score"],
                )
                for i_pos, i in enumerate(s["indicators"], start=1)
            )
        )
    return template


async def _next_version(family: str) -> int:
    rows = (
        await ChecklistTemplate.select(ChecklistTemplate.version)
        .where(ChecklistTemplate.family == family)
        .order_by(ChecklistTemplate.version, ascending=False)
        .limit(1)
    )
    return rows[0]["version"] + 1 if rows else 1


async def import_template(actor: Any, content: bytes) -> ChecklistTemplate:
    """A new draft from a template file: the next version of its checklist, if one exists."""
    if len(content) > MAX_FILE_BYTES:
        raise TemplateFileError(_("The file is larger than 1 MB."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateFileError(_("Save the file in UTF-8 and try again.")) from None
    parsed = parse(text)
    family = _family(parsed["title"][0])
    async with db.transaction():
        template = await _save(parsed, await _next_version(family), family)
        await audit.record(
            actor,
            "checklist.imported",
            "checklist",
            template.id,
            f"{template.title_en} v{template.version}",
        )
    return template


async def get(template_id: int) -> ChecklistTemplate:
    return or_404(
        await ChecklistTemplate.objects().where(ChecklistTemplate.id == template_id).first()
    )


async def structure(template_id: int) -> dict[str, Any]:
    """The template as nested plain data: what the file format holds."""
    template = await get(template_id)
    sections = (
        await Section.select().where(Section.template == template_id).order_by(Section.position)
    )
    indicators = (
        await Indicator.select()
        .where(Indicator.template == template_id)
        .order_by(Indicator.position)
    )
    by_section: dict[int, list[dict]] = {}
    for i in indicators:
        by_section.setdefault(i["section"], []).append(i)
    return {
        "template": template,
        "sections": [{**s, "indicators": by_section.get(s["id"], [])} for s in sections],
        "indicator_count": len(indicators),
        "max_total": sum(i["max_score"] for i in indicators),
    }


# Published versions never change, so their structure is read from the database once.
# The key includes the publication time: a database emptied and refilled (tests, a
# restore) can give a different version the same id.
_frozen: dict[tuple[int, Any], dict[str, Any]] = {}


async def frozen_structure(template_id: int) -> dict[str, Any]:
    """structure(), kept in memory for published versions (the pages agencies fill)."""
    # Every self-assessment page comes here: written-out SQL (see db.select).
    rows = await db.select("SELECT published_at FROM checklist_template WHERE id = {}", template_id)
    key = (template_id, rows[0]["published_at"] if rows else None)
    if key in _frozen:
        return _frozen[key]
    data = await structure(template_id)
    if data["template"].status == TemplateStatus.published:
        _frozen[key] = data
    return data


def forget_structures() -> None:
    """Drop the cache (tests empty the database between runs; ids may come back)."""
    _frozen.clear()


def _pair(en: str, km: str) -> dict[str, str]:
    return {"en": en, "km": km}


async def export_yaml(template_id: int) -> str:
    data = await structure(template_id)
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


async def publish(actor: Any, template_id: int) -> None:
    """Freeze a draft: from now on it is what agencies answer, word for word."""
    template = await get(template_id)
    if template.status != TemplateStatus.draft:
        raise DomainError(_("This version is already published and cannot change."))
    async with db.transaction():
        await ChecklistTemplate.update(
            {
                ChecklistTemplate.status: TemplateStatus.published,
                ChecklistTemplate.published_at: clock.now(),
            }
        ).where(ChecklistTemplate.id == template_id)
        await audit.record(
            actor,
            "checklist.published",
            "checklist",
            template_id,
            f"{template.title_en} v{template.version}",
        )


async def start_next_version(actor: Any, template_id: int) -> ChecklistTemplate:
    """A draft copy of a published version, to change without touching the original."""
    template = await get(template_id)
    if template.status != TemplateStatus.published:
        raise DomainError(_("Publish this draft before starting another version."))
    parsed = parse(await export_yaml(template_id))
    async with db.transaction():
        draft = await _save(parsed, await _next_version(template.family), template.family)
        await audit.record(
            actor,
            "checklist.new_version",
            "checklist",
            draft.id,
            f"{draft.title_en} v{draft.version}",
        )
    return draft


async def list_templates() -> list[dict]:
    return (
        await ChecklistTemplate.select()
        .order_by(ChecklistTemplate.family)
        .order_by(ChecklistTemplate.version, ascending=False)
    )


# --- editing a draft in the browser ----------------------------------------------------

INDICATOR_FIELDS = [
    "code",
    "text_en",
    "text_km",
    "guidance_en",
    "guidance_km",
    "evidence_hint_en",
    "evidence_hint_km",
    "max_score",
]
SECTION_FIELDS = ["code", "title_en", "title_km"]


async def draft(template_id: int) -> ChecklistTemplate:
    """The template, which must still be a draft: published versions never change."""
    template = await get(template_id)
    if template.status != TemplateStatus.draft:
        raise DomainError(
            _("This version is published and cannot change. Start the next version to edit.")
        )
    return template


async def get_section(template_id: int, section_id: int) -> dict:
    return or_404(
        await Section.select()
        .where(Section.id == section_id)
        .where(Section.template == template_id)
        .first()
    )


async def get_indicator(template_id: int, indicator_id: int) -> dict:
    return or_404(
        await Indicator.select()
        .where(Indicator.id == indicator_id)
        .where(Indicator.template == template_id)
        .first()
    )


async def _unique_code(table: Any, template_id: int, code: str, own_id: int | None) -> bool:
    query = table.exists().where(table.template == template_id).where(table.code == code)
    if own_id is not None:
        query = query.where(table.id != own_id)
    return not await query


async def _clean_indicator(template_id: int, form: dict, own_id: int | None) -> dict:
    values = {name: str(form.get(name, "")).strip() for name in INDICATOR_FIELDS}
    errors = {}
    if not values["code"]:
        errors["code"] = _("Enter a code, such as 3.2.")
    elif not await _unique_code(Indicator, template_id, values["code"], own_id):
        errors["code"] = _("Another indicator of this version has this code.")
    if not values["text_en"]:
        errors["text_en"] = _("Enter the indicator's text in English.")
    if not values["max_score"].isdecimal() or not 1 <= int(values["max_score"]) <= 10:
        errors["max_score"] = _("Enter a whole number from 1 to 10.")
    if errors:
        raise FormErrors(errors)
    return {
        **values,
        "max_score": int(values["max_score"]),
        "evidence_required": form.get("evidence_required") == "yes",
    }


async def update_indicator(actor: Any, template_id: int, indicator_id: int, form: dict) -> None:
    template = await draft(template_id)
    await get_indicator(template_id, indicator_id)
    values = await _clean_indicator(template_id, form, indicator_id)
    async with db.transaction():
        await Indicator.update({getattr(Indicator, k): v for k, v in values.items()}).where(
            Indicator.id == indicator_id
        )
        await audit.record(
            actor,
            "checklist.edited",
            "checklist",
            template_id,
            f"{template.title_en} v{template.version}: {values['code']}",
        )


async def add_indicator(actor: Any, template_id: int, section_id: int, form: dict) -> None:
    template = await draft(template_id)
    await get_section(template_id, section_id)
    values = await _clean_indicator(template_id, form, None)
    async with db.transaction():
        last = await Indicator.count().where(Indicator.section == section_id)
        await Indicator.insert(
            Indicator(template=template_id, section=section_id, position=last + 1, **values)
        )
        await audit.record(
            actor,
            "checklist.edited",
            "checklist",
            template_id,
            f"{template.title_en} v{template.version}: + {values['code']}",
        )


async def delete_indicator(actor: Any, template_id: int, indicator_id: int) -> None:
    template = await draft(template_id)
    indicator = await get_indicator(template_id, indicator_id)
    async with db.transaction():
        await Indicator.delete().where(Indicator.id == indicator_id)
        await audit.record(
            actor,
            "checklist.edited",
            "checklist",
            template_id,
            f"{template.title_en} v{template.version}: − {indicator['code']}",
        )


async def _clean_section(template_id: int, form: dict, own_id: int | None) -> dict:
    values = {name: str(form.get(name, "")).strip() for name in SECTION_FIELDS}
    errors = {}
    if not values["code"]:
        errors["code"] = _("Enter a code, such as 3.")
    elif not await _unique_code(Section, template_id, values["code"], own_id):
        errors["code"] = _("Another article of this version has this code.")
    if not values["title_en"]:
        errors["title_en"] = _("Enter the article's title in English.")
    if errors:
        raise FormErrors(errors)
    return values


async def save_section(actor: Any, template_id: int, section_id: int | None, form: dict) -> None:
    """Change an article's code and titles, or add a new article at the end."""
    template = await draft(template_id)
    if section_id is not None:
        await get_section(template_id, section_id)
    values = await _clean_section(template_id, form, section_id)
    async with db.transaction():
        if section_id is None:
            last = await Section.count().where(Section.template == template_id)
            await Section.insert(Section(template=template_id, position=last + 1, **values))
        else:
            await Section.update({getattr(Section, k): v for k, v in values.items()}).where(
                Section.id == section_id
            )
        await audit.record(
            actor,
            "checklist.edited",
            "checklist",
            template_id,
            f"{template.title_en} v{template.version}: article {values['code']}",
        )
