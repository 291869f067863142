"""A new unsubscribe reason goes to the end of the dropdown unless the marketer says otherwise, and the list of
reasons shows them in the dropdown's order."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from preference_center.models import UnsubscribeReason

from tests.support import LENA

ADD_URL = reverse("admin:preference_center_unsubscribereason_add")
LIST_URL = reverse("admin:preference_center_unsubscribereason_changelist")


def _initial_position(client) -> int:
    html = client.get(ADD_URL).content.decode()
    return int(re.search(r'<input type="number" name="position" value="(\d+)"', html).group(1))


def _add(client, label: str, position: int):
    data = {f"label_{code}": "" for code in ("de", "en", "fr", "it", "es", "nl")}
    data.update(label_de=label, reason_type="other", fixed_message="", position=str(position), active="on")
    return client.post(ADD_URL, data)


def test_a_new_reason_is_offered_after_the_last_one(staff_client, maileon_sandbox, link, default_page):
    last = max(UnsubscribeReason.objects.values_list("position", flat=True))
    position = _initial_position(staff_client)
    assert position == last + 10

    assert _add(staff_client, "Zu viele Gewinnspiele", position).status_code == 302
    html = Client().get(f"/unsubscribe/?{link(LENA, lang='de')}").content.decode()
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', html)
    assert options[-1] == "Zu viele Gewinnspiele"


def test_the_first_reason_starts_at_ten(staff_client, db):
    UnsubscribeReason.objects.all().delete()
    assert _initial_position(staff_client) == 10


def test_the_list_of_reasons_is_in_the_dropdowns_order(staff_client, db):
    UnsubscribeReason.objects.all().delete()
    for label, position in [("Dritte", 30), ("Erste", 10), ("Zweite", 20), ("Auch zweite", 20)]:
        UnsubscribeReason.objects.create(label_de=label, reason_type="other", position=position)
    html = staff_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    listed = re.findall(r'<th class="field-answer"><a [^>]*>([^<]+)</a>', html)
    assert listed == ["Erste", "Zweite", "Auch zweite", "Dritte"]
