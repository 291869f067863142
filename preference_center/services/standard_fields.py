"""The Maileon standard contact fields a profile page may offer (maileon-api.md §2.7).

One catalogue for the admin (what a marketer may pick, with a default label) and the forms (how a value is
shown and checked before it goes to Maileon). Read-only fields (PERMISSION_STATUS, SENDOUT_STATUS,
CUSTOM_SOURCE, CHECKSUM) are deliberately absent: a recipient can never write them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..models import FieldType

# Maileon's limit for text standard fields and string custom fields.
TEXT_MAX_LENGTH = 255

# LOCALE: ISO 639 language, optionally "_" + ISO 3166 country (de, de_AT).
LOCALE_PATTERN = re.compile(r"^[a-z]{2}(_[A-Z]{2})?$")


@dataclass(frozen=True)
class StandardField:
    """One writable standard field. `label` is lazy: it translates in the language of the response."""

    name: str
    label: Promise
    field_type: str = FieldType.TEXT
    max_length: int | None = TEXT_MAX_LENGTH
    # For FieldType.CHOICE: (wire value, lazy label).
    choices: tuple[tuple[str, Promise], ...] = ()
    # A format the value must match beyond its type (LOCALE); None: the type's own check is enough.
    pattern: re.Pattern[str] | None = None
    format_hint: Promise | str = ""
    autocomplete: str = ""  # HTML autocomplete token: phones fill the form for the recipient

    def choice_list(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in self.choices]


def _text(name: str, label: Promise, autocomplete: str = "") -> StandardField:
    return StandardField(name=name, label=label, autocomplete=autocomplete)


def _date(name: str, label: Promise, autocomplete: str = "") -> StandardField:
    # Maileon stores yyyy-MM-dd (or with a time); the page reads and writes the date part only. No format hint:
    # the browser's date picker shows its own format (pages/forms.py).
    return StandardField(name=name, label=label, field_type=FieldType.DATE, max_length=None,
                         autocomplete=autocomplete)


STANDARD_FIELDS: dict[str, StandardField] = {
    field.name: field
    for field in [
        _text("SALUTATION", _("Salutation"), "honorific-prefix"),
        _text("TITLE", _("Title"), "honorific-prefix"),
        _text("FIRSTNAME", _("First name"), "given-name"),
        _text("LASTNAME", _("Last name"), "family-name"),
        _text("FULLNAME", _("Full name"), "name"),
        _text("ORGANIZATION", _("Organisation"), "organization"),
        _text("ADDRESS", _("Street"), "address-line1"),
        _text("HNR", _("House number")),
        _text("ZIP", _("Postcode"), "postal-code"),
        _text("CITY", _("City"), "address-level2"),
        _text("REGION", _("Region"), "address-level1"),
        _text("STATE", _("State")),
        _text("COUNTRY", _("Country"), "country-name"),
        StandardField(
            name="GENDER", label=_("Gender"), field_type=FieldType.CHOICE, max_length=None,
            # "d" (diverse) is on Maileon's current field page; older copies list m/f only.
            choices=(("m", _("male")), ("f", _("female")), ("d", _("diverse"))),
            autocomplete="sex",
        ),
        _date("BIRTHDAY", _("Date of birth"), "bday"),
        _date("NAMEDAY", _("Name day")),
        StandardField(
            name="LOCALE", label=_("Language and region"), max_length=5, pattern=LOCALE_PATTERN,
            format_hint=_("A language code, optionally with a country: de, en or de_AT."),
        ),
    ]
}

# The field the language selection reads ("de_DE" -> "de"); requested on every profile read.
LOCALE_FIELD = "LOCALE"
