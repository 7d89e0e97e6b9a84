"""Files attached to a complaint form that comes back (an answer to put right, "Add another
worker" without JavaScript) are held on the server for that form: listed on it with a way
to remove them, filed with the complaint, never asked for again; a draft nobody sends is
swept a day later."""

from __future__ import annotations

import os
import re
import time

from portal import upload_drafts, uploads
from portal.complaints.tables import CaseFile
from tests.checklists.conftest import PDF
from tests.complaints.test_intake import complaint_fields, form_token, post_complaint
from tests.conftest import csrf_token, sign_in

REMOVE = re.compile(r'name="action" value="(remove_file:[0-9a-f]+)"')


def contract(name: str = "contract.pdf") -> list:
    return [("attachments", (name, PDF, "application/pdf"))]


async def test_a_form_with_an_error_keeps_its_file_and_files_it_without_asking_again(
    client, make_agency
):
    agency = await make_agency()
    fields = complaint_fields(await form_token(client), agency.licence_number, description="")
    again = await post_complaint(client, fields, files=contract())
    assert again.status_code == 400
    assert "contract.pdf" in again.text and "Already attached" in again.text

    # Put right and sent with no file chosen this time: the held file goes with it.
    fields["description"] = "They kept my passport."
    receipt = await post_complaint(client, fields)
    assert receipt.status_code == 200 and "receipt-code" in receipt.text
    assert [f["filename"] for f in await CaseFile.select(CaseFile.filename)] == ["contract.pdf"]
    assert not upload_drafts.held(fields["form_token"])  # the draft is gone once filed


async def test_a_held_file_can_be_removed_before_sending(client, make_agency):
    agency = await make_agency()
    fields = complaint_fields(await form_token(client), agency.licence_number, description="")
    again = await post_complaint(client, fields, files=contract("wrong file.pdf"))
    removed = await post_complaint(client, {**fields, "action": REMOVE.search(again.text).group(1)})
    assert removed.status_code == 200 and "wrong file.pdf" not in removed.text

    fields["description"] = "They kept my passport."
    assert (await post_complaint(client, fields)).status_code == 200
    assert await CaseFile.count() == 0


async def test_add_another_worker_without_javascript_keeps_the_files(client, make_agency):
    agency = await make_agency()
    fields = complaint_fields(await form_token(client), agency.licence_number)
    more = await post_complaint(client, {**fields, "action": "add_worker"}, files=contract())
    assert more.status_code == 200
    assert 'id="f-worker-1-name"' in more.text and "contract.pdf" in more.text

    receipt = await post_complaint(client, fields)
    assert receipt.status_code == 200
    assert await CaseFile.count() == 1


async def test_held_and_new_files_together_stay_within_the_limit(client, make_agency):
    agency = await make_agency()
    fields = complaint_fields(await form_token(client), agency.licence_number, description="")
    await post_complaint(client, fields, files=contract() * 3)
    over = await post_complaint(client, fields, files=contract() * 3)
    assert over.status_code == 400
    assert "at most 5 files" in over.text
    assert over.text.count("contract.pdf (") == 3  # the three held, none of the refused batch


async def test_a_draft_never_sent_is_swept_after_a_day(client, make_agency):
    agency = await make_agency()
    fields = complaint_fields(await form_token(client), agency.licence_number, description="")
    before = set(uploads.drafts_dir().iterdir()) if uploads.drafts_dir().exists() else set()
    await post_complaint(client, fields, files=contract())
    [draft] = set(uploads.drafts_dir().iterdir()) - before
    await uploads.sweep()
    assert draft.exists()  # a form being put right keeps its files

    day_ago = time.time() - uploads.ORPHAN_AGE.total_seconds() - 60
    for path in draft.iterdir():
        os.utime(path, (day_ago, day_ago))
    await uploads.sweep()
    assert not draft.exists()
    again = await post_complaint(client, {**fields, "_csrf_token": await csrf_token(client)})
    assert "contract.pdf" not in again.text


async def test_a_partners_form_keeps_its_files_too(client, make_agency, make_user):
    agency = await make_agency()
    await sign_in(client, await make_user("partner"))
    token = await form_token(client, "/partner/complaints/new")
    fields = complaint_fields(token, agency.licence_number, channel="")
    again = await post_complaint(client, fields, files=contract(), url="/partner/complaints/new")
    assert again.status_code == 400 and "contract.pdf" in again.text

    fields["channel"] = "hotline"
    receipt = await post_complaint(client, fields, url="/partner/complaints/new")
    assert receipt.status_code == 200
    assert await CaseFile.count() == 1
