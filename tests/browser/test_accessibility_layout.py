"""On a 360 x 740 phone: the signed-in header takes at most 100 px, every radio button,
tick box and language link is a 24 x 24 px target at least, the focus ring stands out
(3:1) wherever it is, and the self-assessment's sticky save bar never hides the control
that has the focus."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_self_assessment import _open_sample_cycle

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}

# The contrast of the focused element's outline against what is behind it (WCAG formula).
OUTLINE_CONTRAST = """() => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const element = document.activeElement;
  const style = getComputedStyle(element);
  if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) return 0;
  let behind = element.parentElement;
  while (behind && rgb(getComputedStyle(behind).backgroundColor)[3] === 0) behind = behind.parentElement;
  const back = behind ? rgb(getComputedStyle(behind).backgroundColor) : [255, 255, 255];
  const [a, b] = [luminance(rgb(style.outlineColor)), luminance(back)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.parametrize("language", ["en", "km"])
async def test_the_signed_in_header_takes_at_most_100px_of_a_phone(new_page, make_user, language):
    admin = await make_user("admin", full_name="Chanthavy Sovannarith Phalla")  # the longest menu
    page = await new_page(viewport=PHONE)
    await page.goto("/login?lang=en")
    await sign_in(page, admin)
    await page.goto(f"/cases?lang={language}")
    box = await page.locator(".site-header").bounding_box()
    assert box["height"] <= 100, f"the header is {box['height']} px high"
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


async def test_choices_and_the_language_switch_are_24px_targets(new_page):
    page = await new_page(viewport=PHONE)
    await page.goto("/complaints/new?lang=km")
    targets = page.locator(
        ".complaint-form input[type=radio], .complaint-form input[type=checkbox], .lang-switch a"
    )
    assert await targets.count() > 10
    small = []
    for n in range(await targets.count()):
        box = await targets.nth(n).bounding_box()
        if box["width"] < 24 or box["height"] < 24:
            small.append(f"{await targets.nth(n).evaluate('e => e.outerHTML')}: {box}")
    assert not small, "smaller than 24 × 24 px:\n" + "\n".join(small)


async def test_the_focus_ring_has_3_to_1_contrast_on_the_page_and_in_the_header(new_page):
    page = await new_page(viewport=PHONE)
    await page.goto("/complaints/new?lang=en")
    for selector in (
        ".lang-switch a",
        ".site-nav a",
        "#f-agency_query",
        "#f-complainant_name",
        "button[value=add_worker]",
    ):
        await page.locator(selector).first.focus()
        await page.keyboard.press("Shift+Tab")  # focus as the keyboard gives it (:focus-visible)
        await page.keyboard.press("Tab")
        contrast = await page.evaluate(OUTLINE_CONTRAST)
        assert contrast >= 3, f"the focus ring of {selector} has a contrast of {contrast:.2f}"


async def test_the_sticky_save_bar_never_hides_the_focused_control(
    new_page, make_user, make_agency
):
    user, assessment, checklist = await _open_sample_cycle(make_user, make_agency)
    article = checklist["sections"][0]
    page = await new_page(viewport=PHONE)
    await page.goto("/login?lang=en")
    await sign_in(page, user)
    await page.goto(f"/assessments/{assessment['id']}/sections/{article['id']}")
    bar = page.locator(".sticky-actions")
    hidden = []
    for _ in range(40):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            """() => { const e = document.activeElement; const r = e.getBoundingClientRect();
                 return {inBar: !!e.closest('.sticky-actions'), top: r.top, bottom: r.bottom,
                         tag: e.outerHTML.slice(0, 80)}; }"""
        )
        box = await bar.bounding_box()
        under = focused["bottom"] > box["y"] and focused["top"] < box["y"] + box["height"]
        if not focused["inBar"] and under and not focused["tag"].startswith("<body"):
            hidden.append(focused["tag"])
    assert not hidden, "under the save bar:\n" + "\n".join(hidden)
