"""Language choice: ?lang= switches and is remembered; <html lang> follows; the switch
links keep the rest of the address."""

from __future__ import annotations

from portal.i18n import catalog


async def test_lang_parameter_switches_and_the_choice_is_remembered(client):
    skip_link = {"en": "Skip to main content", "km": catalog("km").gettext("Skip to main content")}
    assert skip_link["km"] != skip_link["en"]
    page = await client.get("/login?lang=km")
    assert '<html lang="km">' in page.text and skip_link["km"] in page.text
    assert "portal_lang=km" in page.headers["set-cookie"]
    page = await client.get("/login")
    assert '<html lang="km">' in page.text and skip_link["km"] in page.text
    page = await client.get("/login?lang=en")
    assert '<html lang="en">' in page.text and skip_link["en"] in page.text
    page = await client.get("/")
    assert '<html lang="en">' in page.text and skip_link["en"] in page.text
    page = await client.get("/?lang=km")
    assert skip_link["km"] in page.text and skip_link["en"] not in page.text


async def test_browser_language_is_used_on_a_first_visit(client):
    page = await client.get("/", headers={"accept-language": "km-KH,km;q=0.9,en;q=0.5"})
    assert '<html lang="km">' in page.text


async def test_unknown_language_falls_back_to_english(client):
    assert '<html lang="en">' in (await client.get("/?lang=xx")).text


async def test_language_links_keep_the_page_and_its_parameters(client):
    page = await client.get("/login?next=%2Fadmin%2Fusers&lang=en")
    assert 'href="/login?next=%2Fadmin%2Fusers&amp;lang=km"' in page.text
