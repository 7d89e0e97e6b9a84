"""A cycle's results across the sector: the heatmap (agencies by articles, coloured by the
share of the article's points each scored, so weak articles stand out) and the scores
export (one CSV row per agency and indicator)."""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from typing import Any

from portal.checklists import checklist_versions, cycles, scoring
from portal.checklists.tables import ConsensusScore, MemberScore, PanelMember
from portal.core.roles import Role
from portal.errors import NotFound
from portal.i18n import gettext as _
from portal.security import spreadsheet_cell

# Heatmap colour classes, by the lowest share (percent) each starts at.
SHADES = ((85, "shade-a"), (70, "shade-b"), (50, "shade-c"), (0, "shade-d"))


def shade(share: Any) -> str:
    if share is None:
        return "shade-none"
    percent = share * 100
    return next(name for low, name in SHADES if percent >= low)


async def _assessments(cycle: dict[str, Any], user: Any) -> list[dict[str, Any]]:
    """The cycle's assessments this user may see results of: a member who still has to
    submit their own scores for an assessment sees nothing of it here (independence)."""
    rows = await cycles.cycle_assessments(cycle)
    if user.role != Role.committee:
        return rows
    pending = {
        (seat["assessment"], seat["round"])
        for seat in await PanelMember.select(PanelMember.assessment, PanelMember.round).where(
            (PanelMember.member == user.id) & PanelMember.submitted_at.is_null()
        )
    }
    return [row for row in rows if (row["id"], row["round"]) not in pending]


async def _agreed(cycle: dict[str, Any], user: Any) -> list[tuple[dict, list[dict]]]:
    """Each assessment this user may see with the consensus rows of its current round
    (those with none left out)."""
    shown = await _assessments(cycle, user)
    # One query for the whole cycle, kept per assessment for its current round.
    by_assessment: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in await ConsensusScore.select(
        ConsensusScore.assessment,
        ConsensusScore.round,
        ConsensusScore.indicator,
        ConsensusScore.score,
        ConsensusScore.not_applicable,
    ).where(ConsensusScore.assessment.is_in([a["id"] for a in shown] or [0])):
        by_assessment.setdefault((row["assessment"], row["round"]), []).append(row)
    found = []
    for assessment in shown:
        agreed = by_assessment.get((assessment["id"], assessment["round"]), [])
        if agreed:
            found.append((assessment, agreed))
    return found


async def article_indicators(cycle: dict[str, Any], user: Any, section_id: int) -> dict[str, Any]:
    """One article's indicators across the sector: for each, how many agencies scored 0
    of those with a score (most zeros first), and each agency's score per indicator."""
    checklist = await checklist_versions.frozen_structure(cycle["template"])
    section = next((s for s in checklist["sections"] if s["id"] == section_id), None)
    if section is None:
        raise NotFound(_("Page not found."))
    indicators = section["indicators"]
    ids = {i["id"] for i in indicators}
    rows = []
    zeros = dict.fromkeys(ids, 0)
    scored = dict.fromkeys(ids, 0)
    for assessment, agreed in await _agreed(cycle, user):
        mine = {row["indicator"]: row for row in agreed if row["indicator"] in ids}
        cells = []
        for indicator in indicators:
            row = mine.get(indicator["id"])
            score = None if row is None or row["not_applicable"] else row["score"]
            if score is not None:
                scored[indicator["id"]] += 1
                zeros[indicator["id"]] += score == 0
            share = None if score is None else Fraction(score, indicator["max_score"] or 1)
            cells.append({"row": row, "score": score, "shade": shade(share)})
        rows.append({"assessment": assessment, "cells": cells})
    summary = sorted(
        (
            {
                "indicator": i,
                "zeros": zeros[i["id"]],
                "scored": scored[i["id"]],
                "percent": round(100 * zeros[i["id"]] / scored[i["id"]])
                if scored[i["id"]]
                else None,
            }
            for i in indicators
        ),
        key=lambda line: (-line["zeros"], line["indicator"]["position"]),
    )
    return {"section": section, "indicators": indicators, "rows": rows, "summary": summary}


async def heatmap(cycle: dict[str, Any], user: Any) -> dict[str, Any]:
    """Rows of agencies with a consensus in their current round, each with one cell per
    article: the share scored (None where nothing applies or nothing is agreed yet)."""
    checklist = await checklist_versions.frozen_structure(cycle["template"])
    section_of = {i["id"]: s["id"] for s in checklist["sections"] for i in s["indicators"]}
    max_of = {i["id"]: i["max_score"] for s in checklist["sections"] for i in s["indicators"]}
    order = [s["id"] for s in checklist["sections"]]
    rows = []
    for assessment, agreed in await _agreed(cycle, user):
        totals = scoring.totals(
            (
                scoring.Scored(
                    row["indicator"],
                    section_of[row["indicator"]],
                    max_of[row["indicator"]],
                    None if row["not_applicable"] else row["score"],
                )
                for row in agreed
            ),
            order,
        )
        cells = [
            {
                "section_id": sub.section_id,
                "share": sub.share,
                "percent": round(float(sub.share) * 100) if sub.share is not None else None,
                "shade": shade(sub.share),
            }
            for sub in totals.subtotals
        ]
        rows.append({"assessment": assessment, "cells": cells, "totals": totals})
    return {"sections": checklist["sections"], "rows": rows}


async def scores_csv(cycle: dict[str, Any], user: Any) -> bytes:
    """Every agency's scores, one row per agency and indicator: each member's score and
    comment, then the consensus and its comment (the agency's current round). UTF-8 with
    a BOM, so that a spreadsheet reads the Khmer names."""
    checklist = await checklist_versions.frozen_structure(cycle["template"])
    indicators = [i for s in checklist["sections"] for i in s["indicators"]]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "licence_number",
            "agency",
            "round",
            "indicator",
            "member_scores",
            "member_comments",
            "consensus",
            "consensus_comment",
        ]
    )

    def result(row: dict[str, Any] | None) -> str:
        if row is None:
            return ""
        return "n/a" if row["not_applicable"] else str(row["score"])

    shown = await _assessments(cycle, user)
    ids = [a["id"] for a in shown] or [0]
    # The whole cycle in three queries, then each assessment's current round picked out.
    # Only scores a member has submitted: drafts stay their own.
    submitted = {
        (seat["assessment"], seat["round"], seat["member"])
        for seat in await PanelMember.select(
            PanelMember.assessment, PanelMember.round, PanelMember.member
        ).where(PanelMember.assessment.is_in(ids) & PanelMember.submitted_at.is_not_null())
    }
    member_rows: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in (
        await MemberScore.select(
            *MemberScore.all_columns(), MemberScore.member.full_name.as_alias("member_name")
        )
        .where(MemberScore.assessment.is_in(ids))
        .order_by(MemberScore.member.full_name)
    ):
        if (row["assessment"], row["round"], row["member"]) in submitted:
            member_rows.setdefault((row["assessment"], row["round"]), []).append(row)
    consensus_rows: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in await ConsensusScore.select().where(ConsensusScore.assessment.is_in(ids)):
        consensus_rows.setdefault((row["assessment"], row["round"]), []).append(row)

    for assessment in shown:
        current = (assessment["id"], assessment["round"])
        members: dict[int, list[dict[str, Any]]] = {}
        for row in member_rows.get(current, []):
            members.setdefault(row["indicator"], []).append(row)
        consensus = {row["indicator"]: row for row in consensus_rows.get(current, [])}
        if not members and not consensus:
            continue
        for indicator in indicators:
            given = members.get(indicator["id"], [])
            agreed = consensus.get(indicator["id"])
            cells = [
                assessment["licence_number"],
                assessment["name_en"],
                assessment["round"],
                indicator["code"],
                "; ".join(f"{m['member_name']}: {result(m)}" for m in given),
                "; ".join(f"{m['member_name']}: {m['comment']}" for m in given if m["comment"]),
                result(agreed),
                agreed["comment"] if agreed else "",
            ]
            # Names and comments are typed by members: "=HYPERLINK(...)" must stay text.
            writer.writerow([spreadsheet_cell(cell) for cell in cells])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
