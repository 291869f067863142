"""Page tests: the definitions read once, as the first page view of the day would."""

from __future__ import annotations

import pytest

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
