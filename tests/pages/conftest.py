"""Page tests: the definitions read once, as the first page view of the day would."""

from __future__ import annotations

import pytest
from django.test import Client

from preference_center.models import PageConfig
from preference_center.services import page_fit

from tests.support import ERIKA, JOHN, LENA, SENT_MAILING, ZOE, form_data, read_forms  # noqa: F401  (re-exported)


@pytest.fixture
def warm_definitions(maileon_sandbox):
    """Read the account's definitions once, as the first page view of the day would."""

    def warm(page: PageConfig) -> None:
        page_fit.fit(page)
        maileon_sandbox.calls.clear()

    return warm


class RecipientClient(Client):
    """A browser's view of the recipient pages: a POST that succeeds answers 303 (post/redirect/get), and the
    browser follows it to the confirmation. Tests of the redirect itself pass follow=False."""

    def post(self, *args, follow: bool = True, **kwargs):
        response = super().post(*args, follow=follow, **kwargs)
        for _url, status in getattr(response, "redirect_chain", ()):
            assert status == 303, f"a recipient POST redirects with 303, not {status}"
        return response


@pytest.fixture
def client() -> RecipientClient:
    return RecipientClient()
