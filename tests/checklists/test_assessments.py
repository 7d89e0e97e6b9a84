"""An agency fills its self-assessment: answers saved as they go (with and without htmx),
evidence files, the completeness check, submission and the lock that follows."""

from __future__ import annotations

import io

from PIL import Image

from portal import uploads
from portal.checklists.tables import Answer, Assessment, Evidence
from tests.checklists.conftest import PDF, indicators, jpeg_with_gps
from tests.conftest import csrf_token, post_form


async def _setup(open_cycle, as_role, make_agency):
    agency = await make_agency()
    cycle, [assessment] = await open_cycle(agency)
    user = await as_role("agency", agency=agency.id)
    by_code = await indicators(cycle.template)
    return user, assessment, by_code


def _files_on_disk() -> list:
    root = uploads.files_dir()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_the_save_button_keeps_every_answer_of_the_article(
    client, open_cycle, as_role, make_agency
):
    _, assessment, by_code = await _setup(open_cycle, as_role, make_agency)
    i11, i12 = by_code["1.1"], by_code["1.2"]
    page = f"/assessments/{assessment['id']}/sections/{i11['section']}"
    response = await post_form(
        client,
        page,
        {
            f"answer-{i11['id']}": "met",
            f"explanation-{i11['id']}": "We charge workers nothing; the employer pays.",
            f"answer-{i12['id']}": "partly_met",
            f"explanation-{i12['id']}": "",
            "then": "stay",
        },
        files={f"evidence-{i11['id']}": ("fees ledger.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 303
    assert response.headers["location"] == page
    again = await client.get(page)
    assert "We charge workers nothing; the employer pays." in again.text
    assert f'name="answer-{i12["id"]}" value="partly_met" checked' in again.text
    assert "fees ledger.pdf" in again.text
    # 1.1 has its evidence, 1.2 needs none: two of three indicators are complete.
    assert 'value="2"' in again.text and "2 of 3 indicators" in again.text


async def test_a_refused_file_saves_nothing_and_keeps_what_was_typed(
    client, open_cycle, as_role, make_agency
):
    _, assessment, by_code = await _setup(open_cycle, as_role, make_agency)
    i11 = by_code["1.1"]
    files_before = _files_on_disk()
    response = await post_form(
        client,
        f"/assessments/{assessment['id']}/sections/{i11['section']}",
        {f"answer-{i11['id']}": "met", f"explanation-{i11['id']}": "Typed with care"},
        files={
            f"evidence-{i11['id']}": ("policy.pdf", b"<html><script>x</script>", "application/pdf")
        },
    )
    assert response.status_code == 400
    assert "policy.pdf is not a PDF, JPEG or PNG file." in response.text
    assert "Typed with care" in response.text
    assert f'name="answer-{i11["id"]}" value="met" checked' in response.text
    assert await Answer.count() == 0
    assert await Evidence.count() == 0
    assert _files_on_disk() == files_before


async def test_htmx_saves_one_indicator_and_answers_with_a_fragment(
    client, open_cycle, as_role, make_agency
):
    _, assessment, by_code = await _setup(open_cycle, as_role, make_agency)
    i12 = by_code["1.2"]
    response = await client.post(
        f"/assessments/{assessment['id']}/indicators/{i12['id']}",
        data={f"answer-{i12['id']}": "not_met", f"explanation-{i12['id']}": "Not yet"},
        headers={"hx-request": "true", "x-csrftoken": await csrf_token(client)},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Saved" in response.text and 'id="progress"' in response.text
    answer = await Answer.objects().first()
    assert (answer.choice, answer.explanation) == ("not_met", "Not yet")


async def test_evidence_images_lose_their_gps_and_are_stored_under_server_names(
    client, open_cycle, as_role, make_agency, settings
):
    _, assessment, by_code = await _setup(open_cycle, as_role, make_agency)
    i21 = by_code["2.1"]
    photo = jpeg_with_gps()
    files_before = set(_files_on_disk())
    response = await post_form(
        client,
        f"/assessments/{assessment['id']}/sections/{i21['section']}",
        {f"answer-{i21['id']}": "met"},
        files={f"evidence-{i21['id']}": ("../../etc/passwd photo.jpg", photo, "image/jpeg")},
    )
    assert response.status_code == 303
    evidence = await Evidence.objects().first()
    assert evidence.filename == "passwd photo.jpg"
    [stored] = set(_files_on_disk()) - files_before
    assert stored.name == evidence.stored_name and stored.name != evidence.filename
    assert settings.data_dir in stored.parents
    content = stored.read_bytes()
    assert b"worker's home" not in content
    with Image.open(io.BytesIO(content)) as picture:  # the picture itself is kept
        assert not picture.getexif() and picture.size == (16, 8)
    download = await client.get(f"/assessments/{assessment['id']}/evidence/{evidence.id}")
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["content-type"] == "image/jpeg"


async def test_a_file_whose_content_lies_about_its_name_is_refused(
    client, open_cycle, as_role, make_agency
):
    _, assessment, by_code = await _setup(open_cycle, as_role, make_agency)
    i21 = by_code["2.1"]
    files_before = _files_on_disk()
    response = await post_form(
        client,
        f"/assessments/{assessment['id']}/sections/{i21['section']}",
        {f"answer-{i21['id']}": "met"},
        files={f"evidence-{i21['id']}": ("contract.pdf", jpeg_with_gps(), "application/pdf")},
    )
    assert response.status_code == 400
    assert "The content of contract.pdf does not match its name." in response.text
    assert await Evidence.count() == 0 and _files_on_disk() == files_before


async def test_submitting_lists_what_is_missing_then_locks_the_answers(
    client, open_cycle, as_role, make_agency
):
    _, assessment, by_code = await _setup(open_cycle, as_role, make_agency)
    base = f"/assessments/{assessment['id']}"
    i11, i12, i21 = by_code["1.1"], by_code["1.2"], by_code["2.1"]
    await post_form(
        client,
        f"{base}/sections/{i11['section']}",
        {f"answer-{i11['id']}": "met", f"answer-{i12['id']}": "not_applicable"},
    )
    refused = await post_form(client, f"{base}/submit")
    assert refused.status_code == 400
    assert "3 indicators are not complete yet" in refused.text
    assert f"{base}/sections/{i11['section']}#indicator-{i11['id']}" in refused.text
    assert "Evidence is required: attach at least one file" in refused.text
    assert "Explain why this indicator does not apply" in refused.text
    assert f"#indicator-{i21['id']}" in refused.text and "Not answered yet" in refused.text
    assert (await Assessment.objects().first()).status == "in_progress"

    await post_form(
        client,
        f"{base}/sections/{i11['section']}",
        {
            f"answer-{i11['id']}": "met",
            f"answer-{i12['id']}": "not_applicable",
            f"explanation-{i12['id']}": "No employer fees",
        },
        files={f"evidence-{i11['id']}": ("ledger.pdf", PDF, "application/pdf")},
    )
    await post_form(
        client,
        f"{base}/sections/{i21['section']}",
        {f"answer-{i21['id']}": "met"},
        files={f"evidence-{i21['id']}": ("register.pdf", PDF, "application/pdf")},
    )
    submitted = await post_form(client, f"{base}/submit")
    assert submitted.status_code == 303, submitted.text
    row = await Assessment.objects().first()
    assert row.status == "submitted" and row.submitted_at is not None

    # Read-only from now on: the page has no inputs and forged POSTs change nothing.
    page = await client.get(f"{base}/sections/{i11['section']}")
    assert "can no longer be changed" in page.text or "no longer changed" in page.text
    assert f'name="answer-{i11["id"]}"' not in page.text
    evidence = await Evidence.objects().where(Evidence.indicator == i11["id"]).first()
    forged = [
        await post_form(
            client, f"{base}/sections/{i11['section']}", {f"answer-{i11['id']}": "not_met"}
        ),
        await client.post(
            f"{base}/indicators/{i11['id']}",
            data={f"answer-{i11['id']}": "not_met"},
            headers={"hx-request": "true", "x-csrftoken": await csrf_token(client)},
        ),
        await post_form(client, f"{base}/evidence/{evidence.id}/delete"),
        await post_form(client, f"{base}/submit"),
    ]
    assert [r.status_code for r in forged] == [409, 409, 409, 409]
    answer = await Answer.objects().where(Answer.indicator == i11["id"]).first()
    assert answer.choice == "met"
    assert await Evidence.count() == 2


async def test_before_the_cycle_opens_nothing_can_be_saved(
    client, open_cycle, as_role, make_agency
):
    agency = await make_agency()
    cycle, [assessment] = await open_cycle(agency, opens_in_days=3)
    await as_role("agency", agency=agency.id)
    i11 = (await indicators(cycle.template))["1.1"]
    overview = await client.get(f"/assessments/{assessment['id']}")
    assert "This cycle opens on" in overview.text
    response = await post_form(
        client,
        f"/assessments/{assessment['id']}/sections/{i11['section']}",
        {f"answer-{i11['id']}": "met"},
    )
    assert response.status_code == 409
    assert await Answer.count() == 0
