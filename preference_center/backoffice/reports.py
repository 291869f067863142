"""The figures marketers read about unsubscribes: delivery against the deadline (SLA) and reasons over time.

Everything is counted by the database (aggregates, GROUP BY), never by looping over rows in Python, so the
pages stay fast with millions of requests. Nothing here returns a contact id or a recipient's own words: the
reason figures are counts per catalogue entry, Maileon reason type, ISO week and mailing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Aggregate, Count, DateField, F, FloatField, Func, Q, QuerySet
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Status, UnsubscribeReason, UnsubscribeRequest

# Gmail and Yahoo require bulk senders to honour an unsubscribe within two days; the law says "without delay".
DELIVERY_DEADLINE = timedelta(days=2)
# Delivery normally takes seconds; a request still pending after an hour means something needs a look.
PENDING_WARNING_AGE = timedelta(hours=1)

WINDOWS = (
    ("24h", timedelta(hours=24), _("Last 24 hours")),
    ("7d", timedelta(days=7), _("Last 7 days")),
    ("30d", timedelta(days=30), _("Last 30 days")),
)
MEDIAN, P95 = 0.5, 0.95

# Reasons: the default range is the last 12 ISO weeks (this one included); longer ranges are capped so one
# request cannot ask the database to group years of rows.
DEFAULT_WEEKS = 12
MAX_RANGE = timedelta(days=2 * 366)

class DeliverySeconds(Func):
    """Seconds from receipt to delivery, in each database's native date arithmetic. Django's generic datetime
    subtraction calls back into Python for every row on SQLite, which is slow on large tables."""

    output_field = FloatField()

    def __init__(self):
        super().__init__(F("delivered_at"), F("created_at"))

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL (and the SQL standard)
        return super().as_sql(compiler, connection, template="EXTRACT(EPOCH FROM (%(expressions)s))::float8",
                              arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)",
                              arg_joiner=") - julianday(", **extra)


class WeekStart(Func):
    """The Monday of a timestamp's ISO week (UTC, the project's TIME_ZONE), natively on both databases."""

    output_field = DateField()

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL
        return super().as_sql(compiler, connection,
                              template="(date_trunc('week', %(expressions)s AT TIME ZONE 'UTC'))::date", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps UTC text; 'weekday 0' moves to the next Sunday (or stays), six days back is Monday.
        return super().as_sql(compiler, connection, template="date(%(expressions)s, 'weekday 0', '-6 days')",
                              **extra)


class PercentileDisc(Aggregate):
    """PostgreSQL's nearest-rank percentile (an actual value, like the offset query used on SQLite)."""

    function = "percentile_disc"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=f"{float(fraction):.4f}", **extra)


def _seconds(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=round(value, 3))


# --- SLA


@dataclass
class WindowFigures:
    """Requests received in one window, by their state now."""

    key: str
    label: str
    received: int = 0
    delivered: int = 0
    pending: int = 0
    failed: int = 0
    delivered_in_time: int = 0  # delivered within DELIVERY_DEADLINE of receipt
    decided: int = 0  # delivered, failed, or pending past the deadline: whether it was in time is known
    timed: int = 0  # delivered with a delivery time
    median: timedelta | None = None
    p95: timedelta | None = None

    @property
    def share_in_time(self) -> float | None:
        """Share of decided requests delivered within the deadline (0..1); None when none is decided yet.
        A request still pending but younger than the deadline is not counted either way."""
        return self.delivered_in_time / self.decided if self.decided else None


@dataclass
class OldestPending:
    pk: int
    created_at: datetime
    age: timedelta


@dataclass
class SlaReport:
    now: datetime
    windows: list[WindowFigures]
    pending: int
    failed: int
    pending_over_warning: int  # pending for longer than PENDING_WARNING_AGE
    pending_over_deadline: int  # pending for longer than DELIVERY_DEADLINE
    oldest_pending: OldestPending | None


def sla_report(now: datetime | None = None) -> SlaReport:
    """A fixed number of queries whatever the row count: one per aggregate, plus the percentiles."""
    now = now or timezone.now()
    rows = UnsubscribeRequest.objects.all()
    windows = _window_counts(rows, now)
    _add_delivery_times(rows, windows, now)
    totals = rows.filter(status__in=[Status.PENDING, Status.FAILED]).aggregate(
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        over_warning=Count("pk", filter=Q(status=Status.PENDING, created_at__lt=now - PENDING_WARNING_AGE)),
        over_deadline=Count("pk", filter=Q(status=Status.PENDING, created_at__lt=now - DELIVERY_DEADLINE)),
    )
    oldest = rows.filter(status=Status.PENDING).order_by("created_at", "pk").values("pk", "created_at").first()
    return SlaReport(
        now=now,
        windows=windows,
        pending=totals["pending"],
        failed=totals["failed"],
        pending_over_warning=totals["over_warning"],
        pending_over_deadline=totals["over_deadline"],
        oldest_pending=OldestPending(oldest["pk"], oldest["created_at"], now - oldest["created_at"])
        if oldest else None,
    )


def _received_in(key: str, now: datetime) -> Q:
    return Q(created_at__gte=now - dict((k, span) for k, span, _label in WINDOWS)[key])


def _window_counts(rows: QuerySet, now: datetime) -> list[WindowFigures]:
    longest = max(span for _key, span, _label in WINDOWS)
    in_time = Q(status=Status.DELIVERED) & Q(
        LessThanOrEqual(DeliverySeconds(), DELIVERY_DEADLINE.total_seconds())
    )
    decided = (
        Q(status__in=[Status.DELIVERED, Status.FAILED])
        | Q(status=Status.PENDING, created_at__lt=now - DELIVERY_DEADLINE)
    )
    aggregates = {}
    for key, _span, _label in WINDOWS:
        received = _received_in(key, now)
        aggregates.update({
            f"{key}_received": Count("pk", filter=received),
            f"{key}_delivered": Count("pk", filter=received & Q(status=Status.DELIVERED)),
            f"{key}_pending": Count("pk", filter=received & Q(status=Status.PENDING)),
            f"{key}_failed": Count("pk", filter=received & Q(status=Status.FAILED)),
            f"{key}_in_time": Count("pk", filter=received & in_time),
            f"{key}_decided": Count("pk", filter=received & decided),
            f"{key}_timed": Count("pk", filter=received & Q(status=Status.DELIVERED, delivered_at__isnull=False)),
        })
    counts = rows.filter(created_at__gte=now - longest).aggregate(**aggregates)
    return [
        WindowFigures(
            key=key, label=str(label),
            received=counts[f"{key}_received"], delivered=counts[f"{key}_delivered"],
            pending=counts[f"{key}_pending"], failed=counts[f"{key}_failed"],
            delivered_in_time=counts[f"{key}_in_time"], decided=counts[f"{key}_decided"],
            timed=counts[f"{key}_timed"],
        )
        for key, _span, label in WINDOWS
    ]


def _add_delivery_times(rows: QuerySet, windows: list[WindowFigures], now: datetime) -> None:
    """Median and p95 time from receipt to delivery, nearest rank (a real request's time, not an average)."""
    delivered = rows.filter(status=Status.DELIVERED, delivered_at__isnull=False)
    if connection.vendor == "postgresql":
        # One query: percentile aggregates per window (FILTER ... WHERE).
        aggregates = {}
        for figures in windows:
            received = _received_in(figures.key, now)
            aggregates[f"{figures.key}_median"] = PercentileDisc(DeliverySeconds(), MEDIAN, filter=received)
            aggregates[f"{figures.key}_p95"] = PercentileDisc(DeliverySeconds(), P95, filter=received)
        longest = max(span for _key, span, _label in WINDOWS)
        values = delivered.filter(created_at__gte=now - longest).aggregate(**aggregates)
        for figures in windows:
            figures.median = _seconds(values[f"{figures.key}_median"])
            figures.p95 = _seconds(values[f"{figures.key}_p95"])
        return
    # Elsewhere (SQLite): the row at the nearest-rank offset in delivery-time order, two queries per window.
    for figures in windows:
        if not figures.timed:
            continue
        ordered = (
            delivered.filter(_received_in(figures.key, now))
            .annotate(seconds=DeliverySeconds())
            .order_by("seconds")
            .values_list("seconds", flat=True)
        )
        figures.median = _seconds(ordered[_nearest_rank(MEDIAN, figures.timed)])
        figures.p95 = _seconds(ordered[_nearest_rank(P95, figures.timed)])


def _nearest_rank(fraction: float, count: int) -> int:
    """0-based index of the nearest-rank percentile, as PostgreSQL's percentile_disc picks it."""
    return max(0, math.ceil(round(fraction * count, 9)) - 1)


# --- reasons


@dataclass(frozen=True)
class DateRange:
    start: date  # first day, included
    end: date  # last day, included

    @property
    def rows(self) -> Q:
        tz = timezone.get_current_timezone()
        first = datetime.combine(self.start, time.min, tzinfo=tz)
        after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
        return Q(created_at__gte=first, created_at__lt=after)


def default_range(today: date | None = None) -> DateRange:
    """The last DEFAULT_WEEKS ISO weeks: from a Monday to today."""
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    return DateRange(monday - timedelta(weeks=DEFAULT_WEEKS - 1), today)


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class ReasonCount:
    reason_id: int | None  # the catalogue entry (None: no reason given, or the entry was deleted)
    reason_type: str  # Maileon's type ("" when none was given)
    count: int
    week: date | None = None  # Monday of the ISO week
    mailing_id: int | None = None


@dataclass
class ReasonFigures:
    range: DateRange
    by_week: list[ReasonCount] = field(default_factory=list)
    by_mailing: list[ReasonCount] = field(default_factory=list)
    catalogue: dict[int, UnsubscribeReason] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(row.count for row in self.by_week)


def _counts(rows: QuerySet, *group: str) -> list[ReasonCount]:
    """GROUP BY reason entry, reason type and `group` ("week_start" and/or "mailing_id")."""
    grouped = (
        rows.values("reason_id", "reason_type", *group)
        .annotate(count=Count("pk"))
        .order_by(*group, "reason_type", "reason_id")
    )
    return [
        ReasonCount(
            reason_id=values["reason_id"], reason_type=values["reason_type"], count=values["count"],
            week=_as_date(values.get("week_start")), mailing_id=values.get("mailing_id"),
        )
        for values in grouped
    ]


def _weekly(date_range: DateRange) -> QuerySet:
    rows = UnsubscribeRequest.objects.filter(date_range.rows).order_by()
    return rows.annotate(week_start=WeekStart("created_at"))


def reason_figures(date_range: DateRange) -> ReasonFigures:
    """Counts per reason per ISO week and per reason per mailing: two GROUP BY queries and the catalogue."""
    return ReasonFigures(
        range=date_range,
        by_week=_counts(_weekly(date_range), "week_start"),
        by_mailing=_counts(UnsubscribeRequest.objects.filter(date_range.rows).order_by(), "mailing_id"),
        catalogue=UnsubscribeReason.objects.in_bulk(),
    )


def export_rows(date_range: DateRange) -> list[ReasonCount]:
    """Counts per reason, type, ISO week and mailing (the CSV export): one GROUP BY query."""
    return _counts(_weekly(date_range), "week_start", "mailing_id")


def _as_date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value
