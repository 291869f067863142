"""Shared fixtures.

The fake Maileon (preference_center/sandbox), three ways in:

- `sandbox_store`: a fresh `SandboxStore` with the demo seed, installed as the sandbox's `default_store` for
  the test. Contacts 1001 (Erika, de), 1002 (John, en, `+` in the address), 1003 (Zoë, no permission),
  1004 (Lena, spare for unsubscribe tests); `store.checksum_for(id)`; `store.calls`, `store.changing_calls()`,
  `store.updates` (every contact update it accepted, with its decoded changes);
  `store.faults.inject(...)`; `store.process_pending()` runs queued unsubscribes now.
- `maileon_sandbox`: that store answering every request under `settings.MAILEON_API_URL` through `responses`
  (in-process, no network). Yields the store.
- `live_maileon`: that store behind pytest-django's `live_server`, with `settings.MAILEON_API_URL` pointed at
  it: real sockets, real timeouts, dropped connections. Yields the store.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import threading
import time
from urllib.parse import urlencode

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.test import override_settings

from preference_center import account
from preference_center.dev import demo_configuration
from preference_center.dev.sandbox import store as sandbox_store_module
from preference_center.dev.sandbox.store import SandboxStore
from preference_center.links import ContactLink, parse
from preference_center.maileon import ContactChanges, codec
from preference_center.models import PageConfig, PreferenceGroup, ProfileField, UnsubscribeReason
from preference_center.pages import page_cache
from preference_center.services import definitions

SANDBOX_API_PATH = "/sandbox/maileon/1.0"


@pytest.fixture
def sandbox_store(monkeypatch) -> SandboxStore:
    store = SandboxStore()
    monkeypatch.setattr(sandbox_store_module, "default_store", store)
    return store


@pytest.fixture
def maileon_sandbox(sandbox_store, settings):
    import responses

    from preference_center.dev.sandbox.testing import activate

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        activate(rsps, settings.MAILEON_API_URL, sandbox_store)
        yield sandbox_store


@pytest.fixture
def live_maileon(sandbox_store, live_server, settings):
    settings.MAILEON_API_URL = live_server.url + SANDBOX_API_PATH
    yield sandbox_store
    # The live server outlives the test: answers still delayed are cut short, so none runs into the next test,
    # and the app's kept-alive connections to it are closed, so no server thread waits on them at exit.
    sandbox_store.faults.clear()
    account.close_clients()


@pytest.fixture(autouse=True)
def _own_caches(request):
    """Each test its own cache namespace: no test sees another's link-failure counts (kept in the database
    cache, whose rows a transactional test commits and `flush` leaves alone). A key prefix; nothing is read or
    written to set it up."""
    namespace = hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]
    caches_setting = copy.deepcopy(django_settings.CACHES)
    caches_setting["default"]["KEY_PREFIX"] = f"test-{namespace}"
    with override_settings(CACHES=caches_setting):
        yield


def demo_default_page() -> PageConfig:
    """The default page as `manage.py demo` configures it for the sandbox's demo account: fields SALUTATION,
    FIRSTNAME, LASTNAME, BIRTHDAY, Lieblingsfarbe, categories Themen and Frequenz, DOI mailing doi-standard,
    down-sell Frequenz/Monatlicher Digest, pause field PAUSE_UNTIL. (A fresh database holds the account-neutral seed of migration 0002,
    which a transactional test's flush removes: it is put back first, as the migrations would.)"""
    if not PageConfig.objects.filter(is_default=True).exists():
        importlib.import_module("preference_center.migrations.0002_seed").seed(django_apps, None)
        # ... and translated by the later data migrations, as `migrate` would.
        importlib.import_module("preference_center.migrations.0006_texts_in_every_language").translate_seed(
            django_apps, None)
        importlib.import_module("preference_center.migrations.0011_other_reason_label").forwards(django_apps, None)
    page = PageConfig.get_default()
    demo_configuration.install(page)
    page_cache.clear()
    return PageConfig.objects.get(pk=page.pk)


@pytest.fixture
def default_page(db) -> PageConfig:
    return demo_default_page()


@pytest.fixture
def make_page(db):
    """make_page(slug=, fields=[{...}], groups=[{...}], account_ids="311, 312", **PageConfig fields)"""

    def make(*, slug="shop", fields=(), groups=(), account_ids="", **values) -> PageConfig:
        page = PageConfig.objects.create(slug=slug, name=slug.title(), newsletter_account_ids=account_ids, **values)
        for position, spec in enumerate(fields):
            ProfileField.objects.create(page=page, position=position, **spec)
        for position, spec in enumerate(groups):
            PreferenceGroup.objects.create(page=page, position=position, **spec)
        return page

    return make


@pytest.fixture
def make_reason(db):
    """make_reason(reason_type=, asks_free_text=, fixed_message=, **UnsubscribeReason fields): shown everywhere."""

    def make(**values) -> UnsubscribeReason:
        defaults = {"label_de": "Grund", "label_en": "Reason", "reason_type": "too_many_messages", "position": 0}
        return UnsubscribeReason.objects.create(**{**defaults, **values})

    return make


@pytest.fixture
def link(sandbox_store):
    """The query of a demo contact's link as a mailing carries it, e.g. link(ERIKA, lang="en", mailingid=88120):
    the sandbox's real checksum unless a test forges one."""

    def build(contact_id: int, *, checksum: str | None = None, **extra) -> str:
        params = {"contactid": contact_id,
                  "checksum": sandbox_store.checksum_for(contact_id) if checksum is None else checksum}
        params.update({name: value for name, value in extra.items() if value is not None})
        return urlencode(params)

    return build


@pytest.fixture
def link_for(link, rf):
    """The same link as the app reads it (links.parse): for calling services directly."""

    def make(contact_id: int, *, mailing_id: int | None = None, checksum: str | None = None) -> ContactLink:
        return parse(rf.get(f"/?{link(contact_id, checksum=checksum, mailingid=mailing_id, lang='de')}"))

    return make


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


@pytest.fixture(params=["strict", "lenient"], ids=["strict-reads", "lenient-reads"])
def checksum_reads(request, sandbox_store) -> str:
    """Run a link check against both kinds of Maileon: one that refuses a wrong checksum on reads (strict) and
    one that answers whatever the checksum (lenient; undocumented either way): our own comparison must hold."""
    sandbox_store.lenient_checksum_reads = request.param == "lenient"
    return request.param


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Each test's database and Maileon start afresh; page configurations and account definitions kept in this
    process's memory by an earlier test must not show."""
    page_cache.clear()
    definitions.forget()
    yield
    page_cache.clear()
    definitions.forget()


@pytest.fixture(scope="session", autouse=True)
def _no_connection_outlives_the_session():
    """A live-server thread still blocked on a kept-alive connection when the interpreter shuts down can abort
    it (stderr lock at finalisation). Close the app's pooled connections and let those threads end."""
    yield
    account.close_clients()
    deadline = time.monotonic() + 5
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))

# Skips @pytest.mark.postgres tests on any other database (make test's second pass runs them on PostgreSQL).
pytest_plugins = ["tests.postgres"]
