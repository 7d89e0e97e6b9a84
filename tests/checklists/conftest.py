"""A published checklist (3 indicators in 2 articles) and an open cycle, for the
self-assessment tests."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image

from tests.files import pdf_document

CHECKLIST = """\
format: 1
title:
  en: "Test checklist"
  km: "បញ្ជីត្រួតពិនិត្យសាកល្បង"
sections:
  - code: "1"
    title: {en: "Fees", km: "ថ្លៃសេវា"}
    indicators:
      - code: "1.1"
        text: {en: "No worker pays a recruitment fee.", km: "គ្មានពលករណាម្នាក់បង់ថ្លៃសេវាជ្រើសរើសទេ។"}
        evidence_hint: {en: "Fees ledger", km: "បញ្ជីថ្លៃសេវា"}
        evidence_required: true
      - code: "1.2"
        text: {en: "Fees charged to employers are recorded.", km: "ថ្លៃសេវាដែលគិតពីនិយោជកត្រូវបានកត់ត្រា។"}
        evidence_required: false
  - code: "2"
    title: {en: "Documents", km: "ឯកសារ"}
    indicators:
      - code: "2.1"
        text: {en: "Identity documents stay with the worker.", km: "ឯកសារអត្តសញ្ញាណនៅជាមួយពលករ។"}
        evidence_required: true
"""


def jpeg_with_gps() -> bytes:
    """A small JPEG photo whose EXIF block carries a GPS position and whose comment says
    where it was taken."""
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (11.0, 33.0, 24.0)  # GPSLatitude
    out = io.BytesIO()
    Image.new("RGB", (16, 8), (200, 30, 30)).save(
        out, format="JPEG", exif=exif, comment=b"taken at the worker's home"
    )
    return out.getvalue()


PDF = pdf_document("Fees ledger 2026")


async def open_cycle_for(
    *agencies: Any, opens_in_days: int = -1, checklist: bytes = CHECKLIST.encode()
) -> Any:
    """`cycle, [assessment, ...] = await open_cycle_for(agency, ...)`: a published
    `checklist` (YAML; a small one unless given) and a cycle open today for these agencies
    (the browser tests use it too)."""
    from portal import clock
    from portal.checklists import checklist_versions, cycles
    from portal.checklists.tables import Assessment

    template = await checklist_versions.import_template(None, checklist)
    await checklist_versions.publish(None, template.id)
    today = clock.now().date()
    cycle = await cycles.open_cycle(
        None,
        cycles.NewCycle(
            title_en="COC self-assessment 2026",
            title_km="ការវាយតម្លៃខ្លួនឯង ២០២៦",
            template=template.id,
            opens_on=today + timedelta(days=opens_in_days),
            submission_deadline=today + timedelta(days=30),
            review_deadline=today + timedelta(days=60),
            participants="chosen",
            agencies=[a.id for a in agencies],
        ),
    )
    rows = await Assessment.select().where(Assessment.cycle == cycle.id).order_by(Assessment.agency)
    return cycle, rows


@pytest.fixture
def open_cycle() -> Any:
    """`cycle, [assessment, ...] = await open_cycle(agency, ...)`."""
    return open_cycle_for


async def submitted_for_review(agency: Any, chair: Any) -> tuple[int, dict[str, int]]:
    """A self-assessment of the test checklist, answered (1.2 not applicable) and
    submitted, in a cycle chaired by `chair`: (assessment id, indicator ids by code)."""
    from portal import clock
    from portal.checklists.tables import Answer, Assessment, AssessmentCycle

    cycle, [assessment] = await open_cycle_for(agency)
    codes = {code: row["id"] for code, row in (await indicators(cycle.template)).items()}
    now = clock.now()
    await Answer.insert(
        *(
            Answer(
                assessment=assessment["id"],
                indicator=codes[code],
                slot=f"{assessment['id']}:{codes[code]}",
                choice=choice,
                explanation=f"How we meet {code}",
                updated_at=now,
            )
            for code, choice in (("1.1", "met"), ("1.2", "not_applicable"), ("2.1", "partly_met"))
        )
    )
    await Assessment.update({Assessment.status: "submitted", Assessment.submitted_at: now}).where(
        Assessment.id == assessment["id"]
    )
    await AssessmentCycle.update({AssessmentCycle.chair: chair.id}).where(
        AssessmentCycle.id == cycle.id
    )
    return assessment["id"], codes


async def indicators(template_id: int) -> dict[str, dict]:
    """The template's indicators by code, with their section id."""
    from portal.checklists import checklist_versions

    structure = await checklist_versions.structure(template_id)
    return {i["code"]: i for s in structure["sections"] for i in s["indicators"]}
