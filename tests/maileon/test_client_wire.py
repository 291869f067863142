"""What each client method puts on the wire (method, path, every query parameter, headers, body) and what it
makes of the documented answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from preference_center.maileon import (
    ContactChanges,
    CustomFieldDefinition,
    CustomFieldType,
    InvalidLinkError,
    Permission,
    PermissionStatus,
    Preference,
    PreferenceCategory,
    PreferenceDefinition,
    ReasonType,
    UnsubscribeReason,
)
from preference_center.maileon import codec

from .conftest import CHECKSUM, contact_xml

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


# --- get_contact


def test_get_contact_sends_id_checksum_and_repeated_field_names(client, maileon):
    maileon.answer("GET", "/contacts/contact", body=sample("get_contact.xml"))

    contact = client.get_contact(
        contact_id=40417,
        checksum=CHECKSUM,
        standard_fields=["FIRSTNAME", "TITLE"],
        custom_fields=["Lieblingsfarbe"],
        preference_categories=["Themen"],
    )

    call = maileon.assert_called(
        "GET",
        "/contacts/contact",
        [
            ("id", "40417"),
            ("checksum", CHECKSUM),
            ("standard_field", "FIRSTNAME"),
            ("standard_field", "TITLE"),
            ("standard_field", "CHECKSUM"),
            ("standard_field", "PERMISSION_STATUS"),
            ("custom_field", "Lieblingsfarbe"),
            ("preference_categories", "Themen"),
        ],
    )
    assert call.query == (
        "id=40417&checksum=Qm7-tR2xLp&standard_field=FIRSTNAME&standard_field=TITLE"
        "&standard_field=CHECKSUM&standard_field=PERMISSION_STATUS"
        "&custom_field=Lieblingsfarbe&preference_categories=Themen"
    )
    assert not call.body
    assert contact.id == 40417
    assert contact.permission is Permission.DOUBLE_OPT_IN
    assert contact.permission_status is PermissionStatus.AVAILABLE and not contact.has_left
    # The checksum was compared, not handed on: callers never hold Maileon's copy of it.
    assert contact.standard_fields == {"FIRSTNAME": "Erika", "TITLE": None}
    assert contact.custom_fields == {"Lieblingsfarbe": "gruen"}
    assert contact.preference("Themen", "Rezepte") == Preference("Rezepte", "Themen", True, None)


def test_get_contact_without_field_lists_sends_id_checksum_and_what_guards_the_link(client, maileon):
    maileon.answer("GET", "/contacts/contact", body=contact_xml(5, checksum="abc"))
    client.get_contact(contact_id=5, checksum="abc")
    maileon.assert_called("GET", "/contacts/contact", [
        ("id", "5"), ("checksum", "abc"), ("standard_field", "CHECKSUM"), ("standard_field", "PERMISSION_STATUS"),
    ])


def test_asking_for_checksum_or_permission_status_does_not_repeat_them(client, maileon):
    maileon.answer("GET", "/contacts/contact", body=contact_xml(5, checksum="abc"))
    client.get_contact(contact_id=5, checksum="abc", standard_fields=["PERMISSION_STATUS", "CHECKSUM", "LOCALE"])
    assert maileon.calls[0].params[2:] == [
        ("standard_field", "LOCALE"), ("standard_field", "CHECKSUM"), ("standard_field", "PERMISSION_STATUS"),
    ]


@pytest.mark.parametrize("answered", ["Qm7-tR2xLq", "qm7-tr2xlp", "Qm7-tR2xLp ", "Qm7-tR2x", ""])
def test_a_read_whose_checksum_differs_from_the_links_is_an_invalid_link(client, maileon, answered):
    # A Maileon that does not check checksums on reads answers 200 for any checksum: we compare ourselves.
    maileon.answer("GET", "/contacts/contact", body=contact_xml(7, checksum=answered))
    with pytest.raises(InvalidLinkError) as raised:
        client.get_contact(contact_id=7, checksum=CHECKSUM)
    assert raised.value.operation == "get_contact"
    assert CHECKSUM not in str(raised.value)  # neither copy of the secret in what may be logged


@pytest.mark.parametrize("body", [
    b"<contact><id>7</id></contact>",
    b"<contact><id>7</id><standard_fields><field><name>CHECKSUM</name><value nil='true'/></field>"
    b"</standard_fields></contact>",
])
def test_a_read_without_a_checksum_is_an_invalid_link(client, maileon, body):
    maileon.answer("GET", "/contacts/contact", body=body)
    with pytest.raises(InvalidLinkError):
        client.get_contact(contact_id=7, checksum=CHECKSUM)


@pytest.mark.parametrize(("answered", "status"), [
    ("available", PermissionStatus.AVAILABLE), ("none", PermissionStatus.NONE),
    ("unsubscribed", PermissionStatus.UNSUBSCRIBED), ("UNSUBSCRIBED", PermissionStatus.UNSUBSCRIBED),
    ("blocked-somehow", PermissionStatus.OTHER),
])
def test_permission_status_is_read_tolerantly(client, maileon, answered, status):
    maileon.answer("GET", "/contacts/contact", body=contact_xml(7, permission_status=answered))
    contact = client.get_contact(contact_id=7, checksum=CHECKSUM)
    assert contact.permission_status is status
    assert contact.has_left is (status is PermissionStatus.UNSUBSCRIBED)
    assert contact.standard_fields == {}


def test_every_call_has_connect_and_read_timeouts(client, maileon, config):
    maileon.answer("GET", "/contacts/contact", body=contact_xml(5, checksum="abc"))
    client.get_contact(contact_id=5, checksum="abc")
    assert maileon.calls[0].timeout == (config.connect_timeout, config.read_timeout)


def test_field_names_are_form_encoded(client, maileon):
    maileon.answer("GET", "/contacts/contact", body=contact_xml(5, checksum="a+b/c"))
    client.get_contact(contact_id=5, checksum="a+b/c", custom_fields=["Größe & Farbe"])
    call = maileon.calls[0]
    assert call.query == ("id=5&checksum=a%2Bb%2Fc&standard_field=CHECKSUM&standard_field=PERMISSION_STATUS"
                          "&custom_field=Gr%C3%B6%C3%9Fe+%26+Farbe")


@pytest.mark.parametrize(
    ("contact_id", "checksum"),
    [(0, CHECKSUM), (-3, CHECKSUM), (True, CHECKSUM), ("40417", CHECKSUM), (40417, ""), (40417, "   "), (40417, None)],
)
def test_get_contact_refuses_a_link_that_cannot_be_real_without_calling(client, maileon, contact_id, checksum):
    with pytest.raises(InvalidLinkError) as raised:
        client.get_contact(contact_id=contact_id, checksum=checksum)
    assert raised.value.operation == "get_contact"
    assert raised.value.status is None
    maileon.assert_not_called()


# --- update_contact


def test_update_contact_sends_changes_as_xml_with_page_key_and_src(client, maileon):
    maileon.answer("PUT", "/contacts/contact", status=200)
    changes = ContactChanges(
        standard_fields={"FIRSTNAME": "Erika", "TITLE": None},
        custom_fields={"Lieblingsfarbe": "blau"},
        preferences=(Preference("Rezepte", "Themen", False, "profile-page"),),
    )

    client.update_contact(
        contact_id=40417, checksum=CHECKSUM, changes=changes, page_key="profil-de", src="preference-center"
    )

    call = maileon.assert_called(
        "PUT",
        "/contacts/contact",
        [("id", "40417"), ("checksum", CHECKSUM), ("page_key", "profil-de"), ("src", "preference-center")],
    )
    assert call.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert codec.decode_contact_changes(call.body) == changes


def test_update_contact_with_double_opt_in_sends_permission_triggerdoi_and_doimailing(client, maileon):
    maileon.answer("PUT", "/contacts/contact", status=204)
    client.update_contact(
        contact_id=7,
        checksum="c",
        changes=ContactChanges(),
        permission=Permission.DOUBLE_OPT_IN,
        trigger_doi=True,
        doi_mailing="doi-key-1",
    )
    call = maileon.assert_called(
        "PUT",
        "/contacts/contact",
        [("id", "7"), ("checksum", "c"), ("permission", "4"), ("triggerdoi", "true"), ("doimailing", "doi-key-1")],
    )
    assert codec.decode_contact_changes(call.body) == ContactChanges()


def test_update_contact_sends_permission_alone_without_doi(client, maileon):
    maileon.answer("PUT", "/contacts/contact", status=200)
    client.update_contact(contact_id=7, checksum="c", changes=ContactChanges(), permission=Permission.NONE)
    maileon.assert_called("PUT", "/contacts/contact", [("id", "7"), ("checksum", "c"), ("permission", "1")])


def test_update_contact_sends_email_only_when_changed(client, maileon):
    maileon.answer("PUT", "/contacts/contact", status=200)
    client.update_contact(contact_id=7, checksum="c", changes=ContactChanges(email="neu+tag@example.org"))
    assert codec.decode_contact_changes(maileon.calls[0].body).email == "neu+tag@example.org"


def test_doi_mailing_without_trigger_doi_is_a_programming_error(client, maileon):
    with pytest.raises(ValueError):
        client.update_contact(contact_id=7, checksum="c", changes=ContactChanges(), doi_mailing="k")
    maileon.assert_not_called()


@pytest.mark.parametrize(("contact_id", "checksum"), [(0, "c"), (7, "")])
def test_update_contact_refuses_a_link_that_cannot_be_real(client, maileon, contact_id, checksum):
    with pytest.raises(InvalidLinkError):
        client.update_contact(contact_id=contact_id, checksum=checksum, changes=ContactChanges(email="a@b.c"))
    maileon.assert_not_called()


@pytest.mark.parametrize("status", [200, 201, 204])
def test_update_contact_accepts_any_2xx(client, maileon, status):
    maileon.answer("PUT", "/contacts/contact", status=status)
    assert client.update_contact(contact_id=7, checksum="c", changes=ContactChanges(email="a@b.c")) is None


def test_update_contact_accepts_a_successful_report(client, maileon):
    maileon.answer("PUT", "/contacts/contact", body=codec.encode_report(success=True, field_errors={}))
    client.update_contact(contact_id=7, checksum="c", changes=ContactChanges(email="a@b.c"))


def test_no_client_method_takes_ignore_checksum():
    import inspect

    from preference_center.maileon import MaileonClient

    for name, method in inspect.getmembers(MaileonClient, inspect.isfunction):
        assert "ignore_checksum" not in inspect.signature(method).parameters, name


# --- unsubscribe_contact


def test_unsubscribe_contact_sends_mailing_id_and_reason_without_checksum(client, maileon):
    maileon.answer("DELETE", "/contacts/contact/unsubscribe", status=204)
    client.unsubscribe_contact(
        contact_id=40417, mailing_id=88120, reasons=[UnsubscribeReason(ReasonType.OTHER, "Zu viele Mails")]
    )
    call = maileon.assert_called(
        "DELETE",
        "/contacts/contact/unsubscribe",
        [("id", "40417"), ("mailingId", "88120"), ("reason", "other|Zu viele Mails")],
    )
    assert call.query == "id=40417&mailingId=88120&reason=other%7CZu+viele+Mails"  # maileon-api.md §2.3
    assert not call.body


def test_unsubscribe_contact_without_mailing_repeats_reasons_in_order(client, maileon):
    maileon.answer("DELETE", "/contacts/contact/unsubscribe", status=200)
    client.unsubscribe_contact(
        contact_id=9,
        reasons=[UnsubscribeReason(ReasonType.TOO_MANY_MESSAGES), UnsubscribeReason(ReasonType.NO_DEMAND)],
    )
    maileon.assert_called(
        "DELETE",
        "/contacts/contact/unsubscribe",
        [("id", "9"), ("reason", "too_many_messages"), ("reason", "no_demand")],
    )


def test_unsubscribe_contact_refuses_a_non_positive_id(client, maileon):
    with pytest.raises(InvalidLinkError):
        client.unsubscribe_contact(contact_id=0)
    maileon.assert_not_called()


@pytest.mark.parametrize("mailing_id", [0, -1, True])
def test_unsubscribe_refuses_a_malformed_mailing_id(client, maileon, mailing_id):
    with pytest.raises(ValueError):
        client.unsubscribe_contact(contact_id=9, mailing_id=mailing_id)
    maileon.assert_not_called()


# --- unsubscribe_contacts_by_email


def test_unsubscribe_by_email_encodes_the_address_in_the_path_and_repeats_accounts(client, maileon):
    maileon.answer("DELETE", "/contacts/email/erika%2Bnews%40example.org/unsubscribe", status=204)
    client.unsubscribe_contacts_by_email(
        email="erika+news@example.org",
        newsletter_account_ids=[311, 312],
        mailing_id=88120,
        reasons=[UnsubscribeReason(ReasonType.NO_DEMAND)],
    )
    call = maileon.assert_called(
        "DELETE",
        "/contacts/email/erika%2Bnews%40example.org/unsubscribe",
        [("nlaccountid", "311"), ("nlaccountid", "312"), ("mailingId", "88120"), ("reason", "no_demand")],
    )
    assert call.query == "nlaccountid=311&nlaccountid=312&mailingId=88120&reason=no_demand"  # §2.4


def test_unsubscribe_by_email_path_escapes_slashes_and_spaces(client, maileon):
    maileon.answer("DELETE", "/contacts/email/a%2Fb%20c%40example.org/unsubscribe", status=204)
    client.unsubscribe_contacts_by_email(email="a/b c@example.org", newsletter_account_ids=[1])
    maileon.assert_called("DELETE", "/contacts/email/a%2Fb%20c%40example.org/unsubscribe", [("nlaccountid", "1")])


def test_unsubscribe_by_email_refuses_an_empty_address(client, maileon):
    with pytest.raises(InvalidLinkError):
        client.unsubscribe_contacts_by_email(email=" ", newsletter_account_ids=[1])
    maileon.assert_not_called()


def test_unsubscribe_by_email_refuses_malformed_account_ids(client, maileon):
    with pytest.raises(ValueError):
        client.unsubscribe_contacts_by_email(email="a@b.c", newsletter_account_ids=[0])
    maileon.assert_not_called()


# --- add_unsubscribe_reasons


def test_add_unsubscribe_reasons_sends_checksum_and_reasons_without_body(client, maileon):
    maileon.answer("PUT", "/contacts/contact/unsubscribe/reasons", status=204)
    client.add_unsubscribe_reasons(
        contact_id=40417,
        checksum=CHECKSUM,
        reasons=[UnsubscribeReason(ReasonType.CHANGE_OF_INTEREST), UnsubscribeReason(ReasonType.OTHER, "Neuer Job")],
    )
    call = maileon.assert_called(
        "PUT",
        "/contacts/contact/unsubscribe/reasons",
        [("id", "40417"), ("checksum", CHECKSUM), ("reason", "change_of_interest"), ("reason", "other|Neuer Job")],
    )
    assert call.query.endswith("reason=change_of_interest&reason=other%7CNeuer+Job")  # §2.5
    assert not call.body


def test_add_unsubscribe_reasons_needs_a_reason_and_a_checksum(client, maileon):
    with pytest.raises(ValueError):
        client.add_unsubscribe_reasons(contact_id=1, checksum="c", reasons=[])
    with pytest.raises(InvalidLinkError):
        client.add_unsubscribe_reasons(contact_id=1, checksum="", reasons=[UnsubscribeReason(ReasonType.OTHER)])
    maileon.assert_not_called()


# --- account configuration


def test_get_preference_categories(client, maileon):
    maileon.answer("GET", "/contacts/preference_categories", body=sample("preference_categories.xml"))
    assert client.get_preference_categories() == [
        PreferenceCategory("Themen", "Worüber wir schreiben"),
        PreferenceCategory("Haeufigkeit", ""),
    ]
    maileon.assert_called("GET", "/contacts/preference_categories", [])


def test_get_preferences_quotes_the_category_in_the_path(client, maileon):
    maileon.answer(
        "GET", "/contacts/preference_categories/Reisen%20%26%20Kultur/preferences", body=sample("preferences.xml")
    )
    preferences = client.get_preferences(category="Reisen & Kultur")
    maileon.assert_called("GET", "/contacts/preference_categories/Reisen%20%26%20Kultur/preferences", [])
    assert preferences[0] == PreferenceDefinition("Rezepte", "Reisen & Kultur", "Neue Rezepte jede Woche")


def test_get_preferences_needs_a_category(client, maileon):
    with pytest.raises(ValueError):
        client.get_preferences(category="")
    maileon.assert_not_called()


def test_get_custom_field_definitions(client, maileon):
    maileon.answer("GET", "/contacts/fields/custom", body=sample("custom_fields.xml"))
    definitions = client.get_custom_field_definitions()
    maileon.assert_called("GET", "/contacts/fields/custom", [])
    assert CustomFieldDefinition("Vegetarier", CustomFieldType.BOOLEAN) in definitions
    assert len(definitions) == 5


@pytest.mark.parametrize(
    "content_type",
    ["application/vnd.maileon.api+xml", "application/vnd.maileon.api+xml; charset=UTF-8", "application/xml",
     "Application/Vnd.Maileon.Api+XML;charset=utf-8"],
)
def test_answers_are_read_by_media_type_whatever_the_charset(client, maileon, content_type):
    maileon.answer("GET", "/contacts/fields/custom", body=sample("custom_fields.xml"), content_type=content_type)
    assert len(client.get_custom_field_definitions()) == 5
