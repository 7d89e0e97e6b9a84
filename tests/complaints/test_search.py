"""Searching the cases: words of the description, messages, notes and names (a Khmer
word inside a sentence, English by any word, in any case), any part of a reference, a
phone number however it is written, within the queue's filters; never a sensitive case
by its words for an officer who may not open it."""

from __future__ import annotations

import re
from datetime import timedelta

from portal import clock, db
from portal.complaints import queue, search, services
from portal.complaints.bulk_demo import bulk_complaints
from portal.complaints.tables import Audience, CaseEvent, Complaint, ComplaintWorker
from tests.complaints.test_intake import file_one
from tests.conftest import post_form, sign_in

REFERENCE = re.compile(r'<a href="/cases/\d+">(C\d\d-[0-9A-Z]+)</a>')
KHMER_STORY = "ភ្នាក់ងារបានយកលិខិតឆ្លងដែនរបស់ខ្ញុំ ហើយមិនព្រមប្រគល់ឱ្យខ្ញុំវិញទេ។"


async def found(client, q: str, after: str = "", **filters: str) -> tuple[list[str], str]:
    """The references a search shows, and where its next page starts ("" on the last)."""
    page = await post_form(client, "/cases/search", {"q": q, "after": after, **filters})
    assert page.status_code == 200, page.text
    more = re.search(r'name="after" value="(\d+)"', page.text)
    return REFERENCE.findall(page.text), more.group(1) if more else ""


async def refs(client, q: str, **filters: str) -> list[str]:
    return (await found(client, q, **filters))[0]


async def test_words_are_found_in_the_description_messages_notes_and_names(
    client, make_user, make_complaint
):
    officer = await make_user("officer")
    fees = await make_complaint(
        description="The agency took 2,000 dollars for the medical check and training."
    )
    khmer = await make_complaint(description=KHMER_STORY, complainant_name="សុខ ចាន់ធី")
    messages = await make_complaint(description="x")
    now = clock.now()
    await services.add_event(messages.id, "message", Audience.complainant, now, officer,
                             "Please send a photo of the contract you signed in Malaysia.")  # fmt: skip
    noted = await make_complaint(description="x")
    await services.add_event(noted.id, "note", Audience.internal, now, officer,
                             "Broker known to the police in Battambang.")  # fmt: skip
    group = await make_complaint(description="x", broker_name="Mr Rithy's village broker")
    await ComplaintWorker.insert(
        ComplaintWorker(complaint=group.id, name="Keo Sreymom", sex="woman", age_band="25_34",
                        disability="no")
    )  # fmt: skip
    await sign_in(client, officer)

    assert await refs(client, "medical") == [fees.reference]
    assert await refs(client, "MEDICAL Training") == [fees.reference]  # every word, any case
    assert await refs(client, "medical Malaysia") == []  # not both in one case
    assert await refs(client, "contract") == [messages.reference]
    assert await refs(client, "battambang police") == [noted.reference]
    assert await refs(client, "sreymom") == [group.reference]  # a worker's name
    assert await refs(client, "Rithy") == [group.reference]  # the broker's
    # A Khmer word inside a sentence written without spaces, and a name.
    assert await refs(client, "លិខិតឆ្លងដែន") == [khmer.reference]  # "passport"
    assert await refs(client, "ប្រគល់") == [khmer.reference]
    assert await refs(client, "ចាន់ធី") == [khmer.reference]
    assert await refs(client, "លិខិត\u200bឆ្លងដែន") == [khmer.reference]  # a zero-width space
    assert await refs(client, "ធ្វើការ") == []


async def test_what_changes_on_a_case_changes_what_finds_it(client, make_user, make_complaint):
    """The index follows every change: a case no longer says it, nothing finds it (what
    anonymisation relies on)."""
    officer = await make_user("officer")
    case = await make_complaint(description="They kept my passport.", complainant_name="Sok Dara")
    await sign_in(client, officer)
    assert await refs(client, "passport") == [case.reference]
    await Complaint.update({Complaint.description: "", Complaint.complainant_name: ""}).where(
        Complaint.id == case.id
    )
    assert await refs(client, "passport") == [] and await refs(client, "Dara") == []
    await services.add_event(
        case.id, "note", Audience.internal, clock.now(), officer, "fishing boat"
    )
    assert await refs(client, "boat") == [case.reference]
    await CaseEvent.delete().where(CaseEvent.complaint == case.id)
    assert await refs(client, "boat") == []
    await Complaint.delete().where(Complaint.id == case.id)
    # Nothing of a deleted case stays in the index.
    assert (await db.select("SELECT COUNT(*) AS n FROM complaint_search"))[0]["n"] == 0


async def test_any_part_of_a_reference_finds_the_case(client, make_user, make_complaint):
    officer = await make_user("officer")
    case = await make_complaint(reference="C26-7K3M9Q2B", status="closed")
    other = await make_complaint(reference="C26-ABCDEFGH")
    await sign_in(client, officer)
    assert await refs(client, "C26-7K3M9Q2B") == [case.reference]  # closed ones too
    assert await refs(client, "c26-7k3m9q2b") == [case.reference]
    assert await refs(client, "7K3M") == [case.reference]
    assert await refs(client, "m9q2b") == [case.reference]
    assert await refs(client, "C26-7K3") == [case.reference]
    assert await refs(client, "C26") == [other.reference, case.reference]  # newest first


async def test_a_phone_number_however_it_is_written(client, make_user, make_complaint):
    officer = await make_user("officer")
    case = await make_complaint(phone="012 345 678")
    await make_complaint(phone="+855 97 111 2222")
    await sign_in(client, officer)
    for typed in ("012 345 678", "012345678", "+855 12 345 678", "(855) 12-345-678",
                  "០១២ ៣៤៥ ៦៧៨", "345 678", "012 345", "+85512"):  # fmt: skip
        assert await refs(client, typed) == [case.reference], typed
    assert await refs(client, "012 999 999") == []
    other = await make_complaint(phone="097 12 345 678")  # the first one's digits after 855
    assert await refs(client, "012 345 678") == [case.reference]
    assert await refs(client, "345 678") == [other.reference, case.reference]


async def test_search_stays_within_the_filters(client, make_user, make_complaint):
    officer, other = await make_user("officer"), await make_user("officer")
    now = clock.now()
    old = await make_complaint(description="Unpaid wages", channel="hotline",
                               now=now - timedelta(days=40), assigned_officer=other.id)  # fmt: skip
    new = await make_complaint(description="Unpaid wages", channel="web")
    closed = await make_complaint(description="Unpaid wages", status="closed")
    await sign_in(client, officer)
    everything = [closed.reference, new.reference, old.reference]
    assert await refs(client, "wages") == everything
    assert await refs(client, "wages", status="closed") == [closed.reference]
    assert await refs(client, "wages", channel="hotline") == [old.reference]
    assert await refs(client, "wages", officer=str(other.id)) == [old.reference]
    assert await refs(client, "wages", unassigned="1") == [closed.reference, new.reference]
    day = (now - timedelta(days=40)).astimezone(queue.PHNOM_PENH).date()
    assert await refs(client, "wages", received_to=day.isoformat()) == [old.reference]
    since = (day + timedelta(days=1)).isoformat()
    assert await refs(client, "wages", received_from=since) == [closed.reference, new.reference]
    # The results page keeps the filters for the next search and the next page.
    page = await post_form(client, "/cases/search", {"q": "wages", "channel": "hotline"})
    assert page.text.count('<input type="hidden" name="channel" value="hotline">') >= 1


async def test_words_never_find_a_sensitive_case_the_officer_may_not_open(
    client, client_at, make_user, make_complaint
):
    officer, assigned = await make_user("officer"), await make_user("officer")
    case = await make_complaint(description="Forced to work on a boat.", phone="012 345 678",
                                is_sensitive=True, assigned_officer=assigned.id)  # fmt: skip
    await sign_in(client, officer)
    assert await refs(client, "boat") == []
    assert await refs(client, "012 345 678") == []
    # Its reference, which tells nothing, finds it, with its details hidden.
    page = await post_form(client, "/cases/search", {"q": case.reference[4:]})
    assert REFERENCE.findall(page.text) == [case.reference]
    assert "Details shown only to the assigned officer" in page.text
    theirs = await client_at("198.51.100.9")
    await sign_in(theirs, assigned)
    assert await refs(theirs, "boat") == [case.reference]


async def test_results_come_newest_first_a_page_at_a_time(client, make_user, make_complaint):
    officer = await make_user("officer")
    made = [(await make_complaint(complainant_name=f"Sokha {n:03d}")).reference
            for n in range(queue.PAGE_SIZE + 3)]  # fmt: skip
    await sign_in(client, officer)
    first, after = await found(client, "sokha")
    assert first == made[::-1][: queue.PAGE_SIZE] and after.isdigit()
    second, after = await found(client, "sokha", after)
    assert second == made[::-1][queue.PAGE_SIZE :] and after == ""


async def test_too_short_a_search_says_what_to_type(client, make_user, make_complaint):
    officer = await make_user("officer")
    await make_complaint(description="ok")
    passport = await make_complaint(description="They kept my passport.")
    await sign_in(client, officer)
    page = await post_form(client, "/cases/search", {"q": "ok"})
    assert "Type a word of three letters or more" in page.text
    assert REFERENCE.findall(page.text) == []
    # Short words beside a longer one are left out, not refused.
    assert await refs(client, "my passport") == [passport.reference]
    empty = await post_form(client, "/cases/search", {"q": " "})
    assert empty.status_code == 303 and empty.headers["location"] == "/cases"


async def test_agency_suggestions_find_any_word_of_either_name_or_part_of_the_licence(
    client, make_agency
):
    mekong = await make_agency(
        name_en="Mekong Overseas Manpower Co., Ltd.",
        name_km="ក្រុមហ៊ុនមេគង្គធនធានមនុស្ស",
        licence_number="MLVT-0102-2019",
    )
    await make_agency(name_en="Angkor Jobs", name_km="អង្គរការងារ", licence_number="MLVT-0777")

    async def suggested(q: str) -> list[str]:
        page = await client.get("/complaints/agencies", params={"q": q})
        return re.findall(r'name="agency_id" value="(\d+)"', page.text)

    for typed in ("មេគង្គ", "Overseas", "overseas manpower", "0102", "mlvt-0102", "Mekong Ltd"):
        assert await suggested(typed) == [str(mekong.id)], typed
    assert len(await suggested("MLVT")) == 2
    assert await suggested("Overseas Angkor") == []


async def test_filters_that_keep_few_of_many_matches_go_on_page_by_page(
    client, make_user, make_complaint, monkeypatch
):
    """A page looks through a bounded number of matches (fast at any size); when the
    filters keep none of them, the next page goes on from there until the last."""
    monkeypatch.setattr(search, "WINDOWS", (2, 3))
    officer = await make_user("officer")
    wanted = await make_complaint(description="Unpaid wages", channel="hotline")
    for _ in range(8):
        await make_complaint(description="Unpaid wages", channel="web")
    await sign_in(client, officer)
    first = await post_form(client, "/cases/search", {"q": "wages", "channel": "hotline"})
    assert REFERENCE.findall(first.text) == [] and "None among the newest matches" in first.text
    after = re.search(r'name="after" value="(\d+)"', first.text).group(1)
    assert await found(client, "wages", after, channel="hotline") == ([wanted.reference], "")


async def test_complaints_stored_before_the_search_are_found_after_migrating(
    client, make_user, make_complaint
):
    """The migration fills the phone's search form and the index for the complaints
    already stored (here: undone, then done again)."""
    import importlib

    migration = importlib.import_module(
        "migrations.complaints.complaints_2026_12_03t20_52_14_032467"
    )
    officer = await make_user("officer")
    case = await make_complaint(description="Élise kept my passport.", phone="012 345 678")
    await Complaint.update({Complaint.phone_key: ""}).where(Complaint.id == case.id)
    manager = await migration.forwards()
    for step in manager.raw_backwards:
        await step()
    for step in manager.raw:
        await step()
    later = importlib.import_module("migrations.complaints.complaints_2026_12_04t01_10_00_000000")
    for step in (await later.forwards()).raw:  # the words lower-cased (PostgreSQL)
        await step()

    assert (await Complaint.objects().get(Complaint.id == case.id)).phone_key == "+85512345678"
    await sign_in(client, officer)
    assert await refs(client, "+855 12 345 678") == [case.reference]
    assert await refs(client, "ÉLISE passport") == [case.reference]
    assert await refs(client, "élise") == [case.reference]


async def test_a_number_that_cannot_be_dialled_is_found_by_its_digits(
    client, make_user, make_complaint
):
    officer = await make_user("officer")
    case = await make_complaint(phone="045 12 34")  # too short for a Cambodian number
    await sign_in(client, officer)
    assert await refs(client, "045 12 34") == [case.reference]
    assert await refs(client, "1234") == [case.reference]


async def test_after_a_bulk_demo_load_its_cases_and_new_ones_are_found(
    client, make_agency, make_user
):
    """The generated demo load fills the index in one go, not through the triggers; they
    are back after it: a complaint filed then is found by its words and its worker's name."""
    agency = await make_agency()
    officer = await make_user("officer")
    await bulk_complaints(40)
    loaded = await Complaint.select(Complaint.reference, Complaint.complainant_name).where(
        Complaint.is_sensitive.eq(False)
    )
    reference, _ = await file_one(
        client, agency, description="The broker kept my seafarer's book and my wages."
    )
    await sign_in(client, officer)

    assert await refs(client, "seafarer") == [reference]
    assert await refs(client, "Vannak seafarer") == [reference]  # the worker's name too
    for case in loaded[:: len(loaded) // 5]:
        assert case["reference"] in await refs(client, case["complainant_name"])
        assert await refs(client, case["reference"][4:]) == [case["reference"]]
    indexed = await db.select("SELECT COUNT(*) AS n FROM complaint_search")
    assert indexed[0]["n"] == await Complaint.count() == 41
