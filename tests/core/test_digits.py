"""Khmer pages write numbers with Khmer digits, counts and badges included, unless the
admin chooses Latin digits on the statistics settings page."""

from __future__ import annotations

from portal.audit.tables import AuditEvent
from tests.conftest import post_form

BADGE = '<span id="alert-count" class="count">{}</span>'


async def test_khmer_pages_count_in_khmer_digits_and_english_pages_do_not(client, as_role):
    await as_role("admin")
    assert BADGE.format("០") in (await client.get("/admin/statistics?lang=km")).text
    assert BADGE.format("0") in (await client.get("/admin/statistics?lang=en")).text


async def test_the_admin_chooses_latin_digits_for_khmer_pages(client, as_role):
    await as_role("admin")
    await client.get("/?lang=km")
    saved = await post_form(client, "/admin/statistics/digits", {"digits": "latin"})
    assert saved.status_code == 303
    page = (await client.get("/admin/statistics")).text
    assert BADGE.format("0") in page
    assert '<option value="latin" selected>' in page
    events = await AuditEvent.select().where(AuditEvent.action == "display.digits_changed")
    assert [e["object_id"] for e in events] == ["digits"] and events[0]["summary"] == "latin"

    await post_form(client, "/admin/statistics/digits", {"digits": "khmer"})
    assert BADGE.format("០") in (await client.get("/admin/statistics")).text


async def test_a_choice_not_offered_is_refused_beside_the_field(client, as_role):
    await as_role("admin")
    refused = await post_form(client, "/admin/statistics/digits", {"digits": "roman"})
    assert refused.status_code == 400
    assert 'id="e-digits"' in refused.text and "Not a valid choice" in refused.text


async def test_only_admins_choose_the_digits(client, as_role):
    await as_role("officer")
    refused = await post_form(client, "/admin/statistics/digits", {"digits": "latin"})
    assert refused.status_code == 404


def test_numbers_filled_into_khmer_sentences_are_khmer_digits():
    from portal import i18n
    from portal.templating import build_environment

    page = build_environment().from_string(
        '{{ _("%(total)s of %(max)s points", total=total, max=100) }}|'
        '{{ ngettext("%(num)d worker", "%(num)d workers", n) }}|{{ n | number }}'
    )
    try:
        i18n.current_language.set("km")
        assert page.render(total=12, n=3) == "១២ ក្នុងចំណោម ១០០ ពិន្ទុ|ពលករ ៣ នាក់|៣"
        i18n.current_language.set("en")
        assert page.render(total=12, n=3) == "12 of 100 points|3 workers|3"
    finally:
        i18n.current_language.set("en")
