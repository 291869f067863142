"""What was kept, next to what was lost: the reasons report's "kept" section and its CSV file.

Kept (models.KEPT_KINDS): a down-sell taken, topics saved on the unsubscribe page, a pause started or extended, an
unsubscribe withdrawn as a mistake before it reached Maileon. Unsubscribed: the unsubscribes received (page and
one-click), less those withdrawn, which count as kept instead. Kept rate = kept / (kept + unsubscribed).
Asked to come back (a double opt-in mail after leaving) and profile saves are shown beside them, not counted as kept.

Counted by the database (GROUP BY over the day range, answered from the events' index), four queries for the page
and two for the CSV whatever the number of events. The events are anonymous (models.KeptEvent), and so is every
figure here: counts per week and mailing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, DateField, Func, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from . import charts, reports, spreadsheet
from ..models import KEPT_KINDS, RESUBSCRIBE_KINDS, KeptEvent, KeptKind, Status, UnsubscribeRequest

UNSUBSCRIBED = "unsubscribed"  # the chart's series of unsubscribes, beside the kinds of kept
# Okabe-Ito colours for what was kept (told apart with the common colour-vision deficiencies); grey for what was lost.
COLOURS = {
    KeptKind.DOWNSELL: "#009E73",
    KeptKind.TOPICS: "#0072B2",
    KeptKind.PAUSE_STARTED: "#56B4E9",
    KeptKind.PAUSE_EXTENDED: "#CC79A7",
    KeptKind.WITHDRAWN: "#E69F00",
    UNSUBSCRIBED: "#8C8C8C",
}
# Column headings (short: the tables must fit the screen); the kinds' long names are in models.KeptKind.
HEADINGS = {
    KeptKind.DOWNSELL: pgettext_lazy("kept figures", "Down-sell"),
    KeptKind.TOPICS: gettext_lazy("Topics"),
    KeptKind.PAUSE_STARTED: gettext_lazy("Pauses started"),
    KeptKind.PAUSE_EXTENDED: gettext_lazy("Pauses extended"),
    KeptKind.WITHDRAWN: gettext_lazy("Withdrawn"),
    UNSUBSCRIBED: pgettext_lazy("kept figures", "Unsubscribed"),
}
TOP_MAILINGS = 20  # columns in the per-mailing chart; the table lists every mailing


class WeekOfDay(Func):
    """The Monday of a date's ISO week, natively on both databases (reports.WeekStart for timestamps)."""

    output_field = DateField()

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL
        return super().as_sql(compiler, connection, template="(date_trunc('week', %(expressions)s::timestamp))::date",
                              **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="date(%(expressions)s, 'weekday 0', '-6 days')", **extra)


@dataclass
class KeptCounts:
    """One row of figures: a week, a mailing, or the whole period."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # KeptKind value -> count
    unsubscribed: int = 0

    def count(self, kind: KeptKind) -> int:
        return self.counts.get(kind.value, 0)

    @property
    def kept(self) -> int:
        return sum(self.count(kind) for kind in KEPT_KINDS)

    @property
    def rate(self) -> float | None:
        """kept / (kept + unsubscribed), 0..1; None when neither happened."""
        decided = self.kept + self.unsubscribed
        return self.kept / decided if decided else None

    @property
    def rate_percent(self) -> float | None:
        return None if self.rate is None else self.rate * 100

    @property
    def come_back(self) -> int:
        return sum(self.count(kind) for kind in RESUBSCRIBE_KINDS)

    @property
    def profile_saves(self) -> int:
        return self.count(KeptKind.PROFILE_SAVED)

    @property
    def activity(self) -> int:
        return self.kept + self.unsubscribed + self.come_back + self.profile_saves


def _events(date_range: reports.DateRange) -> QuerySet:
    return KeptEvent.objects.filter(day__gte=date_range.start, day__lte=date_range.end).order_by()


def _unsubscribed(date_range: reports.DateRange) -> QuerySet:
    """Unsubscribes received in the range, less those withdrawn (the recipient stayed: counted as kept)."""
    return UnsubscribeRequest.objects.filter(date_range.rows).exclude(status=Status.WITHDRAWN).order_by()


def _grouped(*, by: str, events: QuerySet, unsubscribes: QuerySet) -> dict[object, KeptCounts]:
    """Figures per `by` ("week" or "mailing_id", or both joined by "+"), from one GROUP BY query on each table."""
    keys = by.split("+")
    rows: dict[object, KeptCounts] = defaultdict(KeptCounts)

    def key_of(values: dict) -> object:
        parts = tuple(values[key] for key in keys)
        return parts if len(parts) > 1 else parts[0]

    if "week" in keys:
        events = events.annotate(week=WeekOfDay("day"))
        unsubscribes = unsubscribes.annotate(week=reports.WeekStart("created_at"))
    for values in events.values(*keys, "kind").annotate(count=Count("pk")):
        rows[key_of(values)].counts[values["kind"]] += values["count"]
    for values in unsubscribes.values(*keys).annotate(count=Count("pk")):
        rows[key_of(values)].unsubscribed += values["count"]
    return rows


@dataclass
class KeptFigures:
    range: reports.DateRange
    by_week: dict[date, KeptCounts]
    by_mailing: dict[int | None, KeptCounts]

    @property
    def total(self) -> KeptCounts:
        total = KeptCounts()
        for row in self.by_week.values():
            for kind, count in row.counts.items():
                total.counts[kind] += count
            total.unsubscribed += row.unsubscribed
        return total


def kept_figures(date_range: reports.DateRange) -> KeptFigures:
    events, unsubscribes = _events(date_range), _unsubscribed(date_range)
    return KeptFigures(
        range=date_range,
        by_week=_grouped(by="week", events=events, unsubscribes=unsubscribes),
        by_mailing=_grouped(by="mailing_id", events=events, unsubscribes=unsubscribes),
    )


# --- the reasons page's section


def _series() -> list[charts.Series]:
    return [charts.Series(str(key), str(HEADINGS[key]), COLOURS[key]) for key in (*KEPT_KINDS, UNSUBSCRIBED)]


def _chart_values(key: object, row: KeptCounts) -> dict[tuple[object, str], int]:
    values = {(key, kind.value): row.count(kind) for kind in KEPT_KINDS}
    values[(key, UNSUBSCRIBED)] = row.unsubscribed
    return values


def _table_row(label: str, row: KeptCounts) -> dict:
    return {"label": label, "counts": [row.count(kind) for kind in KEPT_KINDS], "kept": row.kept,
            "unsubscribed": row.unsubscribed, "rate_percent": row.rate_percent, "come_back": row.come_back,
            "profile_saves": row.profile_saves}


def mailing_label(mailing_id: int | None) -> str:
    return str(mailing_id) if mailing_id is not None else _("No mailing")


def report_context(date_range: reports.DateRange, weeks: list[date]) -> dict:
    """What reasons.html's kept section (_kept.html) shows: a summary, a chart and a table per week and per mailing.
    `weeks`: the Mondays of the range, as the reasons charts show them."""
    figures = kept_figures(date_range)
    series = _series()
    empty = KeptCounts()
    week_values: dict[tuple[object, str], int] = {}
    for week in weeks:
        week_values.update(_chart_values(week, figures.by_week.get(week, empty)))
    week_chart = charts.stacked_columns(
        title=_("Kept and unsubscribed per ISO week"),
        description=_("Stacked columns, one per ISO week from %(start)s to %(end)s: what was kept, by kind, and the "
                      "unsubscribes on top; the table below the chart has the same numbers.")
        % {"start": date_range.start, "end": date_range.end},
        categories=[(week, reports.iso_week(week)) for week in weeks],
        series=series,
        values=week_values,
    )

    def weight(mailing: int | None) -> tuple:
        row = figures.by_mailing[mailing]
        return -(row.kept + row.unsubscribed), -row.activity, mailing is None, mailing or 0

    mailings = sorted(figures.by_mailing, key=weight)  # most kept and unsubscribed first
    top = [mailing for mailing in mailings
           if figures.by_mailing[mailing].kept + figures.by_mailing[mailing].unsubscribed][:TOP_MAILINGS]
    mailing_values: dict[tuple[object, str], int] = {}
    for mailing in top:
        mailing_values.update(_chart_values(mailing, figures.by_mailing[mailing]))
    mailing_chart = charts.stacked_columns(
        title=_("Kept and unsubscribed per mailing"),
        description=ngettext(
            "Stacked columns for the top %(count)d mailing by kept and unsubscribed in the period; the table below "
            "lists every mailing.",
            "Stacked columns for the top %(count)d mailings by kept and unsubscribed in the period; the table below "
            "lists every mailing.",
            len(top),
        ) % {"count": len(top)},
        categories=[(mailing, mailing_label(mailing)) for mailing in top],
        series=series,
        values=mailing_values,
    )
    total = figures.total
    return {
        "kept_total": total,
        "kept_any": bool(total.activity),
        "kept_series": series,
        "kept_headings": [HEADINGS[kind] for kind in KEPT_KINDS],
        "kept_week_chart": week_chart,
        "kept_week_rows": [_table_row(reports.iso_week(week), figures.by_week.get(week, empty)) for week in weeks],
        "kept_mailing_chart": mailing_chart,
        "kept_mailing_rows": [_table_row(mailing_label(mailing), figures.by_mailing[mailing]) for mailing in mailings],
        "kept_total_row": _table_row(_("Total"), total),
    }


# --- the CSV file


def csv_header() -> list[str]:
    """In the admin's language, like the page; every heading starts with a letter (no spreadsheet formula)."""
    return [
        _("week"), _("mailing"), _("unsubscribed"),
        *(str(KeptKind(kind).label) for kind in KEPT_KINDS),
        _("kept"), _("kept rate (%)"),
        *(str(KeptKind(kind).label) for kind in RESUBSCRIBE_KINDS),
        str(KeptKind.PROFILE_SAVED.label),
    ]


def csv_response(date_range: reports.DateRange) -> HttpResponse:
    """Counts per ISO week and mailing: two GROUP BY queries. Anonymous like the events themselves. For Excel in
    the admin's language, like the reasons' file (spreadsheet.py)."""
    rows = _grouped(by="week+mailing_id", events=_events(date_range), unsubscribes=_unsubscribed(date_range))
    response, writer = spreadsheet.download(_("kept-and-unsubscribed"), date_range)  # a file name: no spaces
    writer.writerow(csv_header())
    for (week, mailing), row in sorted(rows.items(), key=lambda item: (item[0][0], item[0][1] is None,
                                                                        item[0][1] or 0)):
        writer.writerow([
            reports.iso_week(week), "" if mailing is None else mailing, row.unsubscribed,
            *(row.count(kind) for kind in KEPT_KINDS),
            row.kept, "" if row.rate is None else spreadsheet.decimal(row.rate * 100, 1),
            *(row.count(kind) for kind in RESUBSCRIBE_KINDS),
            row.profile_saves,
        ])
    return response
