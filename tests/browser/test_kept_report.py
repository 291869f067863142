"""The reasons page's "what was kept" section in a German and an English browser at 1,280 px: both tables and
charts fit without scrolling sideways, the page as a whole neither."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from preference_center.models import KeptEvent, KeptKind, Status, UnsubscribeRequest

from .admin_session import sign_in
from .conftest import DESKTOP


def seed_kept_figures() -> None:
    """Twelve weeks of figures for twenty mailings (the chart's maximum), with four-digit counts in places."""
    today = timezone.localdate()
    kinds = list(KeptKind)
    KeptEvent.objects.bulk_create(
        KeptEvent(kind=kinds[n % len(kinds)], day=today - timedelta(days=n % 80), mailing_id=880100 + n % 20)
        for n in range(12_000)
    )
    UnsubscribeRequest.objects.bulk_create(
        UnsubscribeRequest(contact_id=n, mailing_id=880100 + n % 20, status=Status.DELIVERED,
                           created_at=timezone.now() - timedelta(days=n % 80))
        for n in range(3_000)
    )


OVERFLOWING = """() => {
  const wide = [];
  if (document.documentElement.scrollWidth > window.innerWidth) wide.push('page');
  const boxes = document.querySelectorAll('#kept ~ .pc-report-pair > div');
  for (const box of boxes) {
    if (box.scrollWidth > box.clientWidth + 1) wide.push(box.querySelector('[id]').id);
  }
  return wide;
}"""


@pytest.mark.parametrize("locale", ["de-DE", "en-GB"])
def test_the_kept_section_fits_1280_pixels(open_page, site, locale):
    seed_kept_figures()
    page = open_page(width=DESKTOP, locale=locale)
    sign_in(page, site.base_url)
    page.goto(site.base_url + reverse("admin:preference_center_unsubscriberequest_reasons"))
    page.locator("#kept-week-table").wait_for()
    assert page.locator("#kept-mailing-table tbody tr").count() == 20
    assert page.evaluate(OVERFLOWING) == []
