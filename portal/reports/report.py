"""A report: the figures of one period and scope, read from the per-month figures, laid
out as the pages, downloads and summary show them, suppressed for the public."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from portal import db, i18n
from portal.complaints.tables import Channel, Ground, Sex
from portal.i18n import N_, digits
from portal.i18n import gettext as _
from portal.labour import DESTINATIONS, PROVINCES, SECTORS
from portal.reports.periods import Period
from portal.reports.suppression import Cell, Counts, single, suppress

DEFAULT_THRESHOLD = 5
NOT_GIVEN = N_("Not given")


@dataclass
class Row:
    code: str
    label: str
    cells: list[Cell]  # one per column of its table


@dataclass
class Table:
    """One breakdown: a title, a one-line explanation, its columns and rows, and (when
    the rows of the first column add up to it) its total."""

    key: str
    title: str
    explanation: str
    columns: list[str]
    rows: list[Row]
    total: Cell | None = None


@dataclass
class Money:
    currency: str
    cents: int
    cases: Cell

    @property
    def shown(self) -> bool:
        return self.cases.shown


@dataclass
class Figures:
    """What was counted in a period and scope: (measure, category) → sum, and per month."""

    sums: Counter[tuple[str, str]] = field(default_factory=Counter)
    monthly: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def of(self, measure: str) -> dict[str, int]:
        return {cat: n for (m, cat), n in self.sums.items() if m == measure}


async def load(period: Period, scope: str = "") -> Figures:
    """Sum the period's monthly figures for a scope: one index range, summed by the
    database, month by month only for the monthly chart."""
    rows = await db.select(
        "SELECT CASE WHEN measure IN ('received', 'resolved') THEN month ELSE '' END AS month,"
        " measure, category, sum(value) AS value FROM report_figure"
        " WHERE slot >= {} AND slot <= {} GROUP BY 1, measure, category",
        f"{scope}|{period.first}",
        f"{scope}|{period.last}",
    )
    figures = Figures()
    for row in rows:
        figures.sums[row["measure"], row["category"]] += int(row["value"])
        if row["month"]:
            figures.monthly[row["month"]][row["measure"]] += int(row["value"])
    return figures


async def threshold() -> int:
    """The smallest count the public figures show (an admin setting)."""
    rows = await db.select(
        "SELECT value FROM report_setting WHERE key = {}", "suppression_threshold"
    )
    value = rows[0]["value"] if rows else ""
    return int(value) if value.isdecimal() else DEFAULT_THRESHOLD


def median_days(histogram: dict[str, int]) -> float | None:
    """The median of the working days to an outcome, from their counts per number of days."""
    total = sum(histogram.values())
    if not total:
        return None
    ranks = sorted((int(days), n) for days, n in histogram.items())
    wanted = [(total + 1) // 2, total // 2 + 1]  # the middle one, or the middle two
    found: list[int] = []
    seen = 0
    for days, n in ranks:
        seen += n
        found += [days for rank in wanted[len(found) :] if rank <= seen]
    return (found[0] + found[-1]) / 2 if total % 2 == 0 else float(found[0])


_BREAKDOWNS: list[tuple[str, str, str, dict[str, str], bool]] = [
    # key, title, explanation, labels, whether every complaint has exactly one
    (
        "ground",
        N_("Complaints by ground"),
        N_("What the complaints were about; a complaint can have several grounds."),
        {g.value: g.msgid for g in Ground},
        False,
    ),
    (
        "destination",
        N_("Complaints by destination country"),
        N_("The country the worker went to or was to go to."),
        DESTINATIONS,
        True,
    ),
    (
        "sector",
        N_("Complaints by sector"),
        N_("The kind of work the worker was recruited for."),
        SECTORS,
        True,
    ),
    (
        "province",
        N_("Complaints by home province"),
        N_("The province in Cambodia the worker comes from."),
        PROVINCES,
        True,
    ),
    (
        "channel",
        N_("Complaints by intake channel"),
        N_("How the complaint reached the portal."),
        {c.value: c.msgid for c in Channel},
        True,
    ),
]


def _rows(
    counts: dict[str, int],
    labels: dict[str, str],
    previous: dict[str, int] | None,
    every: bool = False,
) -> list[Row]:
    """A row per category counted (or every category), known ones in their order."""
    known = [c for c in labels if every or c in counts or (previous and c in previous)]
    codes = known + sorted(code for code in counts if code not in labels)
    return [
        Row(
            code,
            _(labels[code]) if code in labels else (_(NOT_GIVEN) if not code else code),
            [Cell(counts.get(code, 0))]
            + ([Cell(previous.get(code, 0))] if previous is not None else []),
        )
        for code in codes
    ]


@dataclass
class Report:
    period: Period
    public: bool
    threshold: int
    received: Cell
    acknowledged_in_time: Cell
    resolved: Cell
    median_days: float | None
    money: list[Money]
    workers: Table
    disability: Cell
    lgbtqia: Cell
    tables: list[Table]
    monthly: Table
    previous: Report | None = None

    @property
    def acknowledged_percent(self) -> float | None:
        if not self.acknowledged_in_time.shown or not self.received.value:
            return None
        return round(100 * (self.acknowledged_in_time.value or 0) / self.received.value, 1)

    @property
    def all_tables(self) -> list[Table]:
        """Every table, the headline figures first, as the downloads list them."""
        return [self.headline, self.workers, *self.tables, self.monthly]

    @property
    def headline(self) -> Table:
        """The single figures as a table (downloads; the page lays them out itself)."""
        percent = self.acknowledged_percent
        rows = [
            Row("received", _("Complaints received"), [self.received]),
            Row(
                "acknowledged_in_time",
                _("Acknowledged within the deadline"),
                [self.acknowledged_in_time],
            ),
            Row("acknowledged_percent", _("Acknowledged within the deadline (%)"), [Cell(percent)]),
            Row("resolved", _("Resolved (given an outcome)"), [self.resolved]),
            Row("median_days", _("Median working days to an outcome"), [Cell(self.median_days)]),
        ]
        for money in self.money:
            amount = Cell(money.cents / 100 if money.shown else None, money.cases.hidden)
            rows += [
                Row(
                    f"compensation_{money.currency}",
                    _("Compensation awarded (%(currency)s)") % {"currency": money.currency},
                    [amount],
                ),
                Row(
                    f"compensation_cases_{money.currency}",
                    _("Cases with compensation (%(currency)s)") % {"currency": money.currency},
                    [money.cases],
                ),
            ]
        rows += [
            Row("disability", _("Workers with a disability"), [self.disability]),
            Row("lgbtqia", _("Workers who identify as LGBTQIA+"), [self.lgbtqia]),
        ]
        return Table("summary", _("Main figures"), "", [self.period.label], rows)

    def summary(self, language: str | None = None) -> str:
        """The briefing's sentence: "In Q4 2023, 45 complaints were received (W: 20; M: 25),
        38 were resolved, and US$ 69,679 was awarded in compensation." """
        women, men = (row.cells[0] for row in self.workers.rows if row.code != "not_said")
        text = _(
            "In %(period)s, %(received)s complaints were received (W: %(women)s; M: %(men)s),"
            " %(resolved)s were resolved"
        ) % {
            "period": self.period.label,
            "received": shown(self.received, self.threshold),
            "women": shown(women, self.threshold),
            "men": shown(men, self.threshold),
            "resolved": shown(self.resolved, self.threshold),
        }
        awarded = [money_text(m) for m in self.money if m.shown and m.cents]
        if awarded:
            text += _(", and %(amount)s was awarded in compensation.") % {
                "amount": _(" and ").join(awarded)
            }
        else:
            text += "."
        return digits(text, language)


def shown(cell: Cell | None, limit: int) -> str:
    """A count as a page shows it: the number, or why it is not shown."""
    if cell is None or cell.value is None:
        return "–"
    if cell.hidden == "small":
        return digits(_("fewer than %(n)s") % {"n": limit})
    if cell.hidden:
        return _("not shown")
    return digits(i18n.format_number(cell.value))


def money_text(money: Money) -> str:
    """ "US$ 69,679" or "1,200,000 riel", whole units as in the briefings."""
    amount = i18n.format_number(round(money.cents / 100))
    if money.currency == "USD":
        return digits(_("US$ %(amount)s") % {"amount": amount})
    return digits(_("%(amount)s riel") % {"amount": amount})


def build(
    period: Period,
    figures: Figures,
    limit: int,
    public: bool,
    previous: Figures | None = None,
) -> Report:
    """Lay the figures out as a report (labels in the current language); suppressed when
    public, with the previous period's figures beside them when given."""
    sums = figures.sums
    received = Cell(sums["received", ""])
    resolved = Cell(sums["resolved", ""])
    columns = [period.label]
    if previous is not None:
        columns.append(_("Previous period (%(period)s)") % {"period": period.previous().label})
    # The rows of a table where every complaint has one category add up to the received:
    # they share its cell, so hiding it in one hides it in all.
    tables = [
        Table(
            key,
            _(title),
            _(explanation),
            columns,
            _rows(figures.of(key), labels, previous.of(key) if previous else None),
            received if partition else None,
        )
        for key, title, explanation, labels, partition in _BREAKDOWNS
    ]
    sexes = {s.value: s.msgid for s in Sex}
    workers = Table(
        "workers",
        _("Workers concerned, by sex"),
        _("Each worker the complaints concern: a group complaint counts each of them."),
        columns,
        _rows(figures.of("workers"), sexes, previous.of("workers") if previous else None, True),
        Cell(sum(figures.of("workers").values())),
    )
    monthly = Table(
        "monthly",
        _("Received and resolved per month"),
        _("Complaints received each month, and how many of those have an outcome."),
        [_("Received"), _("Resolved")],
        [
            Row(
                m,
                _month_label(m),
                [Cell(figures.monthly[m]["received"]), Cell(figures.monthly[m]["resolved"])],
            )
            for m in period.months
        ],
        received,
    )
    report = Report(
        period=period,
        public=public,
        threshold=limit,
        received=received,
        acknowledged_in_time=Cell(sums["acknowledged_in_time", ""]),
        resolved=resolved,
        median_days=median_days(figures.of("days")),
        money=[
            Money(cur, sums["compensation", cur], Cell(sums["compensation_cases", cur]))
            for cur in ("USD", "KHR")
            if sums["compensation_cases", cur]
        ],
        workers=workers,
        disability=Cell(sums["disability", "yes"]),
        lgbtqia=Cell(sums["lgbtqia", "yes"]),
        tables=tables,
        monthly=monthly,
    )
    if previous is not None:
        report.previous = build(period.previous(), previous, limit, public=False)
    if public:
        _suppress(report, limit)
    return report


def _month_label(month: str) -> str:
    from portal.reports.periods import _month_name

    return digits(_month_name(month))


def _suppress(report: Report, limit: int) -> None:
    """Small-cell suppression of everything a public report shows."""
    for table in [*report.tables, report.workers]:
        suppress(Counts([row.cells[0] for row in table.rows], table.total), limit)
    # Per month, received and resolved are two tables with the headline figures as totals.
    suppress(Counts([row.cells[0] for row in report.monthly.rows], report.received), limit)
    suppress(Counts([row.cells[1] for row in report.monthly.rows], report.resolved), limit)
    if report.received.hidden:  # hidden by one table: no other may show it as a total
        for table in report.tables:
            suppress(Counts([row.cells[0] for row in table.rows]), limit)
    # Acknowledged in time and late add up to the received: both shown, or neither.
    ack = report.acknowledged_in_time
    late = Cell((report.received.value or 0) - (ack.value or 0))
    suppress(Counts([ack, late], report.received), limit)
    if report.received.hidden and not ack.hidden:
        ack.hidden = "complementary"
    if report.resolved.hidden or (report.resolved.value or 0) < limit:
        report.median_days = None
    for money in report.money:
        money.cases.hidden = single(money.cases.value or 0, limit).hidden
    report.disability = single(report.disability.value or 0, limit)
    report.lgbtqia = single(report.lgbtqia.value or 0, limit)
