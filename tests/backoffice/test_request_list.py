"""The unsubscribe request list: overdue marking after an hour, age buckets, reasons and evidence shown,
"retry now" for failed and pending rows, and the review of suspected automated requests."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from preference_center.models import Status, UnsubscribeReason, UnsubscribeRequest

LIST_URL = "admin:preference_center_unsubscriberequest_changelist"
EVIDENCE = "user agent matches scanner pattern 'barracuda'"


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def shown(client, query: dict) -> set[int]:
    return {row.contact_id for row in client.get(reverse(LIST_URL), query).context["cl"].result_list}


def row_html(html: str, contact_id: int) -> str:
    for row in re.findall(r"<tr>.*?</tr>", html, re.S):
        if f">{contact_id}<" in row:
            return row.replace("\xa0", " ")  # timesince separates number and unit by a no-break space
    raise AssertionError(f"no row for {contact_id}")


def test_pending_for_more_than_an_hour_is_marked_overdue(staff_client, db):
    UnsubscribeRequest.objects.create(contact_id=1, created_at=ago(minutes=59))
    UnsubscribeRequest.objects.create(contact_id=2, created_at=ago(minutes=61))
    UnsubscribeRequest.objects.create(contact_id=3, created_at=ago(hours=5), status=Status.FAILED)
    UnsubscribeRequest.objects.create(contact_id=4, created_at=ago(hours=5), status=Status.DELIVERED,
                                      delivered_at=ago(hours=3))
    html = staff_client.get(reverse(LIST_URL)).content.decode()
    assert 'class="pc-overdue"' in row_html(html, 2) and "(overdue)" in row_html(html, 2)
    for calm in (1, 3, 4):
        assert "overdue" not in row_html(html, calm), calm
    assert "2 hours" in row_html(html, 4)  # a delivered row's age is its time to delivery
    # The marker's style comes from a stylesheet (the CSP allows no inline style).
    assert "preference_center/admin.css" in html and "style=" not in row_html(html, 2)


def test_overdue_filters(staff_client, db):
    UnsubscribeRequest.objects.create(contact_id=1, created_at=ago(minutes=10))
    UnsubscribeRequest.objects.create(contact_id=2, created_at=ago(hours=2))
    UnsubscribeRequest.objects.create(contact_id=3, created_at=ago(days=3))
    UnsubscribeRequest.objects.create(contact_id=4, created_at=ago(days=3), status=Status.FAILED)
    assert shown(staff_client, {"overdue": "hour"}) == {2, 3}
    assert shown(staff_client, {"overdue": "yes"}) == {3}


@pytest.mark.parametrize(("bucket", "expected"), [
    ("1h", {1}), ("24h", {2}), ("7d", {3}), ("30d", {4}), ("older", {5}),
])
def test_age_buckets(staff_client, db, bucket, expected):
    for contact_id, age in enumerate([timedelta(minutes=5), timedelta(hours=5), timedelta(days=3),
                                      timedelta(days=12), timedelta(days=90)], start=1):
        UnsubscribeRequest.objects.create(contact_id=contact_id, created_at=timezone.now() - age,
                                          status=Status.DELIVERED)
    assert shown(staff_client, {"age": bucket}) == expected


def test_reason_entry_mailing_method_and_error_are_listed(staff_client, db):
    reason = UnsubscribeReason.objects.create(label_de="Zu viele", label_en="Too many mails",
                                              reason_type="too_many_messages")
    UnsubscribeRequest.objects.create(contact_id=41, reason=reason, reason_type="too_many_messages",
                                      mailing_id=88120, via="one_click", status=Status.FAILED, attempts=3,
                                      last_error="HTTP 400: contact not found in mailing")
    row = row_html(staff_client.get(reverse(LIST_URL)).content.decode(), 41)
    for text in ["Too many mails", "Too many messages", "88120", "one-click (mail client)", ">3<",
                 "HTTP 400: contact not found in mailing", "failed"]:
        assert text in row, text


def test_suspected_requests_show_their_evidence_and_can_be_filtered(staff_client, db):
    UnsubscribeRequest.objects.create(contact_id=1, suspected_automation=True, automation_evidence=EVIDENCE,
                                      status=Status.DELIVERED)
    UnsubscribeRequest.objects.create(contact_id=2, suspected_automation=True, automation_evidence="fast",
                                      status=Status.DELIVERED, reviewed_at=ago(days=1))
    UnsubscribeRequest.objects.create(contact_id=3, status=Status.DELIVERED)
    html = staff_client.get(reverse(LIST_URL)).content.decode()
    assert "barracuda" in row_html(html, 1) and "not reviewed" in row_html(html, 1)
    assert "pc-suspected" not in row_html(html, 3) and "pc-suspected" in row_html(html, 2)
    assert shown(staff_client, {"suspected": "unreviewed"}) == {1}
    assert shown(staff_client, {"suspected": "reviewed"}) == {2}
    assert shown(staff_client, {"suspected": "yes"}) == {1, 2}
    assert shown(staff_client, {"suspected": "no"}) == {3}


def test_mark_reviewed_records_who_and_when(staff_client, admin_user, db):
    suspected = UnsubscribeRequest.objects.create(contact_id=1, suspected_automation=True,
                                                  automation_evidence=EVIDENCE, status=Status.DELIVERED)
    earlier = ago(days=3)
    already = UnsubscribeRequest.objects.create(contact_id=2, suspected_automation=True, status=Status.DELIVERED,
                                                reviewed_at=earlier)
    plain = UnsubscribeRequest.objects.create(contact_id=3, status=Status.DELIVERED)
    response = staff_client.post(reverse(LIST_URL), {
        "action": "mark_reviewed", "_selected_action": [str(row.pk) for row in (suspected, already, plain)],
    }, follow=True)
    assert "1 suspected automated request marked as reviewed." in response.content.decode()
    for row in (suspected, already, plain):
        row.refresh_from_db()
    assert suspected.reviewed_at is not None and suspected.reviewed_by == admin_user
    assert already.reviewed_at == earlier  # the first review stays
    assert plain.reviewed_at is None  # nothing to review
    # The detail page shows the evidence and the review.
    detail = staff_client.get(reverse("admin:preference_center_unsubscriberequest_change", args=[suspected.pk]))
    assert "(user agent) contains barracuda" in detail.content.decode()  # the stored evidence, in words
    assert admin_user.username in detail.content.decode()


def test_reviewing_needs_the_change_permission(client, db):
    row = UnsubscribeRequest.objects.create(contact_id=1, suspected_automation=True, status=Status.DELIVERED)
    user = User.objects.create_user("viewer", password="pw-viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_unsubscriberequest"))
    client.force_login(user)
    list_page = client.get(reverse(LIST_URL))
    assert list_page.status_code == 200
    assert 'value="mark_reviewed"' not in list_page.content.decode()
    client.post(reverse(LIST_URL), {"action": "mark_reviewed", "_selected_action": [str(row.pk)]})
    row.refresh_from_db()
    assert row.reviewed_at is None


def test_retry_now_makes_pending_and_failed_rows_due_now(staff_client, db):
    pytest.importorskip("preference_center.delivery.worker")
    later = timezone.now() + timedelta(hours=6)
    pending = UnsubscribeRequest.objects.create(contact_id=1, next_attempt_at=later)
    failed = UnsubscribeRequest.objects.create(contact_id=2, status=Status.FAILED, next_attempt_at=later)
    delivered = UnsubscribeRequest.objects.create(contact_id=3, status=Status.DELIVERED, delivered_at=ago(hours=1),
                                                  next_attempt_at=later)
    response = staff_client.post(reverse(LIST_URL), {
        "action": "retry_now", "_selected_action": [str(row.pk) for row in (pending, failed, delivered)],
    }, follow=True)
    assert "2 unsubscribes queued for delivery now." in response.content.decode()
    for row in (pending, failed, delivered):
        row.refresh_from_db()
    assert pending.status == failed.status == Status.PENDING
    assert pending.next_attempt_at <= timezone.now() and failed.next_attempt_at <= timezone.now()
    assert (delivered.status, delivered.next_attempt_at) == (Status.DELIVERED, later)


def test_list_query_count_does_not_grow_with_reasons(staff_client, db, django_assert_max_num_queries):
    reasons = [UnsubscribeReason.objects.create(label_de=f"G{i}", label_en=f"R{i}", reason_type="other")
               for i in range(20)]
    UnsubscribeRequest.objects.bulk_create([
        UnsubscribeRequest(contact_id=i, reason=reasons[i % 20], status=Status.DELIVERED) for i in range(100)
    ])
    staff_client.get(reverse(LIST_URL))
    with django_assert_max_num_queries(12):
        staff_client.get(reverse(LIST_URL))
