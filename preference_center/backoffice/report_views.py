"""The admin's report pages about unsubscribes: delivery against the deadline (SLA), reasons as a chart with
data tables, and the reasons' CSV export. Mounted by UnsubscribeRequestAdmin.get_urls (admin.py), so they
sit behind the admin login and need the permission to view unsubscribe requests.

The numbers come from reports.py (database aggregates); this module only shapes them for the templates.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import charts, kept, reports, spreadsheet
from ..models import REASON_TYPES, UnsubscribeReason

# Okabe-Ito colours: told apart with the common colour-vision deficiencies; grey for "no reason given".
TYPE_COLOURS = {
    "too_many_messages": "#E69F00",
    "no_demand": "#0072B2",
    "change_of_channel": "#009E73",
    "change_of_interest": "#CC79A7",
    "technical_reasons": "#D55E00",
    "other": "#56B4E9",
    "": "#8C8C8C",
}
TOP_MAILINGS = 20  # columns in the per-mailing chart; the table lists every mailing
# The CSV's columns, headed in the admin's language like the page's tables.
CSV_HEADER = [gettext_lazy("Reason"), gettext_lazy("Maileon type"), gettext_lazy("Week"), gettext_lazy("Mailing"),
              gettext_lazy("Count")]


def duration(value: timedelta | None) -> str:
    """A delivery time for people: seconds below a minute (deliveries usually take seconds), else timesince."""
    if value is None:
        return "–"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    now = timezone.now()
    return timesince(now - value, now)


def _require_view(model_admin, request) -> None:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied


def _changelist(query: str = "") -> str:
    url = reverse("admin:preference_center_unsubscriberequest_changelist")
    return f"{url}?{query}" if query else url


def _context(model_admin, request, title: str, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "changelist_url": _changelist(),
        "sla_url": reverse("admin:preference_center_unsubscriberequest_sla"),
        "reasons_url": reverse("admin:preference_center_unsubscriberequest_reasons"),
        **extra,
    }


# --- SLA


def sla_view(model_admin, request):
    _require_view(model_admin, request)
    report = reports.sla_report()
    windows = [
        {
            "figures": figures,
            "share_percent": None if figures.share_in_time is None else figures.share_in_time * 100,
            "median": duration(figures.median),
            "p95": duration(figures.p95),
        }
        for figures in report.windows
    ]
    oldest = report.oldest_pending
    context = _context(
        model_admin, request, _("Unsubscribe delivery (SLA)"),
        report=report,
        windows=windows,
        oldest_age=timesince(oldest.created_at, report.now) if oldest else "",
        oldest_url=reverse("admin:preference_center_unsubscriberequest_change", args=[oldest.pk]) if oldest else "",
        failed_url=_changelist("status__exact=failed"),
        pending_url=_changelist("status__exact=pending"),
        over_warning_url=_changelist("overdue=hour"),
        over_deadline_url=_changelist("overdue=yes"),
        deadline_hours=int(reports.DELIVERY_DEADLINE.total_seconds() // 3600),
    )
    return TemplateResponse(request, "admin/preference_center/unsubscriberequest/sla.html", context)


# --- reasons


class DateRangeForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end date is before the start date."))
            if end - start > reports.MAX_RANGE:
                raise forms.ValidationError(_("Choose at most two years."))
        return cleaned


def _date_range(request) -> tuple[DateRangeForm, reports.DateRange]:
    default = reports.default_range()
    if "start" not in request.GET and "end" not in request.GET:
        return DateRangeForm(initial={"start": default.start, "end": default.end}), default
    form = DateRangeForm(request.GET)
    if form.is_valid():
        return form, reports.DateRange(form.cleaned_data["start"], form.cleaned_data["end"])
    return form, default  # the form shows what is wrong; the figures stay the default range


def _type_label(reason_type: str) -> str:
    return str(dict(REASON_TYPES).get(reason_type, _("No reason given")))


def _reason_label(catalogue: dict[int, UnsubscribeReason], reason_id: int | None) -> str:
    reason = catalogue.get(reason_id) if reason_id is not None else None
    if reason is None:
        return _("no catalogue entry") if reason_id is None else _("deleted entry")
    return reason.label(get_language() or "en")


def _mailing_label(mailing_id: int | None) -> str:
    return str(mailing_id) if mailing_id is not None else _("No mailing")


def _weeks(date_range: reports.DateRange) -> list[date]:
    monday = date_range.start - timedelta(days=date_range.start.weekday())
    weeks = []
    while monday <= date_range.end:
        weeks.append(monday)
        monday += timedelta(weeks=1)
    return weeks


def _series(types: set[str]) -> list[charts.Series]:
    keys = [key for key, _label in REASON_TYPES] + [""]
    return [charts.Series(key, _type_label(key), TYPE_COLOURS[key]) for key in keys if key in types]


def reasons_view(model_admin, request):
    _require_view(model_admin, request)
    form, date_range = _date_range(request)
    figures = reports.reason_figures(date_range)
    series = _series({row.reason_type for row in figures.by_week})

    weeks = _weeks(date_range)
    per_week_type: dict[tuple[date, str], int] = defaultdict(int)
    per_entry_week: dict[tuple[int | None, str], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in figures.by_week:
        per_week_type[(row.week, row.reason_type)] += row.count
        per_entry_week[(row.reason_id, row.reason_type)][row.week] += row.count
    week_chart = charts.stacked_columns(
        title=_("Unsubscribes per ISO week by reason type"),
        description=_("Stacked columns, one per ISO week from %(start)s to %(end)s; the table below the chart "
                      "has the same numbers.") % {"start": date_range.start, "end": date_range.end},
        categories=[(week, reports.iso_week(week)) for week in weeks],
        series=series,
        values=per_week_type,
    )
    week_rows = [
        {"week": reports.iso_week(week), "counts": [per_week_type.get((week, s.key), 0) for s in series],
         "total": sum(per_week_type.get((week, s.key), 0) for s in series)}
        for week in weeks
    ]
    entry_rows = sorted(
        (
            {"reason": _reason_label(figures.catalogue, reason_id), "type": _type_label(reason_type),
             "counts": [counts.get(week, 0) for week in weeks], "total": sum(counts.values())}
            for (reason_id, reason_type), counts in per_entry_week.items()
        ),
        key=lambda row: (-row["total"], row["reason"]),
    )

    per_mailing: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in figures.by_mailing:
        per_mailing[row.mailing_id][row.reason_type] += row.count
    mailings = sorted(per_mailing, key=lambda mailing: (-sum(per_mailing[mailing].values()), mailing or 0))
    mailing_chart = charts.stacked_columns(
        title=_("Unsubscribes per mailing by reason type"),
        description=ngettext(
            "Stacked columns for the top %(count)d mailing by unsubscribes in the period; the table below lists "
            "every mailing.",
            "Stacked columns for the top %(count)d mailings by unsubscribes in the period; the table below lists "
            "every mailing.",
            min(len(mailings), TOP_MAILINGS),
        ) % {"count": min(len(mailings), TOP_MAILINGS)},
        categories=[(mailing, _mailing_label(mailing)) for mailing in mailings[:TOP_MAILINGS]],
        series=series,
        values={(mailing, key): count for mailing, counts in per_mailing.items() for key, count in counts.items()},
    )
    mailing_rows = [
        {"mailing": _mailing_label(mailing), "counts": [per_mailing[mailing].get(s.key, 0) for s in series],
         "total": sum(per_mailing[mailing].values())}
        for mailing in mailings
    ]

    context = _context(
        model_admin, request, _("Unsubscribe reasons"),
        form=form,
        date_range=date_range,
        total=figures.total,
        series=series,
        week_chart=week_chart,
        week_rows=week_rows,
        week_labels=[reports.iso_week(week) for week in weeks],
        entry_rows=entry_rows,
        mailing_chart=mailing_chart,
        mailing_rows=mailing_rows,
        csv_url=reverse("admin:preference_center_unsubscriberequest_reasons_csv")
        + f"?start={date_range.start.isoformat()}&end={date_range.end.isoformat()}",
        kept_csv_url=reverse("admin:preference_center_unsubscriberequest_kept_csv")
        + f"?start={date_range.start.isoformat()}&end={date_range.end.isoformat()}",
        **kept.report_context(date_range, weeks),
    )
    return TemplateResponse(request, "admin/preference_center/unsubscriberequest/reasons.html", context)


def reasons_csv(model_admin, request):
    """Counts only: reason entry, Maileon type, ISO week, mailing, count, in the admin's language (the words the
    reasons page shows), for Excel (spreadsheet.py). No contact id and no message a recipient typed: the file
    leaves the admin (mail, shared drives), and counts are all a report needs."""
    _require_view(model_admin, request)
    _form, date_range = _date_range(request)
    catalogue = UnsubscribeReason.objects.in_bulk()
    response, writer = spreadsheet.download(_("unsubscribe-reasons"), date_range)  # a file name: no spaces
    writer.writerow([spreadsheet.safe(str(title)) for title in CSV_HEADER])
    for row in reports.export_rows(date_range):
        writer.writerow([
            spreadsheet.safe(_reason_label(catalogue, row.reason_id)),
            spreadsheet.safe(_type_label(row.reason_type)),
            reports.iso_week(row.week) if row.week else "",
            "" if row.mailing_id is None else row.mailing_id,
            row.count,
        ])
    return response


def kept_csv(model_admin, request):
    """What was kept and what was lost, per ISO week and mailing (kept.py): anonymous counts, like the reasons'."""
    _require_view(model_admin, request)
    _form, date_range = _date_range(request)
    return kept.csv_response(date_range)
