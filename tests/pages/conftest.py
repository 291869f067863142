"""Page tests: factories for page configurations and reasons, links for the sandbox's demo contacts, and a
record of the contact bodies the sandbox received (the PUT body as Maileon would read it)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from preference_center.maileon import ContactChanges, codec
from preference_center.models import PageConfig, PreferenceGroup, ProfileField, UnsubscribeReason
from preference_center.services import account

ERIKA, JOHN, ZOE, LENA = 1001, 1002, 1003, 1004
SENT_MAILING = 88120


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Definitions and the link-failure throttle live in the cache: no test sees another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def default_page(db) -> PageConfig:
    """The seeded default page (migration 0002): FIRSTNAME, LASTNAME, SALUTATION, BIRTHDAY, Lieblingsfarbe,
    categories Themen and Frequenz, DOI mailing doi-standard, down-sell Frequenz/Monatlicher Digest."""
    return PageConfig.objects.get(is_default=True)


@pytest.fixture
def make_page(db):
    def make(*, slug="shop", fields=(), groups=(), **values) -> PageConfig:
        page = PageConfig.objects.create(slug=slug, name=slug.title(), **values)
        for position, spec in enumerate(fields):
            ProfileField.objects.create(page=page, position=position, **spec)
        for position, spec in enumerate(groups):
            PreferenceGroup.objects.create(page=page, position=position, **spec)
        return page

    return make


@pytest.fixture
def make_reason(db):
    def make(**values) -> UnsubscribeReason:
        defaults = {"label_de": "Grund", "label_en": "Reason", "reason_type": "other", "position": 0}
        return UnsubscribeReason.objects.create(**{**defaults, **values})

    return make


@pytest.fixture
def link(sandbox_store):
    """The query string of a demo contact's link, e.g. link(ERIKA, lang="en", mailingid=88120)."""

    def build(contact_id: int, *, checksum: str | None = None, **extra) -> str:
        params = {"contactid": contact_id,
                  "checksum": sandbox_store.checksum_for(contact_id) if checksum is None else checksum}
        params.update({name: value for name, value in extra.items() if value is not None})
        return urlencode(params)

    return build


@pytest.fixture
def put_bodies(monkeypatch) -> list[ContactChanges]:
    """Every contact body the sandbox decoded, in order (what Maileon would have read from our PUT)."""
    received: list[ContactChanges] = []
    decode = codec.decode_contact_changes

    def recording(body: bytes) -> ContactChanges:
        changes = decode(body)
        received.append(changes)
        return changes

    monkeypatch.setattr(codec, "decode_contact_changes", recording)
    return received


@pytest.fixture
def warm_definitions(maileon_sandbox):
    """Read the account's preference definitions once, as the first page view of the day would."""

    def warm(page: PageConfig) -> None:
        for group in page.preference_groups.all():
            account.preference_definitions(group.category)
        maileon_sandbox.calls.clear()

    return warm
