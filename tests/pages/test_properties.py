"""Property-based tests (hypothesis): whatever arrives in a link or a form, no 5xx; an invalid link changes
nothing; an invalid form value never reaches Maileon.

Examples are bounded (max_examples, no deadline) so the suite stays fast. The fixtures are set up once per test,
not per example; each example clears what it must (throttle cache, recorded calls, rows) itself.
"""

from __future__ import annotations

import copy
import datetime
import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preference_center.models import UnsubscribeReason, UnsubscribeRequest

from tests.support import ERIKA, LENA

pytestmark = pytest.mark.django_db

BOUNDED = settings(max_examples=100, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

RECIPIENT_PATHS = ["/profile/", "/unsubscribe/", "/unsubscribe/reason/", "/unsubscribe/downsell/",
                   "/unsubscribe/one-click/", "/p/default/profile/", "/p/default/unsubscribe/",
                   "/p/default/unsubscribe/one-click/", "/p/nope/unsubscribe/"]
LINK_NAMES = ["contactid", "id", "checksum", "mailingid", "mailingId", "lang"]
FORM = "application/x-www-form-urlencoded"

numbers = st.integers(min_value=-(10**30), max_value=10**30).map(str)
values = st.one_of(
    st.text(max_size=40),
    numbers,
    st.sampled_from(["", "0", "-1", "1001", "1e3", "１００１", "[CONTACT|ID]", "%00", "de", "en", "null"]),
    st.text(alphabet="0123456789", min_size=17, max_size=30),
    st.text(min_size=300, max_size=3000),  # huge
)
names = st.one_of(st.sampled_from(LINK_NAMES), st.text(max_size=20))
query_pairs = st.lists(st.tuples(names, values), max_size=8)  # duplicate names included


def request(client: Client, method: str, path: str, query: str):
    if method == "POST":
        body = "List-Unsubscribe=One-Click" if "one-click" in path else "reason=&FIRSTNAME=X"
        return client.post(f"{path}?{query}", body, content_type=FORM)
    return getattr(client, method.lower())(f"{path}?{query}")


@pytest.mark.usefixtures("checksum_reads")
@BOUNDED
@given(pairs=query_pairs, path=st.sampled_from(RECIPIENT_PATHS), method=st.sampled_from(["GET", "HEAD", "POST"]))
def test_arbitrary_link_parameters_never_fail_and_change_nothing(default_page, maileon_sandbox, pairs, path,
                                                                 method):
    # No generated checksum can be a contact's real one (an HMAC), so every one of these links is invalid.
    cache.clear()  # each example meets the link check, not the throttle of earlier examples
    maileon_sandbox.calls.clear()
    response = request(Client(), method, path, urlencode(pairs))
    assert response.status_code < 500
    assert maileon_sandbox.changing_calls() == []
    assert not UnsubscribeRequest.objects.exists()


@pytest.mark.usefixtures("checksum_reads")
@pytest.mark.parametrize("path", ["/profile/", "/unsubscribe/", "/unsubscribe/reason/", "/unsubscribe/downsell/",
                                  "/unsubscribe/one-click/", "/p/default/unsubscribe/downsell/"])
def test_a_well_formed_link_with_a_wrong_checksum_makes_no_changing_call(default_page, maileon_sandbox, path):
    # The case the property above meets only by luck: a shape that passes links.py, refused only by Maileon.
    reason = UnsubscribeReason.objects.filter(asks_free_text=False).first()
    response = Client().post(f"{path}?contactid={LENA}&checksum=Wrong-Checksum",
                             f"List-Unsubscribe=One-Click&reason={reason.pk}", content_type=FORM)
    assert response.status_code == 404
    assert maileon_sandbox.changing_calls() == []
    assert not UnsubscribeRequest.objects.exists()


@BOUNDED
@given(pairs=st.lists(st.tuples(st.one_of(st.sampled_from(["mailingid", "mailingId", "lang"]), st.text(max_size=20)),
                                values), max_size=6),
       path=st.sampled_from(["/profile/", "/unsubscribe/", "/unsubscribe/one-click/", "/p/default/profile/"]),
       method=st.sampled_from(["GET", "HEAD"]))
def test_a_valid_link_with_arbitrary_extras_is_read_only_on_get(default_page, maileon_sandbox, link, pairs, path,
                                                                method):
    maileon_sandbox.calls.clear()
    query = f"{link(ERIKA)}&{urlencode(pairs)}" if pairs else link(ERIKA)
    response = request(Client(), method, path, query)
    assert response.status_code < 500
    assert maileon_sandbox.changing_calls() == []


# --- form fields


texts = st.one_of(
    st.text(max_size=60),
    st.text(min_size=250, max_size=400),
    st.sampled_from(["", " ", "\x00", "a\x1fb", "\ufffe", "tab\tand\nbreak", "Erika", "a" * 255, "a" * 256,
                     " " + "a" * 255 + " ", "<script>", "😀" * 10]),
)
dates = st.one_of(st.dates(min_value=datetime.date(1, 1, 1)).map(str), st.text(max_size=20),
                  st.sampled_from(["", "1985-02-30", "0000-01-01", "85-04-12", "1985-4-12", "12.04.1985",
                                   "9999-12-31", "1985-04-12 00:00:00"]))
SALUTATIONS = {"Frau", "Herr", "Divers"}


# XML 1.0 characters (Maileon's wire format): no control characters but tab and line breaks, no U+FFFE/U+FFFF.
XML_TEXT = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


def valid_text(value: str, max_length: int = 255) -> bool:
    """As a form field takes it: surrounding whitespace (form feeds included) is stripped first."""
    return bool(XML_TEXT.fullmatch(value.strip())) and len(value.strip()) <= max_length


def valid_date(value: str) -> bool:
    """ISO, YYYY-MM-DD, the one format the English page takes (strptime also takes 1985-4-12; it is sent as
    1985-04-12)."""
    if not value.strip():
        return True
    try:
        datetime.datetime.strptime(value.strip(), "%Y-%m-%d")
    except ValueError:
        return False
    return True


@pytest.fixture
def profile_form_keys(default_page):
    fields = {field.name: field for field in default_page.fields.all()}
    groups = {group.category: group for group in default_page.preference_groups.all()}
    return {"custom": f"custom_{fields['Lieblingsfarbe'].pk}", "topics": f"pref_{groups['Themen'].pk}",
            "frequency": f"pref_{groups['Frequenz'].pk}"}


@pytest.fixture
def erika_as_seeded(maileon_sandbox):
    return copy.deepcopy(maileon_sandbox.contacts[ERIKA])


@BOUNDED
@given(salutation=st.one_of(st.sampled_from(sorted(SALUTATIONS) + [""]), st.text(max_size=20)),
       firstname=texts, lastname=texts, birthday=dates, colour=texts,
       topics=st.lists(st.one_of(st.sampled_from(["Rezepte", "Angebote", "Events"]), st.text(max_size=20)),
                       max_size=4),
       frequency=st.lists(st.text(max_size=30), max_size=3),
       extra=st.dictionaries(st.text(min_size=1, max_size=15), st.text(max_size=30), max_size=3))
def test_arbitrary_profile_values_never_fail_and_invalid_ones_never_reach_maileon(
        default_page, maileon_sandbox, erika_as_seeded, link, put_bodies, profile_form_keys, salutation,
        firstname, lastname, birthday, colour, topics, frequency, extra):
    # Every example starts from Erika as seeded, so an outcome never depends on an earlier example's save.
    maileon_sandbox.contacts[ERIKA] = copy.deepcopy(erika_as_seeded)
    put_bodies.clear()
    data = {**extra, "SALUTATION": salutation, "FIRSTNAME": firstname, "LASTNAME": lastname,
            "BIRTHDAY": birthday, profile_form_keys["custom"]: colour, profile_form_keys["topics"]: topics,
            profile_form_keys["frequency"]: frequency}
    response = Client().post(f"/profile/?{link(ERIKA, lang='en')}", data)
    assert response.status_code < 500

    held = maileon_sandbox.contact(ERIKA).standard_fields.get("SALUTATION")
    invalid = (
        salutation not in SALUTATIONS | {"", held}
        or not all(valid_text(value) for value in (firstname, lastname, colour))
        or not valid_date(birthday)
    )
    if invalid:
        assert put_bodies == [], "an invalid value was sent to Maileon"
    for body in put_bodies:  # what did reach Maileon is valid by Maileon's rules
        for name, value in {**body.standard_fields, **body.custom_fields}.items():
            assert value is None or valid_text(value), name
        sent_birthday = body.standard_fields.get("BIRTHDAY")
        assert sent_birthday is None or datetime.date.fromisoformat(sent_birthday).isoformat() == sent_birthday
        assert body.email is None


@BOUNDED
@given(reason=st.one_of(st.text(max_size=10), numbers, st.just("")), message=texts,
       served=st.one_of(st.none(), st.text(max_size=60)),
       path=st.sampled_from(["/unsubscribe/", "/p/default/unsubscribe/"]))
def test_arbitrary_unsubscribe_values_never_fail_and_invalid_ones_record_nothing(
        default_page, maileon_sandbox, link, reason, message, served, path):
    UnsubscribeRequest.objects.all().delete()
    data = {"reason": reason, "message": message, **({"served": served} if served is not None else {})}
    response = Client().post(f"{path}?{link(LENA, lang='en')}", data)
    assert response.status_code < 500

    offered = {str(pk) for pk in UnsubscribeReason.objects.values_list("pk", flat=True)}
    invalid = (reason != "" and reason not in offered) or not valid_text(message, max_length=500)
    if invalid:
        assert not UnsubscribeRequest.objects.exists(), "an invalid answer was recorded"
    else:
        assert UnsubscribeRequest.objects.count() == 1
    assert maileon_sandbox.changing_calls() == []  # delivery waits for the commit (none in this test)
