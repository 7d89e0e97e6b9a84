"""The admin's deadline policy and holiday pages."""

from __future__ import annotations

import re

from portal.deadlines import Stage
from tests.conftest import post_form


def _value(html: str, name: str) -> str:
    """The value an input of the page shows."""
    match = re.search(rf'name="{name}"[^>]*?value="([^"]*)"', html, re.S)
    assert match, name
    return match.group(1)


def _policy_form(**changes: str) -> dict[str, str]:
    form = {}
    for stage in Stage:
        form |= {f"{stage}_amount": "5", f"{stage}_unit": "working_days", f"{stage}_grace": "24"}
    return form | changes


async def test_the_policy_page_shows_the_legal_defaults(client, as_role):
    await as_role("admin")
    page = await client.get("/admin/deadlines")
    assert page.status_code == 200
    assert _value(page.text, "acknowledge_amount") == "48"
    assert '<option value="hours" selected>' in page.text
    assert _value(page.text, "agency_response_amount") == "5"
    assert _value(page.text, "resolution_amount") == "10"


async def test_a_bad_policy_comes_back_filled_in_and_saves_nothing(client, as_role):
    await as_role("admin")
    form = _policy_form(acknowledge_amount="0", resolution_amount="twelve")
    response = await post_form(client, "/admin/deadlines", form)
    assert response.status_code == 400
    assert "Enter a whole number from 1 to" in response.text
    assert _value(response.text, "resolution_amount") == "twelve"
    page = await client.get("/admin/deadlines")
    assert _value(page.text, "acknowledge_amount") == "48"


async def test_the_policy_page_is_in_khmer_for_a_khmer_reader(client, as_role):
    await as_role("admin")
    page = await client.get("/admin/deadlines?lang=km")
    assert page.status_code == 200 and 'lang="km"' in page.text
    assert "Deadline policies" not in page.text


async def test_the_holiday_page_lists_khmer_new_year_and_admin_changes(client, as_role):
    await as_role("admin")
    page = await client.get("/admin/holidays?year=2026")
    assert "Khmer New Year" in page.text and "2026-04-14" in page.text
    response = await post_form(
        client, "/admin/holidays", {"day": "2026-08-03", "name": "Flood day"}
    )
    assert response.status_code == 303
    response = await post_form(client, "/admin/holidays/2026-04-15/remove")
    assert response.status_code == 303
    page = await client.get("/admin/holidays?year=2026")
    assert "Flood day" in page.text
    assert "/admin/holidays/2026-04-15/restore" in page.text


async def test_a_holiday_without_a_name_or_date_is_refused_beside_the_field(client, as_role):
    await as_role("admin")
    response = await post_form(client, "/admin/holidays", {"day": "", "name": "Flood"})
    assert response.status_code == 400
    assert "Enter a date." in response.text and 'value="Flood"' in response.text
    response = await post_form(client, "/admin/holidays", {"day": "2026-04-14", "name": "Again"})
    assert "already a holiday" in response.text


async def test_only_admins_reach_the_deadline_pages(client, as_role):
    await as_role("officer")
    assert (await client.get("/admin/deadlines")).status_code == 404
    assert (await client.get("/admin/holidays")).status_code == 404


async def test_another_process_picks_up_a_policy_edit_once_its_cached_rules_expire():
    """An edit drops the cache only in the process that made it; the others (more web
    workers, the scheduler) read the rules again when their copy is RULES_TTL old."""
    from portal import clock
    from portal.deadlines import Duration, Unit, services
    from portal.deadlines.tables import DeadlinePolicy

    before = (await services.current_rules()).policy[Stage.ACKNOWLEDGE]
    # The edit as another process makes it: straight to the table, this cache untouched.
    await DeadlinePolicy.insert(
        DeadlinePolicy(stage=Stage.ACKNOWLEDGE, amount=24, unit=Unit.HOURS, updated_at=clock.now())
    )
    assert (await services.current_rules()).policy[Stage.ACKNOWLEDGE] == before
    read_at, rules = services._cache
    services._cache = (read_at - services.RULES_TTL, rules)  # as if RULES_TTL had passed
    assert (await services.current_rules()).policy[Stage.ACKNOWLEDGE] == Duration(24, Unit.HOURS)


async def test_a_khmer_reader_reads_each_error_in_khmer_beside_its_field(client, as_role):
    await as_role("admin")
    await client.get("/admin/holidays?lang=km")  # the choice is remembered
    response = await post_form(client, "/admin/holidays", {"day": "", "name": "ទឹកជំនន់"})
    assert response.status_code == 400
    assert 'id="e-day">សូមបញ្ចូលកាលបរិច្ឆេទ។<' in response.text
    assert 'value="ទឹកជំនន់"' in response.text
    form = _policy_form(acknowledge_amount="0", acknowledge_unit="hours")
    response = await post_form(client, "/admin/deadlines", form)
    assert response.status_code == 400
    # WTForms fills in the limit of the unit chosen, in the Khmer sentence.
    assert "2160" in response.text and "Enter a whole number" not in response.text
