"""The Khmer font arrives without moving the page, and only readers of Khmer pages
download it; no page asks for a file that is not there (a favicon, say)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
# Layout shifts from the start of the page, as Lighthouse adds them up (without input).
SHIFTS = """new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 500);
})"""


async def _open(new_page, path: str) -> tuple[object, list[str], list[str]]:
    page = await new_page(viewport=PHONE)
    fetched: list[str] = []
    failed: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    page.on(
        "response", lambda response: failed.append(response.url) if response.status >= 400 else None
    )
    await page.goto(path)
    await page.wait_for_load_state("networkidle")
    return page, fetched, failed


@pytest.mark.parametrize("path", ["/", "/complaints/new", "/agencies"])
async def test_khmer_pages_are_set_in_noto_sans_khmer_and_nothing_moves(new_page, path):
    page, _, failed = await _open(new_page, f"{path}?lang=km")
    assert await page.evaluate(SHIFTS) < 0.05
    assert await page.evaluate("document.fonts.check('400 16px \"Noto Sans Khmer\"', 'ខ្មែរ')")
    assert await page.evaluate("document.fonts.check('700 16px \"Noto Sans Khmer\"', 'ខ្មែរ')")
    loaded = await page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded')"
        ".map(f => f.family.replaceAll('\"', '') + ' ' + f.weight)"
    )
    assert {"Noto Sans Khmer 400", "Noto Sans Khmer 700"} <= set(loaded)
    assert failed == []


@pytest.mark.parametrize("path", ["/", "/complaints/new", "/login"])
async def test_english_pages_do_not_download_the_khmer_font(new_page, path):
    page, fetched, failed = await _open(new_page, f"{path}?lang=en")
    fonts = [url.rsplit("/", 1)[1] for url in fetched if url.endswith(".woff2")]
    assert fonts == ["noto-sans-khmer-word.woff2"]  # 1.5 KB for the language switch's "ខ្មែរ"
    assert await page.evaluate("document.fonts.check('16px \"Noto Sans Khmer Word\"', 'ខ្មែរ')")
    assert await page.evaluate(SHIFTS) < 0.05
    assert failed == []
