"""The codec against Maileon's documented XML (samples/*.xml, transcribed from maileon-api.md) and hostile input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lxml import etree

from preference_center.maileon import codec
from preference_center.maileon.codec import CodecError
from preference_center.maileon.types import (
    Contact,
    ContactChanges,
    CustomFieldDefinition,
    CustomFieldType,
    Permission,
    Preference,
    PreferenceCategory,
    PreferenceDefinition,
)

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def shape(element: etree._Element) -> tuple:
    """Tag, attributes, text and children, ignoring formatting whitespace and comments."""
    children = tuple(shape(child) for child in element if isinstance(child.tag, str))
    return (element.tag, dict(element.attrib), (element.text or "").strip() if not children else "", children)


def parsed(body: bytes) -> etree._Element:
    return etree.fromstring(body, etree.XMLParser(remove_comments=True, resolve_entities=False))


ERIKA = Contact(
    id=40417,
    email="erika.beispiel@example.org",
    permission=Permission.DOUBLE_OPT_IN,
    external_id=None,
    # The codec hands on every field it read; the client compares CHECKSUM and reads PERMISSION_STATUS.
    standard_fields={"FIRSTNAME": "Erika", "TITLE": None, "CHECKSUM": "Qm7-tR2xLp", "PERMISSION_STATUS": "available"},
    custom_fields={"Lieblingsfarbe": "gruen"},
    preferences=(Preference(name="Rezepte", category="Themen", value=True, source=None),),
)

PUT_CHANGES = ContactChanges(
    standard_fields={"FIRSTNAME": "Erika", "TITLE": None},
    custom_fields={"Lieblingsfarbe": "blau"},
    preferences=(Preference(name="Rezepte", category="Themen", value=False, source="profile-page"),),
)


# --- the documented samples


def test_get_contact_sample_decodes_to_its_values():
    assert codec.decode_contact(sample("get_contact.xml")) == ERIKA


def test_put_body_sample_decodes_to_its_changes():
    assert codec.decode_contact_changes(sample("put_contact.xml")) == PUT_CHANGES


def test_encoded_changes_have_the_documented_put_shape():
    assert shape(parsed(codec.encode_contact_changes(PUT_CHANGES))) == shape(parsed(sample("put_contact.xml")))


def test_report_sample_decodes_to_failure_with_field_message():
    assert codec.decode_report(sample("report_duplicate_email.xml")) == (False, {"email": "duplicate email"})


def test_encoded_report_has_the_documented_shape():
    body = codec.encode_report(success=False, field_errors={"email": "duplicate email"})
    assert shape(parsed(body)) == shape(parsed(sample("report_duplicate_email.xml")))


@pytest.mark.parametrize(
    ("name", "message"),
    [("error.xml", "contact with id 40417 not found"), ("error_bare_message.xml", "invalid checksum")],
)
def test_error_samples_give_maileons_message(name, message):
    assert codec.decode_error_message(sample(name)) == message


def test_preference_categories_sample():
    assert codec.decode_preference_categories(sample("preference_categories.xml")) == [
        PreferenceCategory(name="Themen", description="Worüber wir schreiben"),
        PreferenceCategory(name="Haeufigkeit", description=""),
    ]


def test_preference_category_sample():
    assert codec.decode_preference_category(sample("preference_category.xml")) == PreferenceCategory(
        name="Themen", description="Worüber wir schreiben"
    )


def test_preferences_sample_takes_the_category_from_the_caller():
    assert codec.decode_preference_definitions(sample("preferences.xml"), category="Themen") == [
        PreferenceDefinition(name="Rezepte", category="Themen", description="Neue Rezepte jede Woche"),
        PreferenceDefinition(name="Reisen & Kultur", category="Themen", description=""),
    ]


def test_custom_fields_sample():
    assert codec.decode_custom_field_definitions(sample("custom_fields.xml")) == [
        CustomFieldDefinition("Lieblingsfarbe", CustomFieldType.STRING),
        CustomFieldDefinition("Kinder", CustomFieldType.INTEGER),
        CustomFieldDefinition("Rabatt", CustomFieldType.FLOAT),
        CustomFieldDefinition("Hochzeitstag", CustomFieldType.DATE),
        CustomFieldDefinition("Vegetarier", CustomFieldType.BOOLEAN),
    ]


# --- documents we write


def test_documents_start_with_a_double_quoted_utf8_declaration():
    body = codec.encode_contact_changes(ContactChanges(standard_fields={"CITY": "Köln"}))
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert "Köln".encode() in body


@pytest.mark.parametrize(
    "encode",
    [
        lambda: codec.encode_contact(ERIKA),
        lambda: codec.encode_contact_changes(PUT_CHANGES),
        lambda: codec.encode_error("x"),
        lambda: codec.encode_report(success=True, field_errors={}),
        lambda: codec.encode_preference_categories([PreferenceCategory("a")]),
        lambda: codec.encode_preference_category(PreferenceCategory("a")),
        lambda: codec.encode_preference_definitions([PreferenceDefinition("a", "b")]),
        lambda: codec.encode_custom_field_definitions([CustomFieldDefinition("abc", CustomFieldType.DATE)]),
    ],
)
def test_every_encoder_writes_a_declared_document_our_parser_accepts(encode):
    body = encode()
    assert body.startswith(codec.XML_DECLARATION)
    codec.parse(body)


def test_markup_in_values_is_escaped_and_survives_a_round_trip():
    hostile = '<script>alert("x")</script> & ]]> \'quoted\''
    changes = ContactChanges(
        email="a+b@example.org",
        standard_fields={"FIRSTNAME": hostile},
        custom_fields={hostile: hostile},
        preferences=(Preference(name=hostile, category=hostile, value=True, source=hostile),),
    )
    body = codec.encode_contact_changes(changes)
    assert b"<script>" not in body
    assert codec.decode_contact_changes(body) == changes


def test_changes_contain_only_the_parts_that_change():
    root = parsed(codec.encode_contact_changes(ContactChanges(custom_fields={"Lieblingsfarbe": "rot"})))
    assert [child.tag for child in root] == ["custom_fields"]
    assert root.find("id") is None and root.find("permission") is None


def test_changes_send_email_only_when_given():
    assert parsed(codec.encode_contact_changes(ContactChanges(email="neu@example.org"))).findtext("email") == (
        "neu@example.org"
    )
    assert parsed(codec.encode_contact_changes(ContactChanges(standard_fields={"ZIP": "1"}))).find("email") is None


def test_none_field_is_written_as_nil_and_empty_string_is_not():
    root = parsed(codec.encode_contact_changes(ContactChanges(standard_fields={"TITLE": None, "HNR": ""})))
    title, hnr = root.findall("standard_fields/field/value")
    assert title.get("nil") == "true" and not title.text
    assert hnr.get("nil") is None and (hnr.text or "") == ""


def test_preference_source_left_out_when_none():
    changes = ContactChanges(preferences=(Preference(name="Rezepte", category="Themen", value=True),))
    preference = parsed(codec.encode_contact_changes(changes)).find("preferences/preference")
    assert [child.tag for child in preference] == ["name", "category", "value"]
    assert preference.findtext("value") == "true"


def test_control_characters_refused_when_encoding():
    with pytest.raises(CodecError):
        codec.encode_contact_changes(ContactChanges(standard_fields={"FIRSTNAME": "a\x00b"}))


@pytest.mark.parametrize(
    "contact",
    [
        ERIKA,
        Contact(id=1),
        Contact(id=2, email=None, permission=Permission.NONE, external_id="ext-7", standard_fields={"ZIP": ""}),
        Contact(id=3, preferences=(Preference("p", "c", None, "src"),)),
    ],
)
def test_contact_round_trip(contact):
    assert codec.decode_contact(codec.encode_contact(contact)) == contact


# --- reading Maileon's answers


def contact_xml(inner: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><contact><id>7</id>{inner}</contact>'.encode()


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        ('<value nil="true"/>', None),
        ('<value nil="true"></value>', None),
        ("<value></value>", ""),
        ("<value/>", ""),
        ("<value>x</value>", "x"),
        ("<value><![CDATA[a<b]]></value>", "a<b"),
    ],
)
def test_nil_means_none_and_empty_means_empty(inner, expected):
    body = contact_xml(f"<standard_fields><field><name>TITLE</name>{inner}</field></standard_fields>")
    assert codec.decode_contact(body).standard_fields == {"TITLE": expected}


@pytest.mark.parametrize(
    ("inner", "permission"),
    [("", None), ('<permission nil="true"/>', None), ("<permission>1</permission>", Permission.NONE),
     ("<permission> 6 </permission>", Permission.OTHER)],
)
def test_permission_codes(inner, permission):
    assert codec.decode_contact(contact_xml(inner)).permission is permission


@pytest.mark.parametrize(
    ("word", "permission"),
    [("none", Permission.NONE), ("soi", Permission.SINGLE_OPT_IN), ("coi", Permission.CONFIRMED_OPT_IN),
     ("DOI", Permission.DOUBLE_OPT_IN), ("doi+", Permission.DOUBLE_OPT_IN_PLUS), ("other", Permission.OTHER)],
)
def test_permission_type_words_of_xqueues_php_client_are_understood(word, permission):
    assert codec.decode_contact(contact_xml(f"<permission>{word}</permission>")).permission is permission


@pytest.mark.parametrize("text", ["7", "0", "four", "doi++", "-1"])
def test_an_unknown_permission_reads_as_other_and_is_logged_once(text, caplog):
    first = codec.decode_contact(contact_xml(f"<permission>{text}</permission>"))
    again = codec.decode_contact(contact_xml(f"<permission>{text}</permission>"))
    assert first.permission is again.permission is Permission.OTHER
    logged = [r for r in caplog.records if "unknown permission" in r.getMessage() and repr(text) in r.getMessage()]
    assert len(logged) <= 1  # once per value and process (an earlier test may have logged it already)


@pytest.mark.parametrize("text", ["yes", "ja", "2"])
def test_an_unreadable_preference_value_reads_as_no_value(text):
    inner = (f"<preferences><preference><name>Rezepte</name><category>Themen</category><value>{text}</value>"
             "</preference></preferences>")
    assert codec.decode_contact(contact_xml(inner)).preference("Themen", "Rezepte").value is None


def test_missing_sections_decode_to_empty_values():
    contact = codec.decode_contact(contact_xml('<email nil="true"/><custom_fields/>'))
    assert contact == Contact(id=7)


def test_unknown_elements_in_a_contact_are_skipped():
    contact = codec.decode_contact(contact_xml("<updated>2024</updated><foo><bar/></foo><email>a@b.c</email>"))
    assert contact.email == "a@b.c"


@pytest.mark.parametrize("body", [b"<contact><email>x</email></contact>", b"<contact><id>x</id></contact>"])
def test_contact_without_numeric_id_is_refused(body):
    with pytest.raises(CodecError):
        codec.decode_contact(body)


def test_wrong_root_is_refused():
    with pytest.raises(CodecError, match="root"):
        codec.decode_contact(b"<contacts><contact><id>1</id></contact></contacts>")


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("false", False), ("1", True), ("0", False), (" TRUE ", True), ("", None), (None, None)],
)
def test_decode_bool(text, value):
    assert codec.decode_bool(text) is value


def test_decode_bool_refuses_other_words():
    with pytest.raises(CodecError):
        codec.decode_bool("yes")


@pytest.mark.parametrize(("value", "text"), [(True, "true"), (False, "false")])
def test_encode_bool(value, text):
    assert codec.encode_bool(value) == text


def test_preference_values_written_as_1_and_0_are_read():
    body = contact_xml(
        "<preferences><preference><name>a</name><category>c</category><value>1</value></preference>"
        "<preference><name>b</name><category>c</category><value>0</value></preference></preferences>"
    )
    assert [p.value for p in codec.decode_contact(body).preferences] == [True, False]


def test_an_unknown_custom_field_type_reads_as_other():
    definitions = codec.decode_custom_field_definitions(
        b"<custom_fields><custom_field><name>abc</name><type>json</type></custom_field>"
        b"<custom_field><name>Rabatt</name><type>FLOAT</type></custom_field></custom_fields>"
    )
    assert [(d.name, d.type) for d in definitions] == [
        ("abc", CustomFieldType.OTHER), ("Rabatt", CustomFieldType.FLOAT)]


def test_configuration_round_trips():
    categories = [PreferenceCategory("Themen", "T"), PreferenceCategory("Leer")]
    assert codec.decode_preference_categories(codec.encode_preference_categories(categories)) == categories
    assert codec.decode_preference_category(codec.encode_preference_category(categories[0])) == categories[0]
    preferences = [PreferenceDefinition("Rezepte", "Themen", "R")]
    body = codec.encode_preference_definitions(preferences)
    assert codec.decode_preference_definitions(body, category="Themen") == preferences
    fields = [CustomFieldDefinition("Vegetarier", CustomFieldType.BOOLEAN)]
    assert codec.decode_custom_field_definitions(codec.encode_custom_field_definitions(fields)) == fields


# --- the sandbox's strict reading of a PUT body


@pytest.mark.parametrize(
    "inner",
    [
        "<id>40417</id>",
        "<permission>4</permission>",
        "<created>2024-01-01</created>",
        "<updated>2024-01-01</updated>",
        "<external_id>x</external_id>",
        "<nickname>x</nickname>",
        "<email>a@b.c</email><email>d@e.f</email>",
        '<email nil="true"/>',
        "<standard_fields><row/></standard_fields>",
        "<standard_fields><field><name>A</name></field></standard_fields>",
        "<standard_fields><field><value>x</value></field></standard_fields>",
        "<standard_fields><field><name>A</name><value>1</value><type>x</type></field></standard_fields>",
        "<standard_fields><field><name>A</name><value>1</value></field>"
        "<field><name>A</name><value>2</value></field></standard_fields>",
        "<preferences><preference><name>a</name><category>c</category></preference></preferences>",
        "<preferences><preference><name>a</name><category>c</category><value>maybe</value></preference>"
        "</preferences>",
        "<preferences><preference><name>a</name><category>c</category><value>1</value><x/></preference>"
        "</preferences>",
        "<preferences><item/></preferences>",
    ],
)
def test_put_body_with_anything_maileon_would_refuse_is_refused(inner):
    with pytest.raises(CodecError):
        codec.decode_contact_changes(f"<contact>{inner}</contact>".encode())


def test_put_body_with_wrong_root_is_refused():
    with pytest.raises(CodecError):
        codec.decode_contact_changes(b"<contacts/>")


def test_put_body_written_by_the_php_client_is_accepted():
    body = (
        b'<?xml version="1.0"?><contact><email>a@b.c</email><preferences><preference><name>a</name>'
        b"<category>c</category><value>1</value></preference></preferences></contact>"
    )
    assert codec.decode_contact_changes(body) == ContactChanges(
        email="a@b.c", preferences=(Preference("a", "c", True),)
    )


# --- errors and reports


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"<html><body>Bad Gateway</body></html>",
        b"not xml at all",
        b"<error/>",
        b"<error><code>1</code></error>",
        b"\xff\xfe\x00garbage",
    ],
)
def test_error_message_is_empty_when_there_is_none(body):
    assert codec.decode_error_message(body) == ""


def test_error_round_trip():
    assert codec.decode_error_message(codec.encode_error("kaputt & weg")) == "kaputt & weg"


@pytest.mark.parametrize("body", [b"", b"<contact><id>1</id></contact>", b"<error><message>x</message></error>"])
def test_non_reports_are_none(body):
    assert codec.decode_report(body) is None


def test_malformed_report_body_raises():
    with pytest.raises(CodecError):
        codec.decode_report(b"<report><success>")


@pytest.mark.parametrize(
    ("success", "field_errors"), [(True, {}), (False, {"email": "duplicate email", "ZIP": "too long"})]
)
def test_report_round_trip(success, field_errors):
    assert codec.decode_report(codec.encode_report(success=success, field_errors=field_errors)) == (
        success,
        field_errors,
    )


def test_report_without_verdict_but_with_errors_is_a_failure():
    body = (
        b"<report><contact><error><error_field>email</error_field>"
        b"<error_message>x</error_message></error></contact></report>"
    )
    assert codec.decode_report(body) == (False, {"email": "x"})


# --- hostile input


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-FILE-CONTENT")
    return path


def xxe_body(path: Path, encoding: str = "utf-8") -> bytes:
    return (
        f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
        f'<!DOCTYPE contact [<!ENTITY leak SYSTEM "file://{path}">]>'
        "<contact><id>1</id><email>&leak;</email></contact>"
    ).encode(encoding)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    + b"]><contact><id>1</id><email>&lol9;</email></contact>"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize(
    "decode",
    [codec.decode_contact, codec.decode_contact_changes, codec.decode_report, codec.parse,
     codec.decode_preference_categories],
)
def test_external_entity_is_refused_without_being_read(decode, encoding, secret_file):
    with pytest.raises(CodecError) as raised:
        decode(xxe_body(secret_file, encoding))
    rendered = f"{raised.value!s} {raised.value!r} {raised.value.__cause__!r} {raised.value.__context__!r}"
    assert "TOP-SECRET" not in rendered


def test_external_entity_in_an_error_body_gives_no_message(secret_file):
    assert codec.decode_error_message(xxe_body(secret_file)) == ""


def test_billion_laughs_is_refused_quickly():
    started = time.monotonic()
    with pytest.raises(CodecError):
        codec.decode_contact(BILLION_LAUGHS)
    assert time.monotonic() - started < 1


def test_doctype_without_entities_is_refused():
    with pytest.raises(CodecError):
        codec.parse(b'<!DOCTYPE contact SYSTEM "http://example.org/contact.dtd"><contact><id>1</id></contact>')


def test_bodies_over_one_mib_are_refused():
    padding = b" " * (codec.MAX_BODY_BYTES)
    with pytest.raises(CodecError, match="larger"):
        codec.parse(b"<contact><id>1</id></contact>" + padding)


@pytest.mark.parametrize("body", [b"", b"  \n", b"<contact>", b"<a></b>", "<a/>"])
def test_malformed_bodies_are_refused(body):
    with pytest.raises(CodecError):
        codec.parse(body)
