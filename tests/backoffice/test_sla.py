"""The SLA page: figures per window on rows with explicit timestamps, the warning for long-pending requests,
links to the rows behind the numbers, a bounded number of queries, and staff only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from preference_center.models import Status, UnsubscribeRequest

SLA_URL = "admin:preference_center_unsubscriberequest_sla"


def make(contact_id: int, *, age: timedelta, status: str = Status.DELIVERED, took: timedelta | None = None,
         now=None, **fields) -> UnsubscribeRequest:
    """A request received `age` ago; delivered ones took `took` (default 10 seconds)."""
    now = now or timezone.now()
    created = now - age
    delivered = created + (took or timedelta(seconds=10)) if status == Status.DELIVERED else None
    return UnsubscribeRequest(contact_id=contact_id, status=status, created_at=created, delivered_at=delivered,
                              **fields)


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>(.*?)</td>', html, re.S)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1)).split()[0] if match.group(1).strip() else ""


def figure_text(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>(.*?)</td>', html, re.S)
    assert match, name
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


@pytest.fixture
def crafted(db):
    now = timezone.now()
    rows = [
        # last 24 h: 3 delivered (10 s, 20 s, 1 h), 1 pending 2 h old, 1 failed
        make(1, age=timedelta(hours=1), took=timedelta(seconds=10), now=now),
        make(2, age=timedelta(hours=3), took=timedelta(seconds=20), now=now),
        make(3, age=timedelta(hours=5), took=timedelta(hours=1), now=now),
        make(4, age=timedelta(hours=2), status=Status.PENDING, now=now),
        make(5, age=timedelta(hours=6), status=Status.FAILED, last_error="HTTP 400: bad", now=now),
        # 1-7 days: delivered late (after 3 days), pending 4 days (past the deadline), delivered in 30 s
        make(6, age=timedelta(days=5), took=timedelta(days=3), now=now),
        make(7, age=timedelta(days=4), status=Status.PENDING, now=now),
        make(8, age=timedelta(days=2, hours=1), took=timedelta(seconds=30), now=now),
        # 7-30 days: two delivered in 40 s
        make(9, age=timedelta(days=10), took=timedelta(seconds=40), now=now),
        make(10, age=timedelta(days=20), took=timedelta(seconds=40), now=now),
        # older than 30 days: counted only in the all-time pending/failed figures
        make(11, age=timedelta(days=40), took=timedelta(seconds=5), now=now),
        make(12, age=timedelta(days=45), status=Status.FAILED, now=now),
    ]
    return UnsubscribeRequest.objects.bulk_create(rows)


def test_counts_per_window(staff_client, crafted):
    html = staff_client.get(reverse(SLA_URL)).content.decode()
    expected = {
        "24h": {"received": 5, "delivered": 3, "pending": 1, "failed": 1},
        "7d": {"received": 8, "delivered": 5, "pending": 2, "failed": 1},
        "30d": {"received": 10, "delivered": 7, "pending": 2, "failed": 1},
    }
    for window, counts in expected.items():
        for name, value in counts.items():
            assert figure(html, f"{window}-{name}") == str(value), (window, name)


def test_share_delivered_within_48_hours_counts_only_decided_requests(staff_client, crafted):
    html = staff_client.get(reverse(SLA_URL)).content.decode()
    # 24 h: 3 delivered in time + 1 failed decided; the 2-hour-old pending row is not decided yet.
    assert figure_text(html, "24h-share") == "75.0 % (3 of 4)"
    # 7 d: + delivered late, pending past the deadline, delivered in time -> 4 of 7
    assert figure_text(html, "7d-share") == "57.1 % (4 of 7)"
    assert figure_text(html, "30d-share") == "66.7 % (6 of 9)"


def test_median_and_p95_time_to_delivery(staff_client, crafted):
    html = staff_client.get(reverse(SLA_URL)).content.decode()
    # 24 h delivery times: 10 s, 20 s, 1 h -> median 20 s (nearest rank), p95 1 h
    assert figure_text(html, "24h-median") == "20 seconds"
    assert figure_text(html, "24h-p95") == "1 hour"
    # 30 d: 10 s, 20 s, 30 s, 40 s, 40 s, 1 h, 3 days -> median 40 s, p95 3 days
    assert figure_text(html, "30d-median") == "40 seconds"
    assert figure_text(html, "30d-p95") == "3 days"


def test_oldest_pending_and_failed_link_to_their_rows(staff_client, crafted):
    response = staff_client.get(reverse(SLA_URL))
    html = response.content.decode()
    oldest = UnsubscribeRequest.objects.get(contact_id=7)
    assert reverse("admin:preference_center_unsubscriberequest_change", args=[oldest.pk]) in html
    assert figure_text(html, "oldest-pending") == "received 4 days ago"
    assert figure(html, "failed") == "2"  # all time, the 45-day-old one included
    failed_url = reverse("admin:preference_center_unsubscriberequest_changelist") + "?status__exact=failed"
    assert failed_url in html
    shown = staff_client.get(failed_url).context["cl"].result_list
    assert {row.contact_id for row in shown} == {5, 12}


def test_pending_for_more_than_an_hour_stands_out(staff_client, db):
    UnsubscribeRequest.objects.create(contact_id=1, created_at=timezone.now() - timedelta(minutes=30))
    html = staff_client.get(reverse(SLA_URL)).content.decode()
    assert 'id="pending-warning"' not in html  # half an hour: no warning yet

    UnsubscribeRequest.objects.create(contact_id=2, created_at=timezone.now() - timedelta(minutes=70))
    html = staff_client.get(reverse(SLA_URL)).content.decode()
    warning = re.search(r'<ul class="messagelist" id="pending-warning".*?</ul>', html, re.S).group(0)
    assert "1 unsubscribe has been pending for more than an hour" in warning
    assert "?overdue=hour" in warning
    assert 'class="warning"' in warning and "deadline" not in warning


def test_pending_past_the_deadline_is_an_error(staff_client, db):
    UnsubscribeRequest.objects.create(contact_id=1, created_at=timezone.now() - timedelta(days=3))
    html = staff_client.get(reverse(SLA_URL)).content.decode()
    warning = re.search(r'<ul class="messagelist" id="pending-warning".*?</ul>', html, re.S).group(0)
    assert 'class="error"' in warning
    assert "1 of them is past the two-day deadline" in warning


def test_empty_database(staff_client, db):
    html = staff_client.get(reverse(SLA_URL)).content.decode()
    assert figure(html, "30d-received") == "0"
    assert figure_text(html, "30d-share") == "–"
    assert figure_text(html, "30d-median") == "–"
    assert "nothing is waiting" in html


def test_query_count_does_not_grow_with_rows(staff_client, db, django_assert_max_num_queries):
    now = timezone.now()
    statuses = [Status.DELIVERED] * 7 + [Status.PENDING, Status.FAILED, Status.DELIVERED]
    rows = []
    for index in range(3000):
        status = statuses[index % len(statuses)]
        if status == Status.PENDING and index % 100 != 7:
            status = Status.DELIVERED  # one pending row per contact; a few are enough
        rows.append(make(index, age=timedelta(minutes=15 * index), status=status,
                         took=timedelta(seconds=index % 600), now=now))
    UnsubscribeRequest.objects.bulk_create(rows, batch_size=500)
    url = reverse(SLA_URL)
    staff_client.get(url)  # session and user caches warm
    # session + user + 3 aggregates + oldest pending + up to 6 percentile reads (2 per window, SQLite)
    with django_assert_max_num_queries(13):
        response = staff_client.get(url)
    html = response.content.decode()
    # Rows every 15 minutes: 30 days hold 2880 of them (the one received exactly 30 days ago is out by now).
    assert figure(html, "30d-received") == str(30 * 24 * 4)


def test_linked_from_the_admin_index_and_the_request_list(staff_client, db):
    url = reverse(SLA_URL)
    assert f'href="{url}"' in staff_client.get(reverse("admin:index")).content.decode()
    changelist = staff_client.get(reverse("admin:preference_center_unsubscriberequest_changelist"))
    assert f'href="{url}"' in changelist.content.decode()


@pytest.mark.parametrize("name", [SLA_URL, "admin:preference_center_unsubscriberequest_reasons",
                                  "admin:preference_center_unsubscriberequest_reasons_csv"])
def test_reports_are_for_staff_only(client, db, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    client.force_login(User.objects.create_user("reader", password="pw-reader"))  # logged in, not staff
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", [SLA_URL, "admin:preference_center_unsubscriberequest_reasons",
                                  "admin:preference_center_unsubscriberequest_reasons_csv"])
def test_staff_need_the_permission_to_view_unsubscribe_requests(client, db, name):
    user = User.objects.create_user("editor", password="pw-editor", is_staff=True)
    client.force_login(user)
    assert client.get(reverse(name)).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_unsubscriberequest"))
    assert client.get(reverse(name)).status_code == 200
