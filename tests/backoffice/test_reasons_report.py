"""The reasons report: SVG columns with the right heights and values, data tables, the date range, and the CSV
export (counts only: no contact ids, no messages recipients typed)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.urls import reverse

from preference_center.models import UnsubscribeReason, UnsubscribeRequest, Via

REASONS_URL = "admin:preference_center_unsubscriberequest_reasons"
CSV_URL = "admin:preference_center_unsubscriberequest_reasons_csv"
SECRET_MESSAGE = "Ihr Newsletter nervt, Gruss Erika"
# Monday 2026-03-02 is ISO week 2026-W10; Monday 2026-03-09 is 2026-W11.
W10 = datetime(2026, 3, 3, 12, 0, tzinfo=dt_timezone.utc)
W11 = datetime(2026, 3, 10, 8, 0, tzinfo=dt_timezone.utc)
RANGE = {"start": "2026-03-02", "end": "2026-03-15"}


@pytest.fixture
def reasons(db):
    too_many = UnsubscribeReason.objects.create(label_de="Zu viele", label_en="Too many mails",
                                                reason_type="too_many_messages")
    other = UnsubscribeReason.objects.create(label_de="Sonstiges", label_en="=Something else",
                                             reason_type="other", asks_free_text=True)
    return too_many, other


@pytest.fixture
def requests_(reasons):
    too_many, other = reasons
    contact = iter(range(70001, 70100))

    def add(n, created, reason=None, mailing=None, **fields):
        return [
            UnsubscribeRequest(contact_id=next(contact), created_at=created, reason=reason,
                               reason_type=reason.reason_type if reason else "", mailing_id=mailing,
                               status="delivered", **fields)
            for _ in range(n)
        ]

    UnsubscribeRequest.objects.bulk_create([
        *add(3, W10, too_many, 501),
        *add(1, W10, other, 501, reason_message=SECRET_MESSAGE),
        *add(2, W11, too_many, 502),
        *add(1, W11, None, None, via=Via.ONE_CLICK),
        *add(5, W11 + timedelta(days=30), too_many, 503),  # outside the range
    ])


def svg(html: str, chart_id: str) -> str:
    return re.search(rf'<svg[^>]*id="{chart_id}".*?</svg>', html, re.S).group(0)


def columns(svg_text: str) -> dict[str, dict]:
    """label -> {"total": int, "segments": {series: (value, height)}} as drawn."""
    result = {}
    for group in re.finditer(r'<g class="pc-column" data-label="([^"]*)" data-total="(\d+)">(.*?)</g>', svg_text,
                             re.S):
        segments = {
            match.group("series"): (int(match.group("value")), float(match.group("height")))
            for match in re.finditer(
                r'<rect [^>]*height="(?P<height>[\d.]+)"[^>]*data-series="(?P<series>[^"]*)" '
                r'data-value="(?P<value>\d+)"', group.group(3))
        }
        result[group.group(1)] = {"total": int(group.group(2)), "segments": segments}
    return result


def test_weekly_chart_draws_one_stacked_column_per_iso_week(staff_client, requests_):
    html = staff_client.get(reverse(REASONS_URL), RANGE).content.decode()
    drawn = columns(svg(html, "week-chart"))
    assert list(drawn) == ["2026-W10", "2026-W11"]
    assert drawn["2026-W10"]["total"] == 4
    assert {key: value for key, (value, _h) in drawn["2026-W10"]["segments"].items()} == {
        "too_many_messages": 3, "other": 1}
    assert {key: value for key, (value, _h) in drawn["2026-W11"]["segments"].items()} == {
        "too_many_messages": 2, "": 1}
    # Heights are proportional to the values: 3 too-many in W10 is three times the one "other".
    w10 = drawn["2026-W10"]["segments"]
    assert w10["too_many_messages"][1] == pytest.approx(3 * w10["other"][1], abs=0.2)
    assert drawn["2026-W11"]["segments"]["too_many_messages"][1] == pytest.approx(2 * w10["other"][1], abs=0.2)


def test_mailing_chart_and_tables(staff_client, requests_):
    html = staff_client.get(reverse(REASONS_URL), RANGE).content.decode()
    drawn = columns(svg(html, "mailing-chart"))
    assert {label: column["total"] for label, column in drawn.items()} == {"501": 4, "502": 2, "No mailing": 1}
    assert list(drawn)[0] == "501"  # most unsubscribes first
    table = re.search(r'<table id="entry-table">.*?</table>', html, re.S).group(0)
    assert re.search(r"Too many mails</th><td>Too many messages</td><td>3</td><td>2</td><td>5</td>", table)
    week_table = re.search(r'<table id="week-table">.*?</table>', html, re.S).group(0)
    assert "<th scope=\"row\">2026-W11</th>" in week_table


def test_chart_is_accessible_and_free_of_inline_style(staff_client, requests_):
    response = staff_client.get(reverse(REASONS_URL), RANGE)
    html = response.content.decode()
    chart = svg(html, "week-chart")
    assert 'role="img"' in chart and 'aria-labelledby="week-chart-title week-chart-desc"' in chart
    assert re.search(r'<title id="week-chart-title">[^<]+</title>', chart)
    assert re.search(r'<desc id="week-chart-desc">[^<]+</desc>', chart)
    assert "style=" not in html and "<script>" not in html
    assert "style-src 'self'" in response["Content-Security-Policy"]


def test_coordinates_are_not_localised(staff_client, requests_):
    html = staff_client.get(reverse(REASONS_URL), RANGE, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    chart = svg(html, "week-chart")
    assert "Abmeldungen pro ISO-Woche nach Grundtyp" in chart  # the German page
    assert not re.search(r'(x|y|height|width)="\d+,\d', chart)


def test_recipient_messages_and_contact_ids_never_show(staff_client, requests_):
    html = staff_client.get(reverse(REASONS_URL), RANGE).content.decode()
    assert SECRET_MESSAGE not in html
    assert "70001" not in html


def test_default_range_is_the_last_twelve_weeks(staff_client, db):
    response = staff_client.get(reverse(REASONS_URL))
    drawn = columns(svg(response.content.decode(), "week-chart")) if "week-chart" in response.content.decode() else {}
    date_range = response.context["date_range"]
    assert date_range.start.weekday() == 0
    assert (date_range.end - date_range.start).days // 7 == 11
    assert len(response.context["week_labels"]) == 12
    assert drawn == {}  # nothing recorded: no chart, a sentence
    assert 'id="no-reasons"' in response.content.decode()


def test_an_invalid_range_is_explained_and_the_default_shown(staff_client, requests_):
    response = staff_client.get(reverse(REASONS_URL), {"start": "2026-03-15", "end": "2026-03-02"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    too_long = staff_client.get(reverse(REASONS_URL), {"start": "2020-01-01", "end": "2026-03-02"})
    assert "Choose at most two years." in too_long.content.decode()


def test_csv_holds_counts_per_reason_type_week_and_mailing(staff_client, requests_):
    response = staff_client.get(reverse(CSV_URL), RANGE, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="unsubscribe-reasons-2026-03-02-2026-03-15.csv"')
    body = response.content.decode()
    assert body.startswith("\ufeff")  # so that Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(body[1:])))  # English: commas (a German admin gets semicolons)
    assert rows[0] == ["Reason", "Maileon type", "Week", "Mailing", "Count"]
    assert sorted(rows[1:]) == sorted([
        ["Too many mails", "Too many messages", "2026-W10", "501", "3"],
        ["'=Something else", "Other", "2026-W10", "501", "1"],  # a formula-like label is defused
        ["Too many mails", "Too many messages", "2026-W11", "502", "2"],
        ["no catalogue entry", "No reason given", "2026-W11", "", "1"],
    ])


def test_csv_has_no_personal_data(staff_client, requests_):
    body = staff_client.get(reverse(CSV_URL), RANGE).content.decode()
    assert SECRET_MESSAGE not in body
    contact_ids = UnsubscribeRequest.objects.values_list("contact_id", flat=True)
    assert not any(str(contact_id) in body for contact_id in contact_ids)


def test_page_links_to_the_csv_for_the_same_range(staff_client, requests_):
    html = staff_client.get(reverse(REASONS_URL), RANGE).content.decode()
    assert f'href="{reverse(CSV_URL)}?start=2026-03-02&amp;end=2026-03-15"' in html


def test_iso_week_at_a_year_boundary(staff_client, reasons):
    # 2027-01-01 is a Friday: ISO week 2026-W53.
    UnsubscribeRequest.objects.create(contact_id=1, created_at=datetime(2027, 1, 1, 9, tzinfo=dt_timezone.utc),
                                      reason=reasons[0], reason_type="too_many_messages", status="delivered")
    body = staff_client.get(reverse(CSV_URL), {"start": "2026-12-28", "end": "2027-01-03"}).content.decode()
    assert "2026-W53" in body
