"""Keyset paging: each page continues below the last id shown, with nothing repeated or
skipped, and the last page offers no "more"."""

from __future__ import annotations

from portal.audit import services as audit


async def test_pages_follow_each_other_down_to_the_last():
    for n in range(2 * audit.PAGE_SIZE):
        await audit.record(None, "user.signed_in", summary=f"event {n}")
    first, after_first = await audit.page()
    second, after_second = await audit.page(before_id=after_first)
    seen = [row["summary"] for row in first + second]
    assert seen == [f"event {n}" for n in reversed(range(2 * audit.PAGE_SIZE))]
    assert after_first == first[-1]["id"]
    assert after_second is None  # exactly two pages: no link to an empty third


async def test_a_filtered_page_continues_within_its_filter():
    for n in range(audit.PAGE_SIZE + 1):
        await audit.record(None, "user.signed_in" if n % 2 else "user.created", summary=str(n))
    rows, after = await audit.page(action="user.created")
    assert len(rows) == audit.PAGE_SIZE // 2 + 1 and after is None
    assert {row["action"] for row in rows} == {"user.created"}
