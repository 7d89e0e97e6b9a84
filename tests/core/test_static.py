"""Static files: pages name them at addresses that carry their content's hash; those are
kept by browsers for good, revalidated with a 304, and sent compressed when the browser
takes it; an address from another version finds nothing."""

from __future__ import annotations

import gzip
import re

import brotli

from portal.static import STATIC_DIR, static_url, version

STATIC_REFERENCE = re.compile(r'(?:href|src)="(/static/[^"]+)"')
CSS = static_url("css/portal.css")


async def test_pages_name_every_static_file_by_its_hashed_address(client):
    page = await client.get("/complaints/new")
    references = STATIC_REFERENCE.findall(page.text)
    assert set(references) == {
        f"/static/{version()}/css/portal.css",
        f"/static/{version()}/fonts/noto-sans-khmer-word.woff2",
        f"/static/{version()}/favicon.svg",
        f"/static/{version()}/vendor/htmx-2.0.8.min.js",
    }
    for url in references:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert response.content == (STATIC_DIR / url.split("/", 3)[3]).read_bytes()


async def test_the_css_finds_its_fonts_in_the_same_version(client):
    css = (await client.get(CSS)).text
    fonts = re.findall(r"url\(([^)]+)\)", css)
    assert fonts
    for font in fonts:
        # Relative to the stylesheet, as the browser resolves it.
        response = await client.get(f"/static/{version()}/css/{font}")
        assert response.status_code == 200, font
        assert response.headers["content-type"] == "font/woff2"


async def test_a_static_file_is_kept_for_a_year_and_keeps_the_security_headers(client):
    response = await client.get(CSS)
    assert response.status_code == 200
    cache_control = [part.strip() for part in response.headers["cache-control"].split(",")]
    assert "public" in cache_control and "immutable" in cache_control
    max_age = next(int(part.split("=")[1]) for part in cache_control if part.startswith("max-age="))
    assert max_age >= 365 * 24 * 3600
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_asking_again_with_the_etag_or_the_date_answers_304_without_a_body(client):
    first = await client.get(CSS)
    again = await client.get(CSS, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert "immutable" in again.headers["cache-control"]
    since = await client.get(CSS, headers={"if-modified-since": first.headers["last-modified"]})
    assert since.status_code == 304
    changed = await client.get(CSS, headers={"if-none-match": '"something-else"'})
    assert changed.status_code == 200 and changed.content == first.content


async def test_a_browser_that_takes_gzip_or_brotli_gets_the_smaller_file(client):
    original = (STATIC_DIR / "css" / "portal.css").read_bytes()
    # httpx would decode the body itself: take the bytes as they came.
    async with client.stream("GET", CSS, headers={"accept-encoding": "gzip"}) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert len(body) < len(original) / 2 and gzip.decompress(body) == original

    async with client.stream("GET", CSS, headers={"accept-encoding": "br, gzip"}) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.headers["content-encoding"] == "br"
    assert brotli.decompress(body) == original

    plain = await client.get(CSS, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == original


async def test_an_old_or_unhashed_address_is_not_found(client):
    for url in (
        "/static/0123456789ab/css/portal.css",
        "/static/css/portal.css",
        static_url("css/no-such-file.css"),
    ):
        response = await client.get(url)
        assert response.status_code == 404, url
        assert "immutable" not in response.headers.get("cache-control", ""), url


async def test_pages_have_a_favicon_and_a_description_in_the_readers_language(client):
    english = (await client.get("/complaints/new?lang=en")).text
    khmer = (await client.get("/complaints/new?lang=km")).text
    assert '<meta name="description" content="A portal for fair recruitment' in english
    description = re.search(r'<meta name="description" content="([^"]+)"', khmer).group(1)
    assert description.startswith("វិបផតថល")
    icon = re.search(r'<link rel="icon" href="([^"]+)"', english).group(1)
    assert (await client.get(icon)).status_code == 200
