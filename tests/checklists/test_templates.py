"""Checklist templates: YAML import and export, errors that name the line and field,
publishing that freezes a version, and the next version as a separate draft."""

from __future__ import annotations

import pytest

from portal.checklists import checklist_versions
from portal.checklists.tables import ChecklistTemplate, Indicator
from tests.conftest import post_form

SMALL = """\
format: 1
title:
  en: "Test checklist"
  km: "បញ្ជីត្រួតពិនិត្យសាកល្បង"
sections:
  - code: "1"
    title:
      en: "Fees"
      km: "ថ្លៃសេវា"
    indicators:
      - code: "1.1"
        text:
          en: "No worker pays a recruitment fee."
          km: "គ្មានពលករណាម្នាក់បង់ថ្លៃសេវាជ្រើសរើសទេ។"
        guidance:
          en: "Check the fees ledger."
          km: "ពិនិត្យបញ្ជីថ្លៃសេវា។"
        evidence_required: true
        max_score: 2
      - code: "1.2"
        text:
          en: "Fees charged to employers are recorded."
        evidence_required: false
"""


async def _upload(client, content: str):
    return await post_form(
        client,
        "/admin/checklists/import",
        files={"file": ("checklist.yaml", content.encode(), "application/yaml")},
    )


async def test_export_then_import_gives_the_same_template(client, as_role):
    await as_role("admin")
    response = await _upload(client, SMALL)
    assert response.status_code == 303
    first_id = int(response.headers["location"].rsplit("/", 1)[1])
    exported = (await client.get(f"/admin/checklists/{first_id}/export")).text
    again = await _upload(client, exported)
    second_id = int(again.headers["location"].rsplit("/", 1)[1])
    assert await checklist_versions.export_yaml(second_id) == exported
    first, second = (
        await checklist_versions.structure(first_id),
        await checklist_versions.structure(second_id),
    )
    assert first["indicator_count"] == second["indicator_count"] == 2
    assert second["template"].version == first["template"].version + 1


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (
            SMALL.replace('      - code: "1.2"\n', '      - code: "1.1"\n'),
            "Line 20, indicator 1.1: this code is used twice",
        ),
        (
            SMALL.replace('          en: "Fees charged to employers are recorded."\n', ""),
            "Line 21, indicator 1.2 text.en: missing",
        ),
        (
            SMALL.replace("max_score: 2", "max_score: lots"),
            "Line 19, indicator 1.1 max_score: a whole number",
        ),
        (
            SMALL.replace("evidence_required: false", "evidence_required: maybe"),
            "Line 23, indicator 1.2 evidence_required: write true or false",
        ),
        ("title: [unclosed\n", "Line 2: this is not valid YAML"),
        (
            SMALL.replace('title:\n  en: "Test checklist"', 'title:\n  km: "x"'),
            "Line 3, title.en: missing",
        ),
    ],
)
async def test_a_malformed_file_is_refused_naming_the_line_and_field(
    client, as_role, broken, message
):
    await as_role("admin")
    response = await _upload(client, broken)
    assert response.status_code == 400
    assert message in response.text
    assert await ChecklistTemplate.count() == 0 and await Indicator.count() == 0


async def test_publishing_freezes_and_the_next_version_is_a_separate_draft(client, as_role):
    await as_role("admin")
    first_id = int((await _upload(client, SMALL)).headers["location"].rsplit("/", 1)[1])
    # A draft cannot be copied into a next version; a published one cannot be published again.
    assert (await post_form(client, f"/admin/checklists/{first_id}/new-version")).status_code == 400
    assert (await post_form(client, f"/admin/checklists/{first_id}/publish")).status_code == 303
    assert (await post_form(client, f"/admin/checklists/{first_id}/publish")).status_code == 400
    response = await post_form(client, f"/admin/checklists/{first_id}/new-version")
    draft_id = int(response.headers["location"].rsplit("/", 1)[1])
    draft = await checklist_versions.get(draft_id)
    assert (draft.status, draft.version) == ("draft", 2)
    page = await client.get(f"/admin/checklists/{first_id}")
    assert (
        "No worker pays a recruitment fee." in page.text and "Start the next version" in page.text
    )
    assert (await checklist_versions.get(first_id)).status == "published"


async def test_khmer_readers_see_the_khmer_wording(client, as_role):
    await as_role("admin")
    template_id = int((await _upload(client, SMALL)).headers["location"].rsplit("/", 1)[1])
    page = await client.get(f"/admin/checklists/{template_id}?lang=km")
    assert "គ្មានពលករណាម្នាក់បង់ថ្លៃសេវាជ្រើសរើសទេ។" in page.text
    assert "Fees charged to employers are recorded." in page.text  # no Khmer given: English


@pytest.mark.parametrize("role", ["officer", "agency", "partner", "committee"])
async def test_only_admins_manage_templates(client, as_role, role):
    await as_role(role)
    assert (await client.get("/admin/checklists")).status_code == 404
    assert (await _upload(client, SMALL)).status_code == 404
    assert await ChecklistTemplate.count() == 0
