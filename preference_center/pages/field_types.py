"""One typed contact field on a recipient form: the Django field for its type (in the recipient's language), and
its value converted from and to Maileon's wire strings (maileon-api.md §2.7, §2.8)."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.validators import RegexValidator
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .. import languages
from ..models import FieldSource, FieldType, ProfileField
from ..services.standard_fields import STANDARD_FIELDS, TEXT_MAX_LENGTH

INT32 = (-(2**31), 2**31 - 1)
# Maileon takes contact values in XML 1.0, which cannot carry control characters (other than tab and line
# breaks) or U+FFFE/U+FFFF; refused here, they get a message next to the field instead of Maileon's 400.
xml_text = RegexValidator(
    r"^[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*$",
    message=_("Please remove the invisible control characters from this text."),
)


def from_wire(kind: str, value: str | None):
    """Maileon's string -> the form's initial value (None when Maileon holds no value or an unreadable one)."""
    if value is None or value == "":
        return None
    try:
        if kind == FieldType.NUMBER:
            return int(value)
        if kind == FieldType.DECIMAL:
            return decimal.Decimal(value)
        if kind == FieldType.DATE:
            return datetime.date.fromisoformat(value[:10])  # Maileon may add " HH:mm:ss"
        if kind == FieldType.BOOLEAN:
            return value.strip().lower() in ("true", "1")
    except (ValueError, decimal.InvalidOperation):
        return None
    return value


def to_wire(kind: str, value) -> str | None:
    """The form's cleaned value -> Maileon's string; None means "no value" (sent as nil)."""
    if value is None or value == "":
        return None
    if kind == FieldType.DECIMAL:
        return format(value.normalize(), "f")
    if kind == FieldType.DATE:
        return value.isoformat()
    if kind == FieldType.BOOLEAN:
        return "true" if value else "false"
    return str(value)


def normalized(kind: str, stored: str | None) -> str | None:
    """Maileon's value in the form's wire spelling, so "4711" and "4711 " or "3.50" and "3.5" compare equal."""
    if stored is None or not stored.strip():
        return None
    if kind == FieldType.TEXT:
        return stored.strip()
    parsed = from_wire(kind, stored)
    return stored if parsed is None else to_wire(kind, parsed)  # unreadable for us: as Maileon holds it


# Dates: browsers with a date picker show it in the browser's own format and post ISO (yyyy-mm-dd), so the page
# adds no format hint that could contradict the picker. Without a picker (an old browser: the input falls back to
# text) recipients type the way their language writes dates: accepted besides ISO where that way is unambiguous
# (not in English: 01/02/1990 is January in the US and February in the UK), and shown as the placeholder, which
# browsers with a picker do not display.
TYPED_DATE_FORMATS = {"de": "%d.%m.%Y", "fr": "%d/%m/%Y", "it": "%d/%m/%Y", "es": "%d/%m/%Y", "nl": "%d-%m-%Y"}
ISO_DATE = "%Y-%m-%d"
EXAMPLE_DATE = datetime.date(1990, 12, 31)


def date_field(language: str, common: dict, attrs: dict) -> forms.DateField:
    typed = TYPED_DATE_FORMATS.get(language, ISO_DATE)
    example = EXAMPLE_DATE.strftime(typed)
    return forms.DateField(
        input_formats=list(dict.fromkeys([ISO_DATE, typed])),
        widget=forms.DateInput(format=ISO_DATE, attrs={**attrs, "type": "date", "placeholder": example}),
        error_messages={"invalid": format_lazy(_("Please enter a date such as {example}."), example=example)},
        **common,
    )


def typed_field(
    kind: str, *, label: str, required: bool, choices: list[tuple[str, str]], max_length: int | None,
    validators: list[Callable], help_text: str, autocomplete: str, language: str,
) -> forms.Field:
    common = {"label": label, "required": required, "help_text": help_text}
    attrs = {"autocomplete": autocomplete} if autocomplete else {}
    if kind == FieldType.NUMBER:
        return forms.IntegerField(min_value=INT32[0], max_value=INT32[1],
                                  widget=forms.NumberInput(attrs={**attrs, "inputmode": "numeric"}), **common)
    if kind == FieldType.DECIMAL:
        # localize: a German recipient types 3,5
        return forms.DecimalField(localize=True, max_digits=30,
                                  widget=forms.TextInput(attrs={**attrs, "inputmode": "decimal"}), **common)
    if kind == FieldType.DATE:
        return date_field(language, common, attrs)
    if kind == FieldType.BOOLEAN:
        return forms.BooleanField(**common)
    if kind == FieldType.CHOICE:
        empty = [] if required else [("", _("(no answer)"))]
        return forms.ChoiceField(choices=empty + choices, widget=forms.Select(attrs=attrs), **common)
    return forms.CharField(max_length=max_length or TEXT_MAX_LENGTH, validators=[xml_text, *validators],
                           widget=forms.TextInput(attrs=attrs), **common)


@dataclass(frozen=True)
class FieldEntry:
    """A contact field on the form: which Maileon field it is and under which form key."""

    key: str
    source: str
    name: str
    kind: str


def field_label(profile_field: ProfileField, language: str) -> str:
    standard = STANDARD_FIELDS.get(profile_field.name) if profile_field.source == FieldSource.STANDARD else None
    return profile_field.label(language, str(standard.label) if standard else "")


def with_held_value(choices: list[tuple[str, str]], held: str, aliases: dict[str, set[str]]) -> list[tuple[str, str]]:
    """The choices with the value Maileon holds among them, once, so an untouched field stays valid and is not
    sent. A held value that reads like a choice (its label in any language, e.g. "Mr" for the choice
    Herr|Herr|Mr, written by another form) takes that choice's place under the choice's label; anything else is
    added as it is."""
    if held in {value for value, _label in choices}:
        return choices
    same = held.strip().casefold()
    for index, (value, label) in enumerate(choices):
        if same in {text.strip().casefold() for text in {value, label, *aliases.get(value, ())}}:
            return [*choices[:index], (held, label), *choices[index + 1:]]
    return [*choices, (held, held)]


def choice_labels_in_every_language(profile_field: ProfileField, standard) -> dict[str, set[str]]:
    """value -> its labels in every language the pages speak."""
    aliases: dict[str, set[str]] = {}
    for code in languages.CODES:
        with translation.override(code):
            for value, label in profile_field.choice_list(code) or (standard.choice_list() if standard else []):
                aliases.setdefault(value, set()).add(str(label))
    return aliases
