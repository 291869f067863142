"""Every admin screen a marketer can reach, with data on it: shared by the language walk
(tests/backoffice/test_admin_language.py) and the fit-the-screen browser test (tests/browser/test_admin_fit.py).

`populate()` fills the database the way a few months of use would (the demo page with its fields and groups, a
second page naming what the account lacks, the reason catalogue, unsubscribes of every kind over twelve weeks and
many mailings, suspected ones with every kind of evidence); `screens(data)` names each screen's URL.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from preference_center.models import (
    LaterReason,
    PageConfig,
    PreferenceGroup,
    ProfileField,
    Status,
    UnsubscribeReason,
    UnsubscribeRequest,
    Via,
)
from tests.conftest import demo_default_page

# What pages.automation.assess() records, one of each kind (old rows keep these English words).
EVIDENCE = [
    "user agent matches scanner pattern 'bot'; form posted 0.4 s after the page was served",
    "no user agent; form posted without its served-at stamp",
    "form stamp invalid",
]
MAILINGS = 25  # more than the per-mailing chart's 20 columns
WEEKS = 12  # the reasons page's default range


@dataclass
class AdminData:
    page: PageConfig  # the default page: fields, groups, texts in every language
    second_page: PageConfig  # names a field, a category and a DOI mailing the account lacks
    reason: UnsubscribeReason
    suspected: UnsubscribeRequest  # with evidence, reviewed
    failed: UnsubscribeRequest  # with a long error
    user: User
    group: Group


def populate(user: User) -> AdminData:
    if not PageConfig.objects.filter(is_default=True).exists():
        importlib.import_module("preference_center.migrations.0002_seed").seed(django_apps, None)
    page = demo_default_page()
    second = PageConfig.objects.create(
        slug="shop-newsletter", name="Shop-Newsletter", default_language="de", doi_mailing_key="gibt-es-nicht",
        downsell_category="Frequenz", downsell_preference="Monatlicher Digest",
        profile_intro_de="Ihre Angaben für den Shop-Newsletter.",
    )
    ProfileField.objects.create(page=second, source="custom", name="Kundennummer_alt", field_type="text",
                                label_de="Alte Kundennummer", position=1)
    ProfileField.objects.create(page=second, source="standard", name="FIRSTNAME", position=2)
    PreferenceGroup.objects.create(page=second, category="Aktionen", title_de="Aktionen", position=1)
    reasons = list(UnsubscribeReason.objects.order_by("position"))
    reason = reasons[0]
    reason.pages.add(second)

    now = timezone.now()
    rows = []
    contact = iter(range(500_000, 600_000))
    for week in range(WEEKS):
        for index, entry in enumerate(reasons):
            for mailing in range(1 + (week + index) % 3):
                rows.append(UnsubscribeRequest(
                    contact_id=next(contact), mailing_id=88_000 + (week * 7 + index + mailing) % MAILINGS,
                    page=page, reason=entry, reason_type=entry.reason_type, status=Status.DELIVERED,
                    created_at=now - timedelta(weeks=week, hours=index + 2),
                    delivered_at=now - timedelta(weeks=week, hours=index + 2) + timedelta(seconds=3 + index),
                    attempts=1, language="de",
                ))
    rows.append(UnsubscribeRequest(contact_id=next(contact), via=Via.ONE_CLICK, status=Status.DELIVERED,
                                   created_at=now - timedelta(days=3), delivered_at=now - timedelta(days=3)))
    UnsubscribeRequest.objects.bulk_create(rows)

    UnsubscribeRequest.objects.create(  # overdue
        contact_id=next(contact), checksum="ck-pending", mailing_id=88_001, page=page, status=Status.PENDING,
        created_at=now - timedelta(days=3), attempts=9, last_error="HTTP 503: Service Unavailable " * 6,
    )
    failed = UnsubscribeRequest.objects.create(
        contact_id=next(contact), mailing_id=88_002, page=second, status=Status.FAILED, attempts=12,
        created_at=now - timedelta(days=5), reason=reason, reason_type=reason.reason_type,
        last_error="HTTP 400: <error><message>contact not found in this account (a long answer of Maileon's that "
                   "runs on and on to test how the column wraps)</message></error>",
        note="sent again without the mailing id",
    )
    suspected = UnsubscribeRequest.objects.create(
        contact_id=next(contact), mailing_id=88_003, page=page, status=Status.DELIVERED,
        created_at=now - timedelta(hours=5), delivered_at=now - timedelta(hours=5), attempts=1,
        reason=reasons[-1], reason_type=reasons[-1].reason_type, reason_message="Zu viele Mails, Gruß",
        suspected_automation=True, automation_evidence=EVIDENCE[0], verified=True,
        reviewed_at=now - timedelta(hours=1), reviewed_by=user, mistake_reported_at=now - timedelta(hours=2),
    )
    for evidence in EVIDENCE[1:]:
        UnsubscribeRequest.objects.create(
            contact_id=next(contact), page=page, status=Status.DELIVERED, via=Via.ONE_CLICK, created_at=now,
            delivered_at=now, suspected_automation=True, automation_evidence=evidence,
        )
    UnsubscribeRequest.objects.create(contact_id=next(contact), status=Status.WITHDRAWN, page=page)
    LaterReason.objects.create(unsubscribe=suspected)

    group, _created = Group.objects.get_or_create(name="Marketing")  # made by migration 0012
    return AdminData(page=page, second_page=second, reason=reason, suspected=suspected, failed=failed, user=user,
                     group=group)


def screens(data: AdminData) -> dict[str, str]:
    """name -> URL of every admin screen (changelists with a filter chosen too)."""

    def url(name: str, *args, query: str = "") -> str:
        return reverse(f"admin:{name}", args=args) + (f"?{query}" if query else "")

    pc = "preference_center"
    return {
        "index": url("index"),
        "app": url("app_list", pc),
        "pages": url(f"{pc}_pageconfig_changelist"),
        "pages-filtered": url(f"{pc}_pageconfig_changelist", query="is_default__exact=0&default_language__exact=de"),
        "page-add": url(f"{pc}_pageconfig_add"),
        "page-change": url(f"{pc}_pageconfig_change", data.page.pk),
        "page-change-missing": url(f"{pc}_pageconfig_change", data.second_page.pk),
        "page-history": url(f"{pc}_pageconfig_history", data.page.pk),
        "page-delete": url(f"{pc}_pageconfig_delete", data.second_page.pk),
        "reasons": url(f"{pc}_unsubscribereason_changelist"),
        "reasons-filtered": url(f"{pc}_unsubscribereason_changelist", query=f"pages__id__exact={data.second_page.pk}"),
        "reason-add": url(f"{pc}_unsubscribereason_add"),
        "reason-change": url(f"{pc}_unsubscribereason_change", data.reason.pk),
        "reason-delete": url(f"{pc}_unsubscribereason_delete", data.reason.pk),
        "requests": url(f"{pc}_unsubscriberequest_changelist"),
        "requests-filtered": url(f"{pc}_unsubscriberequest_changelist", query="suspected=yes&via__exact=one_click"),
        "requests-overdue": url(f"{pc}_unsubscriberequest_changelist", query="overdue=yes"),
        "request-suspected": url(f"{pc}_unsubscriberequest_change", data.suspected.pk),
        "request-failed": url(f"{pc}_unsubscriberequest_change", data.failed.pk),
        "sla": url(f"{pc}_unsubscriberequest_sla"),
        "reasons-report": url(f"{pc}_unsubscriberequest_reasons"),
        "users": url("auth_user_changelist"),
        "group-change": url("auth_group_change", data.group.pk),
        "access-attempts": url("axes_accessattempt_changelist"),
        "password-change": url("password_change"),
    }


CSV = "admin:preference_center_unsubscriberequest_reasons_csv"
