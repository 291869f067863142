"""Every admin screen renders for staff and is refused to anonymous visitors; the unsubscribe log is read-only
and never shows a checksum."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from preference_center.models import PageConfig, Status, UnsubscribeReason, UnsubscribeRequest

SECRET_CHECKSUM = "Qm7-tR2xLpZZ"


@pytest.fixture
def unsubscribe_request(db) -> UnsubscribeRequest:
    return UnsubscribeRequest.objects.create(
        contact_id=40417, checksum=SECRET_CHECKSUM, mailing_id=88120, page=PageConfig.get_default(),
        reason_type="other", reason_message="Zu viel", last_error="HTTP 503: down",
    )


def _admin_urls(unsubscribe_request) -> list[str]:
    page = PageConfig.get_default()
    reason = UnsubscribeReason.objects.first()
    return [
        reverse("admin:preference_center_pageconfig_changelist"),
        reverse("admin:preference_center_pageconfig_add"),
        reverse("admin:preference_center_pageconfig_change", args=[page.pk]),
        reverse("admin:preference_center_unsubscribereason_changelist"),
        reverse("admin:preference_center_unsubscribereason_add"),
        reverse("admin:preference_center_unsubscribereason_change", args=[reason.pk]),
        reverse("admin:preference_center_unsubscriberequest_changelist"),
        reverse("admin:preference_center_unsubscriberequest_change", args=[unsubscribe_request.pk]),
    ]


def test_every_screen_renders_for_staff(staff_client, maileon_sandbox, unsubscribe_request):
    for url in _admin_urls(unsubscribe_request):
        assert staff_client.get(url).status_code == 200, url


def test_every_screen_sends_anonymous_visitors_to_the_login(client, unsubscribe_request):
    for url in _admin_urls(unsubscribe_request):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_unsubscribe_log_cannot_be_added_to_or_edited(staff_client, unsubscribe_request):
    assert staff_client.get(reverse("admin:preference_center_unsubscriberequest_add")).status_code == 403
    change_url = reverse("admin:preference_center_unsubscriberequest_change", args=[unsubscribe_request.pk])
    response = staff_client.post(change_url, {"contact_id": "1", "status": Status.DELIVERED})
    assert response.status_code == 403
    unsubscribe_request.refresh_from_db()
    assert (unsubscribe_request.contact_id, unsubscribe_request.status) == (40417, Status.PENDING)


def test_unsubscribe_log_never_shows_the_checksum(staff_client, unsubscribe_request):
    for url in [
        reverse("admin:preference_center_unsubscriberequest_changelist"),
        reverse("admin:preference_center_unsubscriberequest_change", args=[unsubscribe_request.pk]),
    ]:
        response = staff_client.get(url)
        assert b"40417" in response.content  # the row is there
        assert SECRET_CHECKSUM.encode() not in response.content


@pytest.mark.parametrize(
    ("term", "found"),
    [("40417", True), ("88120", True), ("4041", False), ("Zu viel", False), ("40417 OR 1=1", False)],
)
def test_unsubscribe_log_searches_exact_contact_and_mailing_ids(staff_client, unsubscribe_request, term, found):
    other = UnsubscribeRequest.objects.create(contact_id=99, mailing_id=77, status=Status.DELIVERED)
    url = reverse("admin:preference_center_unsubscriberequest_changelist")
    response = staff_client.get(url, {"q": term})
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert (unsubscribe_request in shown) is found
    assert other not in shown


def test_unsubscribe_log_filters_by_status_via_reason_and_page(staff_client, unsubscribe_request):
    url = reverse("admin:preference_center_unsubscriberequest_changelist")
    for query, found in [
        ({"status__exact": "pending"}, True), ({"status__exact": "delivered"}, False),
        ({"via__exact": "page"}, True), ({"via__exact": "one_click"}, False),
        ({"reason_type__exact": "other"}, True), ({"reason_type__exact": "no_demand"}, False),
        ({"page__id__exact": str(unsubscribe_request.page_id)}, True),
    ]:
        shown = list(staff_client.get(url, query).context["cl"].result_list)
        assert (unsubscribe_request in shown) is found, query


def test_reason_list_edits_position_and_active_in_place(staff_client):
    reasons = list(UnsubscribeReason.objects.order_by("pk"))
    data = {"form-TOTAL_FORMS": str(len(reasons)), "form-INITIAL_FORMS": str(len(reasons)), "_save": "Save"}
    for index, reason in enumerate(reasons):
        data[f"form-{index}-id"] = str(reason.pk)
        data[f"form-{index}-position"] = str(100 - index)
        if index:  # the first one is switched off
            data[f"form-{index}-active"] = "on"
    response = staff_client.post(reverse("admin:preference_center_unsubscribereason_changelist"), data)
    assert response.status_code == 302
    first = UnsubscribeReason.objects.get(pk=reasons[0].pk)
    assert (first.position, first.active) == (100, False)
    assert UnsubscribeReason.objects.filter(active=True).count() == len(reasons) - 1


def test_retry_now_makes_a_failed_unsubscribe_due_again(staff_client, unsubscribe_request):
    pytest.importorskip("preference_center.delivery.worker")
    unsubscribe_request.status = Status.FAILED
    unsubscribe_request.next_attempt_at = timezone.now() + timedelta(days=1)
    unsubscribe_request.save()
    response = staff_client.post(
        reverse("admin:preference_center_unsubscriberequest_changelist"),
        {"action": "retry_now", "_selected_action": [str(unsubscribe_request.pk)]},
        follow=True,
    )
    assert "1 unsubscribe queued" in response.content.decode()
    unsubscribe_request.refresh_from_db()
    assert unsubscribe_request.status == Status.PENDING
    assert unsubscribe_request.next_attempt_at <= timezone.now()


def test_every_editable_field_explains_itself(staff_client, maileon_sandbox, default_page):
    pages = {
        "page": reverse("admin:preference_center_pageconfig_change", args=[default_page.pk]),
        "reason": reverse("admin:preference_center_unsubscribereason_add"),
    }
    for what, url in pages.items():
        context = staff_client.get(url).context
        # Fields explained together, once above them (a profile field's labels in every language), count too.
        described = {name for admin_form in [context["adminform"], *context["inline_admin_formsets"]]
                     for _title, options in admin_form.fieldsets if str(options.get("description") or "").strip()
                     for line in options["fields"] for name in ([line] if isinstance(line, str) else line)}
        forms = [context["adminform"].form]
        for inline in context["inline_admin_formsets"]:
            forms.append(inline.formset.empty_form)
        for form in forms:
            for name, field in form.fields.items():
                if name not in {"id", "page", "DELETE"} | described:
                    assert str(field.help_text).strip(), f"{what}: {type(form).__name__}.{name} has no help text"


def test_pending_unsubscribes_older_than_two_days_are_marked_overdue(staff_client, unsubscribe_request):
    old = timezone.now() - timedelta(days=3)
    late = UnsubscribeRequest.objects.create(contact_id=501, created_at=old)
    done = UnsubscribeRequest.objects.create(contact_id=502, created_at=old, status=Status.DELIVERED,
                                             delivered_at=old + timedelta(minutes=5))
    url = reverse("admin:preference_center_unsubscriberequest_changelist")
    assert staff_client.get(url).content.decode().count("(overdue)") == 1
    shown = list(staff_client.get(url, {"overdue": "yes"}).context["cl"].result_list)
    assert shown == [late]
    assert done not in shown and unsubscribe_request not in shown
