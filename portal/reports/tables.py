"""The figures reports read: complaint counts per Phnom Penh month and the COC picture per
cycle, rebuilt by `portal.reports.figures` (a scheduled job), and the reports' settings."""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from portal.checklists.tables import AssessmentCycle


class ReportFigure(Table):
    """One count of the complaints received in one month, within one scope.

    `scope` is "" for every complaint, or one filter a staff report offers ("agency:12",
    "province:Kandal", "ground:unpaid_wages"...), or "combination:<id>" (ReportCombination):
    each filter is counted ahead, so a report
    sums a few hundred rows. `measure` is what is counted ("received", "ground", "days",
    "compensation"...), `category` which part of it ("unpaid_wages", "USD", "12" days).
    Money is kept in hundredths (cents, or riel times 100)."""

    id: Serial
    month = Varchar(length=7, index=True)  # "2026-11", Phnom Penh time
    scope = Varchar(length=120)
    # "scope|month": a report reads one scope's months as one range of this index.
    slot = Varchar(length=130, index=True)
    measure = Varchar(length=30)
    category = Varchar(length=40, default="")
    value = BigInt(default=0)


class CycleFigure(Table):
    """The COC picture of one assessment cycle: agencies assessed, ratings by band, and
    each article's score (summed over rated agencies, with their number to average)."""

    id: Serial
    cycle = ForeignKey(references=AssessmentCycle, on_delete=OnDelete.cascade, index=True)
    measure = Varchar(length=30)  # "assessed", "rated", "band", "article"
    category = Varchar(length=100, default="")  # band code, or article code
    label = Varchar(length=100, default="")  # the band's name as the cycle has it
    total = BigInt(default=0)  # for "article": the sum of agencies' percents, times 10
    agencies = BigInt(default=0)


class ReportSetting(Table):
    """A reports setting or bookkeeping value by name (the suppression threshold, what the
    last rebuild had seen)."""

    id: Serial
    key = Varchar(length=40, unique=True)
    value = Varchar(length=100, default="")


class ReportCombination(Table):
    """Filters a staff report combined ("agency:12&channel:hotline", in the order of
    `services.FILTERS`), counted into ReportFigure under the scope "combination:<id>":
    once in the background when first asked for, then by every rebuild with the rest."""

    id: Serial
    filters = Varchar(length=300, unique=True)
    counted = Boolean(default=False)  # False while its first count is under way
    started_at = Timestamptz()  # when that count began (a stopped worker's is restarted)
    asked_at = Timestamptz()  # last asked for: one not asked for in a while is dropped
