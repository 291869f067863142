"""Help texts say what the pages do: the slug's shows a page's link with a placeholder in the admin's language,
and the confirmation text stands where its help says (below the standard confirmation)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from preference_center.models import PageConfig
from tests.support import LENA, form_data


@pytest.mark.parametrize(("language", "placeholder"), [("de", "kurzname"), ("en", "slug"), ("fr", "identifiant")])
def test_the_slug_help_writes_the_link_with_a_placeholder_in_the_admins_language(admin_client, maileon_sandbox,
                                                                                 language, placeholder):
    html = admin_client.get(reverse("admin:preference_center_pageconfig_add"),
                            HTTP_ACCEPT_LANGUAGE=language).content.decode()
    # Escaped in the HTML, shown as /p/<kurzname>/profile/: a bare <kurzname> would be taken for a tag and vanish.
    assert f"/p/&lt;{placeholder}&gt;/profile/" in html
    assert "/p//profile/" not in html


def test_the_confirmation_text_stands_below_the_standard_confirmation_as_its_help_says(client, default_page,
                                                                                       maileon_sandbox, link):
    with translation.override("de"):
        assert "unter der Standardbestätigung" in str(PageConfig._meta.get_field("confirmation_de").help_text)
    default_page.confirmation_de = "Danke, dass Sie so lange dabei waren."
    default_page.save()
    action, data = form_data(client.get(f"/unsubscribe/?{link(LENA)}"), "/unsubscribe/?")
    html = client.post(action, data, follow=True).content.decode()  # the 303 to the confirmation
    assert html.index("<h1") < html.index("Danke, dass Sie so lange dabei waren.")
