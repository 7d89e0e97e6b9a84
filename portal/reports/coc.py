"""The Code of Conduct picture of each cycle, read from the cycle figures: agencies
assessed, ratings by band, each article's average score; and an agency's own ratings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from portal import db
from portal.checklists import replies
from portal.checklists.tables import Rating
from portal.i18n import gettext as _
from portal.i18n import local_name
from portal.reports.report import Row, Table
from portal.reports.suppression import Cell, Counts, single, suppress


@dataclass
class CyclePicture:
    title: str
    assessed: Cell
    rated: Cell
    bands: Table
    articles: Table  # one row per article: its average score (a percentage) and agencies


async def pictures(limit: int, public: bool) -> list[CyclePicture]:
    """Every cycle with submitted assessments, newest first; suppressed when public."""
    # Written out: Piccolo's query building took longer than these two queries.
    rows = await db.select(
        "SELECT f.cycle, f.measure, f.category, f.label, f.total, f.agencies, c.title_en,"
        " c.title_km, c.template FROM cycle_figure f JOIN cycle c ON c.id = f.cycle"
        " ORDER BY c.opens_on DESC, c.id DESC, f.id"
    )
    if not rows:
        return []
    by_cycle: dict[int, list[dict[str, Any]]] = defaultdict(list)
    cycles: dict[int, dict[str, Any]] = {}
    for row in rows:
        by_cycle[row["cycle"]].append(row)
        cycles.setdefault(row["cycle"], row)
    sections = await db.select(
        "SELECT template, code, title_en, title_km FROM section WHERE template IN"
        " (SELECT template FROM cycle WHERE id IN (SELECT cycle FROM cycle_figure))"
        " ORDER BY position"
    )
    titles: dict[int, dict[str, str]] = defaultdict(dict)
    for section in sections:
        titles[section["template"]][section["code"]] = (
            f"{section['code']} {local_name(section['title_en'], section['title_km'])}"
        )
    return [
        _picture(cycle, by_cycle[cycle_id], titles[cycle["template"]], limit, public)
        for cycle_id, cycle in cycles.items()
    ]


def _picture(
    cycle: dict[str, Any],
    rows: list[dict[str, Any]],
    titles: dict[str, str],
    limit: int,
    public: bool,
) -> CyclePicture:
    count = {
        row["measure"]: row["agencies"] for row in rows if row["measure"] in ("assessed", "rated")
    }
    rated = Cell(count.get("rated", 0))
    bands = Table(
        "bands",
        _("Ratings by band"),
        _("How many agencies received each rating band in this cycle."),
        [_("Agencies")],
        [
            Row(row["category"], f"{row['category']} {_(row['label'])}", [Cell(row["agencies"])])
            for row in sorted(
                (r for r in rows if r["measure"] == "band"), key=lambda r: r["category"]
            )
        ],
        rated,
    )
    found = {row["category"]: row for row in rows if row["measure"] == "article"}
    articles = Table(
        "articles",
        _("Average score per article"),
        _(
            "Each article's points as a share of its applicable maximum, averaged over the rated agencies."
        ),
        [_("Average score (%)"), _("Agencies")],
        [
            Row(
                code,
                titles.get(code, str(code)),
                [
                    Cell(None)
                    if not found[code]["agencies"]
                    else Cell(round(found[code]["total"] / found[code]["agencies"] / 10)),
                    Cell(found[code]["agencies"]),
                ],
            )
            for code in [c for c in titles if c in found] + sorted(set(found) - set(titles))
        ],
    )
    assessed = Cell(count.get("assessed", 0))
    if public:
        assessed.hidden = single(assessed.value or 0, limit).hidden
        suppress(Counts([row.cells[0] for row in bands.rows], rated), limit)
        for row in articles.rows:  # an average over a few agencies tells of each of them
            if (row.cells[1].value or 0) < limit:
                row.cells[0].hidden = row.cells[1].hidden = "small"
    return CyclePicture(
        local_name(cycle["title_en"], cycle["title_km"]), assessed, rated, bands, articles
    )


async def agency_ratings(agency_id: int) -> list[dict[str, Any]]:
    """An agency's own published ratings, newest first, for its staff's report."""
    return await (
        Rating.select(
            Rating.cycle.title_en.as_alias("title_en"),
            Rating.cycle.title_km.as_alias("title_km"),
            Rating.percent,
            Rating.band_code,
            Rating.band_label,
            Rating.published_at,
        )
        .where((Rating.agency == agency_id) & replies.public())
        .order_by(Rating.published_at, ascending=False)
    )
