"""Fixtures of the journeys walked without JavaScript in each language (import them into the test module):
`language`, each of LANGUAGES in turn, and `page`, a browser page at the module's `width` with scripts off."""

import pytest

from .conftest import LANGUAGES


@pytest.fixture(params=LANGUAGES)
def language(request):
    return request.param


@pytest.fixture
def page(open_page, width):
    return open_page(width=width, javascript=False)
