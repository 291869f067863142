"""Update Contact By Maileon ID (maileon-api.md §2.2, §2.7, §2.8): what it changes, what it refuses."""

import pytest

from preference_center.maileon import codec
from preference_center.maileon.types import ContactChanges, Permission, Preference

from .conftest import error_message


def body(**changes) -> bytes:
    return codec.encode_contact_changes(ContactChanges(**changes))


def fields_xml(container: str, name: str, value: str) -> bytes:
    return (
        f"<contact><{container}><field><name>{name}</name><value>{value}</value></field></{container}></contact>"
    ).encode()


def test_changes_what_is_sent_and_leaves_the_rest_alone(sandbox):
    response = sandbox.update(
        1001,
        body(
            standard_fields={"FIRSTNAME": "Eri", "TITLE": "Dr."},
            custom_fields={"Lieblingsfarbe": None},
            preferences=(Preference("Reisen", "Themen", True, "profile-page"),),
        ),
    )
    assert response.status_code == 200
    contact = sandbox.read_contact(
        1001,
        ("standard_field", "FIRSTNAME"),
        ("standard_field", "TITLE"),
        ("standard_field", "LASTNAME"),
        ("custom_field", "Lieblingsfarbe"),
        ("custom_field", "Kundennummer"),
        ("preference_categories", "Themen"),
    )
    assert dict(contact.standard_fields) == {"FIRSTNAME": "Eri", "TITLE": "Dr.", "LASTNAME": "Mustermann-Groß"}
    assert dict(contact.custom_fields) == {"Kundennummer": "4711"}
    assert contact.preference("Themen", "Reisen").value is True
    assert contact.preference("Themen", "Reisen").source == "profile-page"
    assert contact.preference("Themen", "Rezepte").value is True
    assert contact.email == "erika.beispiel@example.org"


@pytest.mark.parametrize(("wire", "expected"), [("1", True), ("0", False), ("true", True), ("false", False)])
def test_preference_values_may_be_written_as_1_or_0(sandbox, wire, expected):
    xml = (
        "<contact><preferences><preference><name>Angebote</name><category>Themen</category>"
        f"<value>{wire}</value></preference></preferences></contact>"
    ).encode()
    assert sandbox.update(1002, xml).status_code == 200
    contact = sandbox.read_contact(1002, ("preference_categories", "Themen"))
    assert contact.preference("Themen", "Angebote").value is expected


@pytest.mark.parametrize(
    ("xml", "cause"),
    [
        (b"", "empty XML body"),
        (b"not xml", "malformed XML"),
        (b"<contact><id>1001</id></contact>", "<id> is not allowed in <contact>"),
        (b"<contact><permission>4</permission></contact>", "<permission> is not allowed in <contact>"),
        (b"<contact><created>2020-01-01</created></contact>", "<created> is not allowed in <contact>"),
        (b"<kontakt/>", "expected root <contact>, got <kontakt>"),
        (
            b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x "y">]><contact><email>&x;@a.de</email></contact>',
            "XML with a DOCTYPE or entity declaration is refused",
        ),
    ],
)
def test_refuses_a_body_that_is_not_a_contact_change(sandbox, xml, cause):
    response = sandbox.update(1001, xml)
    assert (response.status_code, error_message(response)) == (400, f"invalid contact XML: {cause}")


@pytest.mark.parametrize(
    ("name", "value", "cause"),
    [
        ("NICKNAME", "Eri", "unknown standard field: NICKNAME"),
        ("firstname", "Eri", "unknown standard field: firstname"),  # standard names are upper case
        ("PERMISSION_STATUS", "available", "standard field is read-only: PERMISSION_STATUS"),
        ("CHECKSUM", "abc", "standard field is read-only: CHECKSUM"),
        ("FIRSTNAME", "x" * 256, "invalid value for standard field FIRSTNAME"),
        ("GENDER", "x", "invalid value for standard field GENDER"),
        ("GENDER", "F", "invalid value for standard field GENDER"),
        ("BIRTHDAY", "12.04.1985", "invalid value for standard field BIRTHDAY"),
        ("BIRTHDAY", "1985-02-30", "invalid value for standard field BIRTHDAY"),
        ("NAMEDAY", "1985-4-1", "invalid value for standard field NAMEDAY"),
        ("LOCALE", "deu", "invalid value for standard field LOCALE"),
        ("LOCALE", "de-DE", "invalid value for standard field LOCALE"),
        ("LOCALE", "DE_de", "invalid value for standard field LOCALE"),
    ],
)
def test_refuses_unknown_read_only_or_malformed_standard_fields(sandbox, name, value, cause):
    response = sandbox.update(1001, fields_xml("standard_fields", name, value))
    assert (response.status_code, error_message(response)) == (400, cause)
    assert sandbox.read_contact(1001, ("standard_field", "GENDER")).standard_fields["GENDER"] == "f"


@pytest.mark.parametrize(
    ("name", "value"),
    [("FIRSTNAME", "x" * 255), ("GENDER", "d"), ("BIRTHDAY", "1985-04-12 08:30:00"), ("LOCALE", "de_AT"),
     ("LOCALE", "en"), ("NAMEDAY", "2000-02-29")],
)  # fmt: skip
def test_accepts_valid_standard_field_values(sandbox, name, value):
    assert sandbox.update(1001, fields_xml("standard_fields", name, value)).status_code == 200
    assert sandbox.read_contact(1001, ("standard_field", name)).standard_fields[name] == value


@pytest.mark.parametrize(
    ("name", "value", "cause"),
    [
        ("Unbekannt", "x", "unknown custom field: Unbekannt"),
        ("lieblingsfarbe", "blau", "unknown custom field: lieblingsfarbe"),  # case-sensitive
        ("Lieblingsfarbe", "x" * 256, "invalid value for custom field Lieblingsfarbe"),
        ("Kundennummer", "12a", "invalid value for custom field Kundennummer"),
        ("Kundennummer", "2147483648", "invalid value for custom field Kundennummer"),  # 32-bit
        ("Kundennummer", "1.5", "invalid value for custom field Kundennummer"),
        ("Rabatt", "zehn", "invalid value for custom field Rabatt"),
        ("Rabatt", "nan", "invalid value for custom field Rabatt"),
        ("Kunde_seit", "2019-13-01", "invalid value for custom field Kunde_seit"),
        ("VIP", "yes", "invalid value for custom field VIP"),
    ],
)
def test_refuses_unknown_custom_fields_and_values_of_the_wrong_type(sandbox, name, value, cause):
    response = sandbox.update(1001, fields_xml("custom_fields", name, value))
    assert (response.status_code, error_message(response)) == (400, cause)


@pytest.mark.parametrize(
    ("name", "value", "stored"),
    [("Kundennummer", "-2147483648", "-2147483648"), ("Rabatt", "12.5", "12.5"),
     ("Kunde_seit", "2020-01-31", "2020-01-31"), ("VIP", "1", "true"), ("VIP", "false", "false"),
     ("Lieblingsfarbe", '<blau> & "grün"', '<blau> & "grün"')],
)  # fmt: skip
def test_accepts_custom_values_that_fit_the_type(sandbox, name, value, stored):
    xml = codec.encode_contact_changes(ContactChanges(custom_fields={name: value}))
    assert sandbox.update(1002, xml).status_code == 200
    assert sandbox.read_contact(1002, ("custom_field", name)).custom_fields[name] == stored


@pytest.mark.parametrize(("category", "name"), [("Themen", "Kochen"), ("themen", "Rezepte"), ("Frequenz", "Rezepte")])
def test_refuses_a_preference_the_account_does_not_define(sandbox, category, name):
    response = sandbox.update(1001, body(preferences=(Preference(name, category, True),)))
    assert (response.status_code, error_message(response)) == (400, f"unknown preference: {category}/{name}")


def test_a_refused_update_changes_nothing_at_all(sandbox):
    xml = body(standard_fields={"FIRSTNAME": "Neu"}, custom_fields={"Kundennummer": "viele"})
    response = sandbox.update(1001, xml)
    assert (response.status_code, error_message(response)) == (400, "invalid value for custom field Kundennummer")
    assert sandbox.read_contact(1001, ("standard_field", "FIRSTNAME")).standard_fields["FIRSTNAME"] == "Erika"


def test_changes_the_email_address(sandbox):
    assert sandbox.update(1004, body(email="lena.neu@example.org")).status_code == 200
    assert sandbox.read_contact(1004).email == "lena.neu@example.org"


def test_an_address_another_contact_uses_gets_a_failed_report(sandbox):
    response = sandbox.update(1004, body(email="Erika.Beispiel@example.org", standard_fields={"CITY": "Köln"}))
    assert response.status_code == 200
    assert codec.decode_report(response.content) == (False, {"email": "duplicate email"})
    contact = sandbox.read_contact(1004, ("standard_field", "CITY"))
    assert (contact.email, contact.standard_fields["CITY"]) == ("lena@example.org", None)


@pytest.mark.parametrize("email", ["kein-at-zeichen", "a@b", "a b@example.org", "@example.org"])
def test_refuses_an_implausible_address(sandbox, email):
    response = sandbox.update(1004, body(email=email))
    assert (response.status_code, error_message(response)) == (400, "invalid email")


def test_refuses_wrong_checksum_unknown_contact_and_foreign_query_names(sandbox):
    xml = body(standard_fields={"CITY": "Bonn"})
    wrong = sandbox.update(1001, xml, checksum=sandbox.store.checksum_for(1002))
    assert (wrong.status_code, error_message(wrong)) == (400, "invalid checksum")
    empty = sandbox.update(1001, xml, checksum="")
    assert (empty.status_code, error_message(empty)) == (400, "checksum missing")
    unknown = sandbox.update(999, xml, checksum="x")
    assert (unknown.status_code, error_message(unknown)) == (404, "contact not found")
    mailing = sandbox.update(1001, xml, ("mailingId", "88120"))
    assert (mailing.status_code, error_message(mailing)) == (400, "unknown query parameter: mailingId")
    page_key = sandbox.update(1001, xml, ("pagekey", "profil"))
    assert (page_key.status_code, error_message(page_key)) == (400, "unknown query parameter: pagekey")
    assert sandbox.read_contact(1001, ("standard_field", "CITY")).standard_fields["CITY"] == "München"


@pytest.mark.parametrize("permission", ["0", "7", "x", "", "4.0"])
def test_refuses_a_permission_outside_1_to_6(sandbox, permission):
    response = sandbox.update(1003, body(), ("permission", permission))
    assert (response.status_code, error_message(response)) == (400, "permission must be 1 to 6")


@pytest.mark.parametrize("permission", [Permission.DOUBLE_OPT_IN, Permission.DOUBLE_OPT_IN_PLUS])
def test_triggerdoi_with_double_opt_in_sends_a_doi_mail_and_keeps_the_permission(sandbox, permission):
    response = sandbox.update(
        1003,
        body(),
        ("permission", str(int(permission))),
        ("triggerdoi", "true"),
        ("doimailing", "doi-standard"),
        ("page_key", "profil-de"),
        ("src", "preference-center"),
    )
    assert response.status_code == 200
    assert sandbox.read_contact(1003).permission is Permission.NONE
    [mail] = sandbox.store.doi_mails
    assert (mail.contact_id, mail.permission, mail.doi_mailing, mail.page_key, mail.src) == (
        1003, permission, "doi-standard", "profil-de", "preference-center",
    )  # fmt: skip


def test_a_doi_mailing_the_account_lacks_is_refused_and_changes_nothing(sandbox):
    changed = body(standard_fields={"FIRSTNAME": "Z"})
    response = sandbox.update(1003, changed, ("permission", "4"), ("triggerdoi", "true"), ("doimailing", "doi-alt"))
    assert (response.status_code, error_message(response)) == (400, "unknown doi mailing: doi-alt")
    assert sandbox.read_contact(1003, ("standard_field", "FIRSTNAME")).standard_fields["FIRSTNAME"] == "Zoë"
    assert sandbox.store.doi_mails == []


@pytest.mark.parametrize("permission", ["2", "3", "6"])
def test_triggerdoi_with_other_permissions_sets_them_at_once(sandbox, permission):
    assert sandbox.update(1003, body(), ("permission", permission), ("triggerdoi", "true")).status_code == 200
    assert sandbox.read_contact(1003).permission == int(permission)
    assert sandbox.store.doi_mails == []


def test_a_permission_without_triggerdoi_is_set_directly(sandbox):
    assert sandbox.update(1003, body(), ("permission", "4")).status_code == 200
    assert sandbox.read_contact(1003).permission is Permission.DOUBLE_OPT_IN
    assert sandbox.store.doi_mails == []
