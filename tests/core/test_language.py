"""Language choice: ?lang= switches and is remembered; <html lang> follows; the switch
links keep the rest of the address."""

from __future__ import annotations


async def test_lang_parameter_switches_and_the_choice_is_remembered(client):
    page = await client.get("/login?lang=km")
    assert '<html lang="km">' in page.text
    assert "portal_lang=km" in page.headers["set-cookie"]
    page = await client.get("/login")
    assert '<html lang="km">' in page.text
    page = await client.get("/login?lang=en")
    assert '<html lang="en">' in page.text
    assert '<html lang="en">' in (await client.get("/")).text


async def test_browser_language_is_used_on_a_first_visit(client):
    page = await client.get("/", headers={"accept-language": "km-KH,km;q=0.9,en;q=0.5"})
    assert '<html lang="km">' in page.text


async def test_unknown_language_falls_back_to_english(client):
    assert '<html lang="en">' in (await client.get("/?lang=xx")).text


async def test_language_links_keep_the_page_and_its_parameters(client):
    page = await client.get("/login?next=%2Fadmin%2Fusers&lang=en")
    assert 'href="/login?next=%2Fadmin%2Fusers&amp;lang=km"' in page.text
