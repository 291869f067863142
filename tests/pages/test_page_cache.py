"""Page configurations are read once per process and MAX_AGE, not on every view; changes still show."""

import pytest

from preference_center.pages import page_cache
from preference_center.models import FieldSource, FieldType, PageConfig, ProfileField, UnsubscribeReason

from tests.support import ERIKA

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(page_cache, "_clock", lambda: now[0])
    return now


def _get(client, link, path="/profile/"):
    return client.get(f"{path}?{link(ERIKA, lang='en')}")


def test_a_second_view_reads_only_the_shared_link_failure_counts(client, default_page, maileon_sandbox, link,
                                                                  warm_definitions, django_assert_num_queries):
    warm_definitions(default_page)
    _get(client, link)

    # One query: the link-failure counts (throttle.py) in the database cache, which every process shares.
    # Nothing of the page configuration, nor Maileon's account definitions (per process, services/definitions.py).
    with django_assert_num_queries(1) as queries:
        response = _get(client, link)
    assert "preference_center_cache" in queries.captured_queries[0]["sql"]

    assert response.status_code == 200
    assert 'name="FIRSTNAME"' in response.content.decode()


def test_a_page_saved_in_this_process_shows_at_once(client, default_page, maileon_sandbox, link):
    _get(client, link)

    default_page.profile_intro_en = "Fresh intro text"
    default_page.save()

    assert "Fresh intro text" in _get(client, link).content.decode()


def test_a_field_added_in_this_process_shows_at_once(client, default_page, maileon_sandbox, link):
    _get(client, link)

    ProfileField.objects.create(page=default_page, source=FieldSource.STANDARD, name="ORGANIZATION",
                                field_type=FieldType.TEXT, position=99)

    assert 'name="ORGANIZATION"' in _get(client, link).content.decode()


def test_a_change_made_by_another_process_shows_within_max_age(client, default_page, maileon_sandbox, link,
                                                                clock):
    _get(client, link)
    # Another server process saved it: no signal reaches this one (an UPDATE sends none either).
    PageConfig.objects.filter(pk=default_page.pk).update(profile_intro_en="Changed elsewhere")

    clock[0] += page_cache.MAX_AGE - 1
    still_cached = _get(client, link).content.decode()
    clock[0] += 2
    after_max_age = _get(client, link).content.decode()

    assert "Changed elsewhere" not in still_cached
    assert "Changed elsewhere" in after_max_age


def test_an_unknown_page_is_not_remembered(client, default_page, maileon_sandbox, link, make_page):
    assert _get(client, link, "/p/autumn/profile/").status_code == 404

    make_page(slug="autumn")

    assert _get(client, link, "/p/autumn/profile/").status_code == 200


def test_a_second_unsubscribe_view_reads_only_the_shared_link_failure_counts(
        client, default_page, maileon_sandbox, link, warm_definitions, django_assert_num_queries):
    warm_definitions(default_page)
    _get(client, link, "/unsubscribe/")

    # The page's reasons are kept with the page: nothing but the link-failure counts is read.
    with django_assert_num_queries(1) as queries:
        response = _get(client, link, "/unsubscribe/")
    assert "preference_center_cache" in queries.captured_queries[0]["sql"]

    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()


def test_a_reason_added_or_moved_to_another_page_in_this_process_shows_at_once(
        client, default_page, maileon_sandbox, link, make_page):
    _get(client, link, "/unsubscribe/")

    reason = UnsubscribeReason.objects.create(label_en="Moved house", reason_type="other", position=99)
    assert "Moved house" in _get(client, link, "/unsubscribe/").content.decode()

    reason.pages.add(make_page(slug="autumn"))  # from now on offered on that page only
    assert "Moved house" not in _get(client, link, "/unsubscribe/").content.decode()
    assert "Moved house" in _get(client, link, "/p/autumn/unsubscribe/").content.decode()
