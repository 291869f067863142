"""The real client against the sandbox (the `responses` door): every operation we use succeeds and round-trips.

If the client and the sandbox ever disagree about the wire format, one of these fails.
"""

from __future__ import annotations

import pytest

from preference_center.maileon import (
    ContactChanges,
    InvalidLinkError,
    MaileonClient,
    MaileonConfig,
    Permission,
    Preference,
    ReasonType,
    RejectedError,
    UnsubscribeReason,
)
from preference_center.maileon.types import CustomFieldType, PermissionStatus
from tests.support import ERIKA, JOHN, LENA, ZOE



@pytest.fixture
def maileon(maileon_sandbox, settings) -> MaileonClient:
    return MaileonClient(MaileonConfig(base_url=settings.MAILEON_API_URL, api_key=settings.MAILEON_API_KEY))


@pytest.fixture
def store(maileon_sandbox):
    yield maileon_sandbox
    # Whatever a test did, our client never asked Maileon to skip the checksum test.
    assert maileon_sandbox.ignore_checksum_calls() == []


def read(maileon, store, contact_id, **what):
    return maileon.get_contact(contact_id=contact_id, checksum=store.checksum_for(contact_id), **what)


def test_get_contact_returns_the_fields_and_preferences_asked_for(maileon, store):
    contact = read(
        maileon, store, ERIKA,
        standard_fields=["FIRSTNAME", "LASTNAME", "TITLE", "LOCALE"],
        custom_fields=["Lieblingsfarbe", "Kundennummer"],
        preference_categories=["Themen", "Frequenz"],
    )  # fmt: skip
    assert contact.email == "erika.beispiel@example.org"
    assert contact.permission is Permission.DOUBLE_OPT_IN
    assert dict(contact.standard_fields) == {
        "FIRSTNAME": "Erika", "LASTNAME": "Mustermann-Groß", "TITLE": None, "LOCALE": "de_DE",
    }  # fmt: skip
    assert dict(contact.custom_fields) == {"Lieblingsfarbe": "grün", "Kundennummer": "4711"}
    assert contact.preference("Frequenz", "Wöchentlich").value is True
    assert contact.preference("Themen", "Reisen").value is False


def test_get_contact_keeps_unicode_and_apostrophes_intact(maileon, store):
    zoe = read(maileon, store, ZOE, standard_fields=["FIRSTNAME", "LASTNAME", "LOCALE"])
    assert dict(zoe.standard_fields) == {"FIRSTNAME": "Zoë", "LASTNAME": "Ørsted-山田", "LOCALE": None}
    assert read(maileon, store, JOHN, standard_fields=["LASTNAME"]).standard_fields["LASTNAME"] == "O'Brien"


def test_a_wrong_checksum_or_unknown_id_is_an_invalid_link(maileon, store):
    with pytest.raises(InvalidLinkError) as wrong_checksum:
        maileon.get_contact(contact_id=ERIKA, checksum=store.checksum_for(JOHN))
    assert (wrong_checksum.value.status, wrong_checksum.value.message) == (400, "invalid checksum")
    with pytest.raises(InvalidLinkError) as unknown_id:
        maileon.get_contact(contact_id=987654, checksum="whatever")
    assert (unknown_id.value.status, unknown_id.value.message) == (404, "contact not found")


def test_update_contact_then_read_back_shows_the_change(maileon, store):
    changes = ContactChanges(
        standard_fields={"FIRSTNAME": "Erika Maria", "TITLE": "Dr.", "CITY": None},
        custom_fields={"Lieblingsfarbe": "blau & <grau>", "VIP": "false"},
        preferences=(
            Preference("Reisen", "Themen", True, "profile-page"),
            Preference("Wöchentlich", "Frequenz", False, "profile-page"),
        ),
    )
    maileon.update_contact(
        contact_id=ERIKA, checksum=store.checksum_for(ERIKA), changes=changes, page_key="profil-de",
        src="preference-center",
    )  # fmt: skip
    contact = read(
        maileon, store, ERIKA,
        standard_fields=["FIRSTNAME", "TITLE", "CITY", "ZIP"],
        custom_fields=["Lieblingsfarbe", "VIP"],
        preference_categories=["Themen", "Frequenz"],
    )  # fmt: skip
    assert dict(contact.standard_fields) == {
        "FIRSTNAME": "Erika Maria", "TITLE": "Dr.", "CITY": None, "ZIP": "80331",
    }  # fmt: skip
    assert dict(contact.custom_fields) == {"Lieblingsfarbe": "blau & <grau>", "VIP": "false"}
    assert contact.preference("Themen", "Reisen").value is True
    assert contact.preference("Frequenz", "Wöchentlich").value is False
    assert contact.preference("Themen", "Rezepte").value is True  # not sent, not changed


def test_update_contact_with_a_taken_address_is_rejected_per_field(maileon, store):
    with pytest.raises(RejectedError) as refused:
        maileon.update_contact(
            contact_id=LENA, checksum=store.checksum_for(LENA), changes=ContactChanges(email="zoe@example.net")
        )
    assert refused.value.field_errors == {"email": "duplicate email"}
    assert read(maileon, store, LENA).email == "lena@example.org"


def test_update_contact_with_an_invalid_value_is_rejected(maileon, store):
    with pytest.raises(RejectedError) as refused:
        maileon.update_contact(
            contact_id=ERIKA,
            checksum=store.checksum_for(ERIKA),
            changes=ContactChanges(custom_fields={"Kundennummer": "keine"}),
        )
    assert (refused.value.status, refused.value.message) == (400, "invalid value for custom field Kundennummer")


def test_double_opt_in_starts_a_doi_process_instead_of_setting_the_permission(maileon, store):
    maileon.update_contact(
        contact_id=ZOE, checksum=store.checksum_for(ZOE), changes=ContactChanges(), permission=Permission.DOUBLE_OPT_IN,
        trigger_doi=True, doi_mailing="doi-standard", page_key="profil-de", src="preference-center",
    )  # fmt: skip
    assert read(maileon, store, ZOE).permission is Permission.NONE
    [mail] = store.doi_mails
    assert (mail.contact_id, mail.doi_mailing, mail.page_key, mail.src) == (
        ZOE, "doi-standard", "profil-de", "preference-center",
    )  # fmt: skip


def test_unsubscribe_contact_is_anonymized_once_processed(maileon, store):
    maileon.unsubscribe_contact(
        contact_id=LENA, mailing_id=88120, reasons=[UnsubscribeReason(ReasonType.OTHER, "Zu viele Mails")]
    )
    assert read(maileon, store, LENA).email == "lena@example.org"  # asynchronous: not yet
    store.process_pending()
    contact = read(maileon, store, LENA, standard_fields=["FIRSTNAME"])
    assert contact.email is None
    assert dict(contact.standard_fields) == {"FIRSTNAME": None}
    assert contact.permission_status is PermissionStatus.UNSUBSCRIBED and contact.has_left
    assert [(r.contact_id, r.mailing_id, r.reason.render()) for r in store.reasons] == [
        (LENA, 88120, "other|Zu viele Mails")
    ]


def test_unsubscribe_contact_credited_to_an_unsent_mailing_is_rejected(maileon, store):
    with pytest.raises(RejectedError) as refused:
        maileon.unsubscribe_contact(contact_id=LENA, mailing_id=99999)
    assert (refused.value.status, refused.value.message) == (400, "mailing has not been sent")
    store.process_pending()
    assert not store.contact(LENA).unsubscribed


def test_a_repeated_unsubscribe_is_refused_once_the_first_is_done(maileon, store):
    maileon.unsubscribe_contact(contact_id=LENA)
    store.process_pending()
    with pytest.raises(RejectedError) as refused:
        maileon.unsubscribe_contact(contact_id=LENA)
    assert (refused.value.status, refused.value.message) == (400, "contact already unsubscribed")


def test_unsubscribe_contacts_by_email_finds_an_address_with_a_plus(maileon, store):
    maileon.unsubscribe_contacts_by_email(
        email="john.example+news@example.com",
        newsletter_account_ids=[311, 312],
        mailing_id=88121,
        reasons=[UnsubscribeReason(ReasonType.NO_DEMAND)],
    )
    store.process_pending()
    assert read(maileon, store, JOHN).email is None
    assert [(r.contact_id, r.reason.type) for r in store.reasons] == [(JOHN, ReasonType.NO_DEMAND)]


def test_reasons_can_be_added_after_the_unsubscribe(maileon, store):
    reasons = [UnsubscribeReason(ReasonType.CHANGE_OF_INTEREST), UnsubscribeReason(ReasonType.OTHER, "Neuer Job")]
    with pytest.raises(RejectedError) as refused:
        maileon.add_unsubscribe_reasons(contact_id=LENA, checksum=store.checksum_for(LENA), reasons=reasons)
    assert (refused.value.status, refused.value.message) == (400, "contact is not unsubscribed")
    maileon.unsubscribe_contact(contact_id=LENA)
    store.process_pending()
    maileon.add_unsubscribe_reasons(contact_id=LENA, checksum=store.checksum_for(LENA), reasons=reasons)
    assert [r.reason for r in store.reasons] == reasons


def test_account_configuration_reads(maileon, store):
    assert [c.name for c in maileon.get_preference_categories()] == ["Themen", "Frequenz"]
    assert [p.name for p in maileon.get_preferences(category="Themen")] == ["Rezepte", "Reisen", "Technik", "Angebote"]
    definitions = {d.name: d.type for d in maileon.get_custom_field_definitions()}
    assert definitions["Kundennummer"] is CustomFieldType.INTEGER
    assert definitions["Rabatt"] is CustomFieldType.FLOAT


def test_reads_make_no_changing_call(maileon, store):
    read(maileon, store, ERIKA, standard_fields=["FIRSTNAME"], preference_categories=["Themen"])
    maileon.get_preference_categories()
    assert len(store.calls) == 2
    assert store.changing_calls() == []
