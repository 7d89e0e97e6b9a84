"""axe-core finds no violation on any page of any role, in either language, on a 360 px
phone and a 1280 px desktop screen.

Each page is the HTML the portal answered (tests/site_pages.py: every link of every role,
the receipt, each form sent back with its errors), shown in Chromium at the live server's
address so its stylesheet and htmx load as usual. axe-core is vendored from npm
(tests/vendor/, MPL-2.0) and injected by Playwright, the page's CSP bypassed for it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from tests.site_pages import LANGUAGES, ROLES

pytestmark = pytest.mark.browser

AXE = Path(__file__).parents[1] / "vendor" / "axe-core-4.14.1.min.js"
WIDTHS = ({"width": 360, "height": 740}, {"width": 1280, "height": 800})
SHOWN_AT = "/__axe/"  # an address the portal does not serve: Playwright answers it


async def axe_violations(page: Any) -> list[str]:
    """One line per element axe-core finds wrong: the rule, its impact, where, and why."""
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node['failureSummary'].splitlines()[-1].strip()}"
        for v in result["violations"]
        for node in v["nodes"]
    ]


# Chromium applies `autofocus` at a rendering update after "load": wait for it (a summary
# that never takes the focus is still reported below).
FOCUS_SETTLED = """() => {
  const summary = document.querySelector('.error-summary');
  return !summary || document.activeElement === summary;
}"""

# Every error of a form that came back is listed at its top, has the focus, links to its
# field, and that field (or its group) names the error (aria-describedby).
UNTIED_ERRORS = """() => {
  const found = [];
  const summary = document.querySelector('.error-summary');
  const errors = [...document.querySelectorAll('.field-error')];
  if (errors.length && !summary) found.push('errors but no summary at the top');
  if (summary && document.activeElement !== summary) found.push('the summary does not have the focus');
  const named = new Set([...document.querySelectorAll('[aria-describedby]')]
    .flatMap(e => e.getAttribute('aria-describedby').split(/\\s+/)));
  for (const error of errors) {
    if (!error.id || !named.has(error.id)) found.push(`error not tied to a field: ${error.textContent}`);
  }
  for (const link of summary ? summary.querySelectorAll('a') : []) {
    const field = document.getElementById(link.hash.slice(1));
    const holder = field && field.closest('[aria-describedby]');
    const tied = holder && holder.getAttribute('aria-describedby').split(/\\s+/)
      .some(id => document.getElementById(id)?.classList.contains('field-error'));
    if (!tied) found.push(`summary link ${link.hash} leads to no field with its error`);
  }
  return found;
}"""


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
async def test_no_page_has_an_axe_violation(browser, live_server, site_documents, role, language):
    documents = [
        d for d in site_documents if d.name.startswith(f"{role} ") and d.language == language
    ]
    assert documents, f"no page of {role} was collected"
    context = await browser.new_context(base_url=live_server, bypass_csp=True, viewport=WIDTHS[0])
    context.set_default_timeout(10_000)
    await context.add_init_script(path=str(AXE))
    shown: dict[str, str] = {}

    async def answer(route: Any) -> None:
        await route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=shown[route.request.url]
        )

    await context.route(f"**{SHOWN_AT}*", answer)
    page = await context.new_page()
    found = []
    try:
        for n, document in enumerate(documents):
            url = f"{live_server}{SHOWN_AT}{n}"
            shown[url] = document.html
            await page.set_viewport_size(WIDTHS[0])
            await page.goto(url, wait_until="load")
            with contextlib.suppress(PlaywrightTimeoutError):
                await page.wait_for_function(FOCUS_SETTLED, timeout=2_000)
            found += [f"{document.name}: {line}" for line in await page.evaluate(UNTIED_ERRORS)]
            for width in WIDTHS:
                await page.set_viewport_size(width)
                found += [
                    f"{document.name} at {width['width']} px: {line}"
                    for line in await axe_violations(page)
                ]
    finally:
        await context.close()
    assert not found, f"{len(found)} axe-core violations:\n" + "\n".join(found)
