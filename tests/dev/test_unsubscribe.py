"""Unsubscribes (maileon-api.md §2.3-2.5): asynchronous, anonymizing, and strict about mailing ids and reasons."""

from urllib.parse import quote

import pytest

from preference_center.maileon.types import Permission, ReasonType

from .conftest import error_message

READ_ALL = (
    ("standard_field", "FIRSTNAME"),
    ("standard_field", "PERMISSION_STATUS"),
    ("custom_field", "Kundennummer"),
    ("preference_categories", "Themen"),
)


def unsubscribe(sandbox, contact_id, *extra):
    return sandbox.call("DELETE", "/contacts/contact/unsubscribe", [("id", str(contact_id)), *extra])


def unsubscribe_by_email(sandbox, email, *params):
    return sandbox.call("DELETE", f"/contacts/email/{quote(email, safe='')}/unsubscribe", list(params))


def add_reasons(sandbox, contact_id, *reasons, checksum=None):
    checksum = sandbox.store.checksum_for(contact_id) if checksum is None else checksum
    params = [("id", str(contact_id)), ("checksum", checksum), *(("reason", r) for r in reasons)]
    return sandbox.call("PUT", "/contacts/contact/unsubscribe/reasons", params)


def test_unsubscribe_is_queued_then_anonymizes_the_contact(sandbox):
    response = unsubscribe(sandbox, 1001, ("mailingId", "88120"), ("reason", "other|Zu viele Mails"))
    assert response.status_code == 204
    assert response.content == b""
    before = sandbox.read_contact(1001, *READ_ALL)
    assert before.email == "erika.beispiel@example.org"  # still there: Maileon works in the background

    sandbox.store.process_pending()

    after = sandbox.read_contact(1001, *READ_ALL)  # the id and checksum still find it
    assert after.email is None
    assert after.permission is Permission.NONE
    assert dict(after.standard_fields) == {"FIRSTNAME": None, "PERMISSION_STATUS": "unsubscribed"}
    assert dict(after.custom_fields) == {}
    assert after.preferences == ()
    [recorded] = sandbox.store.reasons
    assert (recorded.contact_id, recorded.mailing_id, recorded.reason.type, recorded.reason.message) == (
        1001, 88120, ReasonType.OTHER, "Zu viele Mails",
    )  # fmt: skip


def test_the_queue_runs_by_itself_once_the_delay_has_passed(sandbox):
    sandbox.store.unsubscribe_delay = 0
    assert unsubscribe(sandbox, 1004).status_code == 204
    assert sandbox.read_contact(1004).email is None


def test_several_reasons_are_all_recorded(sandbox):
    sandbox.store.unsubscribe_delay = 0
    unsubscribe(sandbox, 1004, ("reason", "too_many_messages"), ("reason", "no_demand"))
    assert [r.reason.type for r in sandbox.store.reasons] == [ReasonType.TOO_MANY_MESSAGES, ReasonType.NO_DEMAND]


@pytest.mark.parametrize(
    ("extra", "cause", "why"),
    [
        (
            ("mailingid", "88120"),
            "unknown query parameter: mailingid",
            "lower-case mailingid is not a parameter of this call",
        ),
        (("checksum", "x"), "unknown query parameter: checksum", "this call takes no checksum"),
        (("ignore_checksum", "false"), "unknown query parameter: ignore_checksum", "nor ignore_checksum"),
        (("nlaccountid", "311"), "unknown query parameter: nlaccountid", "nor nlaccountid"),
        (("mailingId", "99999"), "mailing has not been sent", "a draft, never sent"),
        (("mailingId", "12345"), "mailing has not been sent", "no such mailing"),
        (("mailingId", "abc"), "mailingId must be numeric", "not numeric"),
        (("mailingId", ""), "mailingId must be numeric", "empty"),
        (("reason", "bored"), "unknown unsubscribe reason type", "unknown reason type"),
        (("reason", "Other|x"), "unknown unsubscribe reason type", "reason types are lower case"),
        (("reason", ""), "unknown unsubscribe reason type", "empty reason"),
    ],
)
def test_refuses_what_maileon_would_refuse_and_unsubscribes_nobody(sandbox, extra, cause, why):
    sandbox.store.unsubscribe_delay = 0
    response = unsubscribe(sandbox, 1004, extra)
    assert (response.status_code, error_message(response)) == (400, cause), why
    assert sandbox.read_contact(1004).email == "lena@example.org"


def test_a_silently_ignored_mailingid_would_be_the_bug_so_it_is_named(sandbox):
    response = unsubscribe(sandbox, 1004, ("mailingid", "88120"))
    assert (response.status_code, error_message(response)) == (400, "unknown query parameter: mailingid")


def test_refuses_a_non_numeric_or_unknown_contact(sandbox):
    not_numeric = sandbox.call("DELETE", "/contacts/contact/unsubscribe", [("id", "x")])
    assert (not_numeric.status_code, error_message(not_numeric)) == (400, "id must be a numeric contact id")
    without_id = sandbox.call("DELETE", "/contacts/contact/unsubscribe", [])
    assert (without_id.status_code, error_message(without_id)) == (400, "id must be a numeric contact id")
    unknown = unsubscribe(sandbox, 31337)
    assert (unknown.status_code, error_message(unknown)) == (404, "contact not found")


def test_a_repeat_after_the_unsubscribe_is_refused(sandbox):
    assert unsubscribe(sandbox, 1004).status_code == 204
    assert unsubscribe(sandbox, 1004).status_code == 204  # still queued: nothing to refuse yet
    sandbox.store.process_pending()
    response = unsubscribe(sandbox, 1004)
    assert (response.status_code, error_message(response)) == (400, "contact already unsubscribed")


def test_by_email_unsubscribes_every_contact_with_that_address_in_the_named_accounts(sandbox):
    store = sandbox.store
    store.add_contact(2001, "john.example+news@example.com", account_id=312)
    store.add_contact(2002, "john.example+news@example.com", account_id=999)  # not owned by the key
    store.unsubscribe_delay = 0
    response = unsubscribe_by_email(
        sandbox, "john.example+news@example.com", ("nlaccountid", "311"), ("nlaccountid", "312"),
        ("nlaccountid", "999"), ("mailingId", "88121"), ("reason", "no_demand"),
    )  # fmt: skip
    assert response.status_code == 204
    assert store.contact(1002).unsubscribed and store.contact(2001).unsubscribed
    assert not store.contact(2002).unsubscribed
    assert sorted((r.contact_id, r.mailing_id) for r in store.reasons) == [(1002, 88121), (2001, 88121)]


def test_by_email_without_accounts_means_the_keys_own_account_only(sandbox):
    sandbox.store.add_contact(2001, "lena@example.org", account_id=312)
    sandbox.store.unsubscribe_delay = 0
    assert unsubscribe_by_email(sandbox, "lena@example.org").status_code == 204
    assert sandbox.store.contact(1004).unsubscribed
    assert not sandbox.store.contact(2001).unsubscribed


def test_by_email_only_in_accounts_named_not_the_own_one_too(sandbox):
    sandbox.store.unsubscribe_delay = 0
    assert unsubscribe_by_email(sandbox, "lena@example.org", ("nlaccountid", "312")).status_code == 204
    assert not sandbox.store.contact(1004).unsubscribed


def test_by_email_an_unknown_address_is_no_error(sandbox):
    response = unsubscribe_by_email(sandbox, "nobody@example.org", ("nlaccountid", "311"))
    assert response.status_code == 204
    assert sandbox.store.pending_unsubscribes == []


@pytest.mark.parametrize(
    ("extra", "cause"),
    [
        (("nlaccountid", "abc"), "nlaccountid must be numeric"),
        (("mailingId", "99999"), "mailing has not been sent"),
        (("mailingid", "88120"), "unknown query parameter: mailingid"),
        (("reason", "spam"), "unknown unsubscribe reason type"),
        (("id", "1004"), "unknown query parameter: id"),
    ],
)
def test_by_email_refuses_bad_parameters(sandbox, extra, cause):
    response = unsubscribe_by_email(sandbox, "lena@example.org", extra)
    assert (response.status_code, error_message(response)) == (400, cause)
    assert sandbox.store.pending_unsubscribes == []


def test_reasons_can_be_added_once_the_contact_is_unsubscribed(sandbox):
    subscribed = add_reasons(sandbox, 1004, "change_of_interest")
    assert (subscribed.status_code, error_message(subscribed)) == (400, "contact is not unsubscribed")
    unsubscribe(sandbox, 1004)
    queued = add_reasons(sandbox, 1004, "change_of_interest")  # queued is not done
    assert (queued.status_code, error_message(queued)) == (400, "contact is not unsubscribed")
    sandbox.store.process_pending()

    response = add_reasons(sandbox, 1004, "change_of_interest", "other|Neuer Job")
    assert response.status_code == 204
    assert [(r.reason.type, r.reason.message) for r in sandbox.store.reasons] == [
        (ReasonType.CHANGE_OF_INTEREST, ""),
        (ReasonType.OTHER, "Neuer Job"),
    ]


def test_adding_reasons_needs_the_checksum_and_a_known_reason(sandbox):
    sandbox.store.unsubscribe_delay = 0
    unsubscribe(sandbox, 1004)
    wrong = add_reasons(sandbox, 1004, "other", checksum=sandbox.store.checksum_for(1001))
    assert (wrong.status_code, error_message(wrong)) == (400, "invalid checksum")
    empty = add_reasons(sandbox, 1004, "other", checksum="")
    assert (empty.status_code, error_message(empty)) == (400, "checksum missing")
    unknown_reason = add_reasons(sandbox, 1004, "whatever")
    assert (unknown_reason.status_code, error_message(unknown_reason)) == (400, "unknown unsubscribe reason type")
    no_reason = add_reasons(sandbox, 1004)
    assert (no_reason.status_code, error_message(no_reason)) == (400, "reason missing")
    unknown_contact = add_reasons(sandbox, 999, "other", checksum="x")
    assert (unknown_contact.status_code, error_message(unknown_contact)) == (404, "contact not found")
    assert sandbox.store.reasons == []


def test_an_unsubscribed_contact_can_no_longer_be_updated(sandbox):
    sandbox.store.unsubscribe_delay = 0
    unsubscribe(sandbox, 1004)
    response = sandbox.update(1004, b"<contact><email>lena@example.org</email></contact>")
    assert (response.status_code, error_message(response)) == (400, "contact is unsubscribed")
    assert sandbox.read_contact(1004).email is None


def test_by_email_a_bare_plus_in_the_path_reads_as_a_space(sandbox):
    # Our strict guess (maileon-api.md §1): only `%2B` is surely a plus, so an unencoded address finds nobody.
    sandbox.store.unsubscribe_delay = 0
    response = sandbox.call("DELETE", "/contacts/email/john.example+news%40example.com/unsubscribe")
    assert response.status_code == 204
    assert not sandbox.store.contact(1002).unsubscribed
    unsubscribe_by_email(sandbox, "john.example+news@example.com")
    assert sandbox.store.contact(1002).unsubscribed
