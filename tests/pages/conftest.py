"""Page tests: factories for page configurations and reasons, links for the sandbox's demo contacts, and a
record of the contact bodies the sandbox received (the PUT body as Maileon would read it)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from preference_center.maileon import ContactChanges
from preference_center.maileon import codec
from preference_center.models import PageConfig, PreferenceGroup, ProfileField, UnsubscribeReason
from preference_center.services import page_fit

ERIKA, JOHN, ZOE, LENA = 1001, 1002, 1003, 1004
SENT_MAILING = 88120


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
    """Read the account's definitions once, as the first page view of the day would."""

    def warm(page: PageConfig) -> None:
        page_fit.fit(page)
        maileon_sandbox.calls.clear()

    return warm


class _FormReader(HTMLParser):
    """What a browser would submit from the forms of a page: {action: [(name, value), ...]}."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, list[tuple[str, str]]] = {}
        self._action: str | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._action = a.get("action", "")
            self.forms[self._action] = []
        elif self._action is None:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if a.get("type") in ("checkbox", "radio") else ""
            self.forms[self._action].append((a["name"], a.get("value", default)))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.forms[self._action].append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.forms[self._action].append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.forms[self._action][-1]
            self.forms[self._action][-1] = (name, value + data.lstrip("\n"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._action = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def read_forms(response) -> dict[str, list[tuple[str, str]]]:
    reader = _FormReader()
    reader.feed(response.content.decode())
    return reader.forms


def form_data(response, action_prefix: str = "") -> tuple[str, dict[str, list[str]]]:
    """(action, data) of the first form whose action starts with `action_prefix`, as the browser would post it."""
    for action, pairs in read_forms(response).items():
        if action.startswith(action_prefix):
            data: dict[str, list[str]] = {}
            for name, value in pairs:
                data.setdefault(name, []).append(value)
            return action, data
    raise AssertionError(f"no form with action {action_prefix!r}")
