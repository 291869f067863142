"""Create a contact by email with double opt-in (maileon-api.md §2.11): the way back after an unsubscribe."""

import pytest

from preference_center.maileon.types import Permission

from .conftest import error_message


def create(sandbox, email, *params):
    return sandbox.call("POST", f"/contacts/email/{email}", [("permission", "1"), ("doi", "true"), *params])


def test_an_address_that_left_gets_a_new_contact_and_a_doi_mail(sandbox):
    sandbox.store.contact(1004).anonymize()
    response = create(sandbox, "lena%40example.org", ("doimailing", "doi-standard"), ("src", "preference-center"))
    assert response.status_code == 201
    [mail] = sandbox.store.doi_mails
    created = sandbox.store.contact(mail.contact_id)
    assert (created.email, created.permission, mail.doi_mailing, mail.src) == (
        "lena@example.org", Permission.NONE, "doi-standard", "preference-center")
    assert mail.contact_id != 1004  # the anonymized contact stays anonymous


def test_a_subscribed_address_is_left_as_it_is(sandbox):
    assert create(sandbox, "erika.beispiel%40example.org").status_code == 201
    assert sandbox.store.doi_mails == [] and len(sandbox.store.contacts) == 4


@pytest.mark.parametrize(("params", "cause"), [
    ([("doimailing", "doi-alt")], "unknown doi mailing: doi-alt"),
    ([("mailingid", "1")], "unknown query parameter: mailingid"),
])
def test_refusals_name_their_cause_and_create_nothing(sandbox, params, cause):
    response = create(sandbox, "new%40example.org", *params)
    assert (response.status_code, error_message(response)) == (400, cause)
    assert len(sandbox.store.contacts) == 4 and sandbox.store.doi_mails == []


def test_an_address_that_cannot_be_one_is_refused(sandbox):
    response = create(sandbox, "not-an-address")
    assert (response.status_code, error_message(response)) == (400, "invalid email")
