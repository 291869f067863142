"""The widgets written in Python (pages/widgets.py) give exactly the markup of Django's own widget templates."""

import re

import pytest
from django.forms.renderers import Jinja2

from preference_center.pages import forms as page_forms

from tests.support import ERIKA

pytestmark = pytest.mark.django_db

SERVED = re.compile(r'name="served" value="[^"]*"')  # the unsubscribe form's time stamp differs per request


def _pages(client, link) -> dict[str, str]:
    answers = {
        "profile": client.get(f"/profile/?{link(ERIKA, lang='de')}"),
        "profile with errors": client.post(f"/profile/?{link(ERIKA, lang='en')}",
                                           {"complete": "1", "email": "not an address", "BIRTHDAY": "31.02."}),
        "unsubscribe with topics, pause and reasons": client.get(f"/unsubscribe/?{link(ERIKA, lang='fr')}"),
        "new link": client.get("/profile/?contactid=1001&checksum=wrong&lang=en"),
    }
    return {name: SERVED.sub("", answer.content.decode()) for name, answer in answers.items()}


def test_every_page_state_has_the_markup_of_djangos_widget_templates(client, default_page, maileon_sandbox, link,
                                                                      monkeypatch):
    ours = _pages(client, link)
    monkeypatch.setattr(page_forms.AccessibleFormMixin, "default_renderer", Jinja2())
    djangos = _pages(client, link)

    assert ours == djangos
    every_page = "".join(ours.values())
    # The kinds written in Python were on the pages compared.
    for kind in ('type="text"', 'type="email"', 'type="date"', 'type="checkbox"', 'type="radio"', "<select",
                 "<option", "<textarea", "aria-invalid"):
        assert kind in every_page, kind
