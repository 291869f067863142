"""Get Contact By Maileon ID (maileon-api.md §2.1): what it answers, what it refuses."""

import pytest

from preference_center.maileon import codec
from preference_center.maileon.types import Permission

from .conftest import error_message


def test_reads_the_requested_fields_and_preferences_of_a_demo_contact(sandbox):
    contact = sandbox.read_contact(
        1001,
        ("standard_field", "FIRSTNAME"),
        ("standard_field", "LASTNAME"),
        ("standard_field", "TITLE"),
        ("custom_field", "Lieblingsfarbe"),
        ("custom_field", "VIP"),
        ("preference_categories", "Themen"),
    )
    assert contact.id == 1001
    assert contact.email == "erika.beispiel@example.org"
    assert contact.permission is Permission.DOUBLE_OPT_IN
    assert dict(contact.standard_fields) == {"FIRSTNAME": "Erika", "LASTNAME": "Mustermann-Groß", "TITLE": None}
    assert dict(contact.custom_fields) == {"Lieblingsfarbe": "grün", "VIP": "true"}
    assert {(p.category, p.name): p.value for p in contact.preferences} == {
        ("Themen", "Rezepte"): True,
        ("Themen", "Reisen"): False,
        ("Themen", "Technik"): True,
        ("Themen", "Angebote"): False,
    }


def test_leaves_out_a_custom_field_without_value_and_preferences_not_asked_for(sandbox):
    response = sandbox.read(1002, ("custom_field", "Lieblingsfarbe"), ("custom_field", "Kundennummer"))
    assert b"<preferences" not in response.content
    contact = sandbox.read_contact(1002, ("custom_field", "Lieblingsfarbe"), ("custom_field", "Kundennummer"))
    assert dict(contact.custom_fields) == {"Kundennummer": "815"}


def test_read_only_fields_describe_the_permission(sandbox):
    fields = ("standard_field", "PERMISSION_STATUS"), ("standard_field", "SENDOUT_STATUS")
    assert dict(sandbox.read_contact(1001, *fields).standard_fields) == {
        "PERMISSION_STATUS": "available",
        "SENDOUT_STATUS": "allowed",
    }
    assert sandbox.read_contact(1003, *fields).standard_fields["PERMISSION_STATUS"] == "none"


def test_unknown_contact_is_not_found(sandbox):
    response = sandbox.read(424242, checksum="abc")
    assert (response.status_code, error_message(response)) == (404, "contact not found")


@pytest.mark.parametrize(
    ("checksum", "cause"), [("", "checksum missing"), ("x", "invalid checksum"), ("WRONGWRONG12", "invalid checksum")]
)
def test_refuses_a_missing_empty_or_wrong_checksum(sandbox, checksum, cause):
    response = sandbox.read(1001, checksum=checksum)
    assert (response.status_code, error_message(response)) == (400, cause)


def test_refuses_another_contacts_checksum_saying_invalid_checksum(sandbox):
    response = sandbox.read(1001, checksum=sandbox.store.checksum_for(1002))
    assert (response.status_code, error_message(response)) == (400, "invalid checksum")


def test_refuses_a_read_without_checksum_parameter(sandbox):
    response = sandbox.call("GET", "/contacts/contact", [("id", "1001")])
    assert (response.status_code, error_message(response)) == (400, "checksum missing")


@pytest.mark.parametrize("contact_id", ["abc", "", "1001.0", "-1001", "[CONTACT|ID]", " 1001"])
def test_refuses_a_non_numeric_id(sandbox, contact_id):
    response = sandbox.call("GET", "/contacts/contact", [("id", contact_id), ("checksum", "x")])
    assert (response.status_code, error_message(response)) == (400, "id must be a numeric contact id")


@pytest.mark.parametrize("extra", [("mailingid", "88120"), ("contactid", "1001"), ("standard_fields", "CITY")])
def test_refuses_a_query_name_the_read_does_not_take(sandbox, extra):
    response = sandbox.read(1001, extra)
    assert (response.status_code, error_message(response)) == (400, f"unknown query parameter: {extra[0]}")


def test_refuses_a_repeated_single_valued_parameter(sandbox):
    response = sandbox.read(1001, ("id", "1002"))
    assert (response.status_code, error_message(response)) == (400, "query parameter given more than once: id")


@pytest.mark.parametrize(
    ("extra", "cause"),
    [(("standard_field", "firstname"), "unknown standard field: firstname"),
     (("standard_field", "NICKNAME"), "unknown standard field: NICKNAME"),
     (("custom_field", "lieblingsfarbe"), "unknown custom field: lieblingsfarbe"),
     (("preference_categories", "themen"), "unknown preference category: themen")],
)  # fmt: skip
def test_refuses_names_the_account_does_not_know_case_sensitively(sandbox, extra, cause):
    response = sandbox.read(1001, extra)
    assert (response.status_code, error_message(response)) == (400, cause)


def test_ignore_checksum_false_is_accepted_and_recorded(sandbox):
    # XQueue's PHP client always sends it; our app must not, so the call log keeps it for tests to see.
    response = sandbox.read(1001, ("ignore_checksum", "false"))
    assert response.status_code == 200
    assert [call.values("ignore_checksum") for call in sandbox.store.ignore_checksum_calls()] == [["false"]]


def test_ignore_checksum_true_skips_the_checksum_test(sandbox):
    response = sandbox.read(1001, ("ignore_checksum", "true"), checksum="wrong")
    assert response.status_code == 200


def test_reads_change_nothing_and_are_logged(sandbox):
    sandbox.read(1001)
    sandbox.read(1001, checksum="wrong")
    sandbox.call("GET", "/contacts/preference_categories")
    assert [(call.method, call.path) for call in sandbox.store.calls] == [
        ("GET", "/contacts/contact"),
        ("GET", "/contacts/contact"),
        ("GET", "/contacts/preference_categories"),
    ]
    assert sandbox.store.changing_calls() == []


def test_checksums_are_short_url_safe_and_stable_across_stores(sandbox):
    from preference_center.dev.sandbox.store import SandboxStore

    checksum = sandbox.store.checksum_for(1001)
    assert checksum == SandboxStore().checksum_for(1001)
    assert checksum != sandbox.store.checksum_for(1002)
    assert 10 <= len(checksum) <= 16
    assert all(ch.isalnum() or ch in "-_" for ch in checksum)


def test_checksum_is_readable_as_a_standard_field_also_once_the_contact_has_left(sandbox):
    fields = ("standard_field", "CHECKSUM"), ("standard_field", "PERMISSION_STATUS")
    assert sandbox.read_contact(1004, *fields).standard_fields["CHECKSUM"] == sandbox.store.checksum_for(1004)
    sandbox.store.contact(1004).anonymize()
    # GUESS: Maileon still finds an anonymized contact by id and still knows its checksum (the reasons call
    # after an unsubscribe needs it), and says it has left.
    assert dict(sandbox.read_contact(1004, *fields).standard_fields) == {
        "CHECKSUM": sandbox.store.checksum_for(1004), "PERMISSION_STATUS": "unsubscribed"}


@pytest.mark.parametrize("checksum", ["x", "WRONGWRONG12", "[CONTACT|CHECKSUM]"])
def test_lenient_reads_answer_whatever_the_checksum_yet_show_the_real_one(sandbox, checksum):
    sandbox.store.lenient_checksum_reads = True
    response = sandbox.read(1001, ("standard_field", "CHECKSUM"), checksum=checksum)
    assert response.status_code == 200
    assert codec.decode_contact(response.content).standard_fields["CHECKSUM"] == sandbox.store.checksum_for(1001)
    # Only reads are lenient: an update with the wrong checksum is still refused, for its cause.
    refused = sandbox.update(1001, b"<contact/>", checksum=checksum)
    assert (refused.status_code, error_message(refused)) == (400, "invalid checksum")
