"""Roles: the "Marketing" group the migration creates lets a marketer do exactly their work (pages with their fields
and groups, reasons, the unsubscribe log with its review and retry, the reports) and nothing else (users, groups,
lockouts); staff with view permissions only read every screen without personal data: no contact id, no
recipient's own words, no delivery error, no colleague's name, on no screen and in no CSV file.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timezone as dt_timezone

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from preference_center.models import PageConfig, Status, UnsubscribeReason, UnsubscribeRequest

from .formdata import page_form_data, profile_field

CONTACT_ID = 40417
MAILING_ID = 88120
OWN_WORDS = "Bitte nicht mehr, Gruss Erika aus Pforzheim"
DELIVERY_ERROR = "HTTP 404: contact 40417 not found"
REVIEWER = "petra.pruefer"
RECEIVED = datetime(2026, 3, 3, 12, tzinfo=dt_timezone.utc)
RANGE = {"start": "2026-03-02", "end": "2026-03-15"}
LIST_URL = reverse("admin:preference_center_unsubscriberequest_changelist")
APP_VIEW_PERMISSIONS = ["view_pageconfig", "view_profilefield", "view_preferencegroup", "view_unsubscribereason",
                        "view_unsubscriberequest"]


@pytest.fixture
def request_row(db, default_page) -> UnsubscribeRequest:
    reviewer = User.objects.create_user(REVIEWER, is_staff=True)
    return UnsubscribeRequest.objects.create(
        contact_id=CONTACT_ID, mailing_id=MAILING_ID, page=default_page, created_at=RECEIVED, status=Status.FAILED,
        reason=UnsubscribeReason.objects.first(), reason_type="other", reason_message=OWN_WORDS,
        last_error=DELIVERY_ERROR, suspected_automation=True, automation_evidence="no user agent",
        reviewed_at=RECEIVED, reviewed_by=reviewer,
    )


def _staff(username: str, *, groups=(), permissions=()) -> User:
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(*groups)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="preference_center",
                                                         codename__in=permissions))
    return user


@pytest.fixture
def marketer_client(client, db):
    client.force_login(_staff("mara.marketing", groups=[Group.objects.get(name="Marketing")]))
    return client


@pytest.fixture
def viewer_client(client, db):
    client.force_login(_staff("vera.viewer", permissions=APP_VIEW_PERMISSIONS))
    return client


# --- the group


def test_the_migration_creates_the_marketing_group_with_exactly_a_marketers_permissions(db):
    granted = {(p.content_type.model, p.codename) for p in Group.objects.get(name="Marketing").permissions.all()}
    expected = {(model, f"{action}_{model}") for model in ("pageconfig", "profilefield", "preferencegroup",
                                                          "unsubscribereason")
                for action in ("add", "change", "view", "delete")}
    expected |= {("unsubscriberequest", "view_unsubscriberequest"), ("unsubscriberequest", "change_unsubscriberequest"),
                 ("unsubscriberequest", "view_personal_data")}
    assert granted == expected


def test_a_marketer_configures_pages_and_reasons(marketer_client, maileon_down, default_page):
    added = marketer_client.post(reverse("admin:preference_center_pageconfig_add"),
                                 page_form_data(slug="herbst", fields=[profile_field("FIRSTNAME")]))
    assert added.status_code == 302
    page = PageConfig.objects.get(slug="herbst")
    assert list(page.fields.values_list("name", flat=True)) == ["FIRSTNAME"]  # the inline's row too
    changed = marketer_client.post(reverse("admin:preference_center_pageconfig_change", args=[page.pk]),
                                   page_form_data(name="Herbst", slug="herbst"))
    assert changed.status_code == 302
    assert PageConfig.objects.get(pk=page.pk).name == "Herbst"
    marketer_client.post(reverse("admin:preference_center_pageconfig_delete", args=[page.pk]), {"post": "yes"})
    assert not PageConfig.objects.filter(slug="herbst").exists()

    reason_add = reverse("admin:preference_center_unsubscribereason_add")
    assert marketer_client.get(reason_add).status_code == 200
    reason = UnsubscribeReason.objects.create(label_de="Zu teuer", reason_type="other")
    deleted = marketer_client.post(reverse("admin:preference_center_unsubscribereason_delete", args=[reason.pk]),
                                   {"post": "yes"})
    assert deleted.status_code == 302 and not UnsubscribeReason.objects.filter(pk=reason.pk).exists()


def test_a_marketer_reviews_retries_and_reads_the_reports(marketer_client, request_row):
    for url in (LIST_URL, reverse("admin:preference_center_unsubscriberequest_sla"),
                reverse("admin:preference_center_unsubscriberequest_reasons"),
                reverse("admin:preference_center_unsubscriberequest_reasons_csv"),
                reverse("admin:preference_center_unsubscriberequest_kept_csv")):
        assert marketer_client.get(url).status_code == 200, url
    detail = marketer_client.get(reverse("admin:preference_center_unsubscriberequest_change", args=[request_row.pk]))
    assert OWN_WORDS in detail.content.decode() and str(CONTACT_ID) in detail.content.decode()  # may see personal

    UnsubscribeRequest.objects.filter(pk=request_row.pk).update(reviewed_at=None, reviewed_by=None)
    marketer_client.post(LIST_URL, {"action": "mark_reviewed", "_selected_action": [str(request_row.pk)]})
    marketer_client.post(LIST_URL, {"action": "retry_now", "_selected_action": [str(request_row.pk)]})
    request_row.refresh_from_db()
    assert request_row.reviewed_by.username == "mara.marketing"
    assert request_row.status == Status.PENDING  # queued again


def test_a_marketer_cannot_edit_the_log_nor_reach_users_groups_or_lockouts(marketer_client, request_row):
    assert marketer_client.get(reverse("admin:preference_center_unsubscriberequest_add")).status_code == 403
    assert marketer_client.post(reverse("admin:preference_center_unsubscriberequest_delete", args=[request_row.pk]),
                                {"post": "yes"}).status_code == 403
    for name in ("auth_user_changelist", "auth_group_changelist", "axes_accessattempt_changelist",
                 "axes_accessfailurelog_changelist", "axes_accesslog_changelist"):
        assert marketer_client.get(reverse(f"admin:{name}")).status_code == 403, name
    index = marketer_client.get(reverse("admin:index")).content.decode()
    assert "/admin/auth/" not in index and "/admin/axes/" not in index


# --- view only


def _every_screen(request_row) -> list[str]:
    page = PageConfig.get_default()
    reason = UnsubscribeReason.objects.first()
    reports = [reverse(f"admin:preference_center_unsubscriberequest_{name}")
               for name in ("sla", "reasons", "reasons_csv", "kept_csv")]
    return [
        reverse("admin:index"),
        reverse("admin:app_list", args=["preference_center"]),
        reverse("admin:preference_center_pageconfig_changelist"),
        reverse("admin:preference_center_pageconfig_change", args=[page.pk]),
        reverse("admin:preference_center_pageconfig_preview", args=[page.pk, "unsubscribe", "de"]),
        reverse("admin:preference_center_unsubscribereason_changelist"),
        reverse("admin:preference_center_unsubscribereason_change", args=[reason.pk]),
        LIST_URL,
        f"{LIST_URL}?suspected=reviewed",
        f"{LIST_URL}?status__exact=failed",
        reverse("admin:preference_center_unsubscriberequest_change", args=[request_row.pk]),
        *(f"{url}?start={RANGE['start']}&end={RANGE['end']}" for url in reports),
    ]


def test_view_only_staff_read_every_screen_without_personal_data(viewer_client, maileon_down, request_row):
    for url in _every_screen(request_row):
        response = viewer_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for personal in (str(CONTACT_ID), OWN_WORDS, DELIVERY_ERROR, REVIEWER):
            assert personal not in body, (url, personal)
    # The row is there, with what is not personal.
    listed = viewer_client.get(LIST_URL).content.decode()
    # (the evidence "no user agent" as the admin words it)
    assert str(MAILING_ID) in listed and "no browser identification (user agent) was sent" in listed


def test_the_same_screens_show_personal_data_to_its_holders(client, maileon_down, request_row):
    """The check above can fail: with the permission, the same screens show what it hides."""
    client.force_login(_staff("paul", permissions=[*APP_VIEW_PERMISSIONS, "view_personal_data"]))
    detail = client.get(reverse("admin:preference_center_unsubscriberequest_change", args=[request_row.pk]))
    for personal in (str(CONTACT_ID), OWN_WORDS, DELIVERY_ERROR, REVIEWER):
        assert personal in detail.content.decode(), personal
    assert str(CONTACT_ID) in client.get(LIST_URL).content.decode()


def test_view_only_staff_cannot_search_or_filter_by_personal_data(viewer_client, request_row):
    found = viewer_client.get(LIST_URL, {"q": str(CONTACT_ID)})
    assert list(found.context["cl"].result_list) == []
    assert "A mailing id (exact number)." in found.content.decode()
    assert list(viewer_client.get(LIST_URL, {"q": str(MAILING_ID)}).context["cl"].result_list) == [request_row]
    for lookup in ({"contact_id": CONTACT_ID}, {"reason_message__icontains": "Erika"},
                   {"reviewed_by__username": REVIEWER}, {"last_error__contains": "404"}):
        assert viewer_client.get(LIST_URL, lookup).status_code == 400, lookup


def test_view_only_staff_see_no_history_and_change_nothing(viewer_client, request_row, default_page):
    for name, pk in (("unsubscriberequest", request_row.pk), ("pageconfig", default_page.pk)):
        assert viewer_client.get(reverse(f"admin:preference_center_{name}_history", args=[pk])).status_code == 403
    assert 'value="retry_now"' not in viewer_client.get(LIST_URL).content.decode()
    viewer_client.post(LIST_URL, {"action": "retry_now", "_selected_action": [str(request_row.pk)]})
    request_row.refresh_from_db()
    assert request_row.status == Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_the_group_migration_is_idempotent_and_reversible(db):
    """Run again over a group of that name (created by hand, say): it keeps what it had and gets what it lacks.
    Reversed: the group is gone. (A transactional test: migrate runs outside the test's transaction.)"""
    loader = MigrationLoader(connection)
    [ours] = [key for key in loader.disk_migrations if key[0] == "preference_center" and "kept" in key[1]]
    [before] = [name for app, name in loader.disk_migrations[ours].dependencies if app == "preference_center"]

    call_command("migrate", "preference_center", before, verbosity=0)
    assert not Group.objects.filter(name="Marketing").exists()
    own = Group.objects.create(name="Marketing")
    own.permissions.add(Permission.objects.get(codename="view_user"))
    call_command("migrate", "preference_center", verbosity=0)
    codenames = set(Group.objects.get(name="Marketing").permissions.values_list("codename", flat=True))
    assert {"view_user", "view_personal_data", "change_pageconfig", "change_unsubscriberequest"} <= codenames
    assert len(codenames) == 20  # the 19 it grants and the one it had
