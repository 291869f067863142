"""The link's shape, decided before Maileon is asked (maileon-api.md §5.1)."""

import pytest
from django.test import RequestFactory

from preference_center import links

factory = RequestFactory()


def parse(query: str) -> links.ContactLink:
    return links.parse(factory.get(f"/profile/?{query}"))


def test_maileon_names_and_aliases():
    assert parse("contactid=1001&checksum=abc-DEF_9&mailingid=88120&lang=en") == links.ContactLink(
        1001, "abc-DEF_9", 88120, "en")
    assert parse("id=1001&checksum=abc&mailingId=88120") == links.ContactLink(1001, "abc", 88120, None)


@pytest.mark.parametrize("query", [
    "checksum=abc",  # no id
    "contactid=&checksum=abc",
    "contactid=abc&checksum=abc",
    "contactid=0&checksum=abc",
    "contactid=-5&checksum=abc",
    "contactid=1e3&checksum=abc",
    "contactid=%5BCONTACT%7CID%5D&checksum=abc",  # an unsubstituted placeholder
    "contactid=1234567890123456789&checksum=abc",  # overlong
    "contactid=%EF%BC%91&checksum=abc",  # a full-width digit
    "contactid=1001",  # no checksum
    "contactid=1001&checksum=",
    "contactid=1001&checksum=a%20b",
    "contactid=1001&checksum=%5BCONTACT%7CCHECKSUM%5D",
    "contactid=1001&checksum=" + "a" * 201,
    "contactid=1001&id=1002&checksum=abc",  # two different ids: ambiguous
])
def test_malformed_links_are_refused(query):
    with pytest.raises(links.MalformedLinkError):
        parse(query)


@pytest.mark.parametrize("mailing", ["%5BMAILING%7CID%5D", "abc", "0", "-1", "", "99999999999999999999"])
def test_a_malformed_mailing_id_is_dropped_not_refused(mailing):
    assert parse(f"contactid=1001&checksum=abc&mailingid={mailing}").mailing_id is None


def test_only_known_languages_are_taken_from_the_link():
    assert parse("contactid=1&checksum=a&lang=pl").language is None
    assert parse("contactid=1&checksum=a&lang=DE").language is None
    assert parse("contactid=1&checksum=a&lang=de").language == "de"
    assert parse("contactid=1&checksum=a&lang=fr").language == "fr"


def test_query_string_rebuilds_the_link_in_maileon_spelling():
    link = parse("id=7&checksum=x-y&mailingId=5&utm_source=mail")
    assert links.query_string(link, "en") == "contactid=7&checksum=x-y&mailingid=5&lang=en"
    assert "x-y" not in repr(link)  # the checksum never reaches a log line
