"""The recipient forms: ProfileForm built from a PageConfig and the contact as read, UnsubscribeForm with the
page's reasons.

Values are checked here against Maileon's rules (maileon-api.md §2.7, §2.8) so the recipient sees our message
next to the field, never Maileon's 400. `ProfileForm.changes()` holds only what differs from the contact:
a field the recipient emptied becomes None (sent as nil), an untouched field is absent (left alone).
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django import forms
from django.core.validators import RegexValidator
from django.forms.renderers import Jinja2
from django.utils.translation import gettext_lazy as _

from ..services.standard_fields import STANDARD_FIELDS, TEXT_MAX_LENGTH
from ..maileon import Contact, ContactChanges, Permission, Preference, PreferenceDefinition
from ..models import FieldSource, FieldType, PageConfig, PreferenceGroup, ProfileField, UnsubscribeReason
from ..services.page_fit import PageFit

INT32 = (-(2**31), 2**31 - 1)
# Maileon takes contact values in XML 1.0, which cannot carry control characters (other than tab and line
# breaks) or U+FFFE/U+FFFF; refused here, they get a message next to the field instead of Maileon's 400.
xml_text = RegexValidator(
    r"^[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*$",
    message=_("Please remove the invisible control characters from this text."),
)
MESSAGE_MAX_LENGTH = 500
EMAIL_MAX_LENGTH = 255


# --- one typed field: how it is shown, checked, and converted to and from Maileon's wire strings


def _from_wire(kind: str, value: str | None):
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


def _to_wire(kind: str, value) -> str | None:
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


def _normalized(kind: str, stored: str | None) -> str | None:
    """Maileon's value in the form's wire spelling, so "4711" and "4711 " or "3.50" and "3.5" compare equal."""
    if stored is None or not stored.strip():
        return None
    if kind == FieldType.TEXT:
        return stored.strip()
    parsed = _from_wire(kind, stored)
    return stored if parsed is None else _to_wire(kind, parsed)  # unreadable for us: as Maileon holds it


def _typed_field(
    kind: str, *, label: str, required: bool, choices: list[tuple[str, str]], max_length: int | None,
    validators: list[Callable], help_text: str, autocomplete: str,
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
        return forms.DateField(
            input_formats=["%Y-%m-%d"],
            widget=forms.DateInput(format="%Y-%m-%d", attrs={**attrs, "type": "date"}),
            **common,
        )
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


@dataclass(frozen=True)
class PreferenceEntry:
    key: str
    group: PreferenceGroup
    title: str
    description: str
    names: tuple[str, ...]


def _label(profile_field: ProfileField, language: str) -> str:
    own = profile_field.label_de if language == "de" else profile_field.label_en
    other = profile_field.label_en if language == "de" else profile_field.label_de
    standard = STANDARD_FIELDS.get(profile_field.name) if profile_field.source == FieldSource.STANDARD else None
    return own or (str(standard.label) if standard else "") or other or profile_field.name


def offers_opt_in(fit: PageFit, contact: Contact) -> bool:
    return fit.doi_mailing and contact.permission is Permission.NONE


RECIPIENT_FORM_RENDERER = Jinja2()


class AccessibleFormMixin:
    """Ties hints and errors to their inputs (aria-describedby, aria-invalid) for screen readers."""

    # Django's own widget templates in their Jinja2 version (shipped with Django, same markup): a profile page
    # renders a dozen widgets: 1 ms less per profile view than with Django's template engine (3.1 -> 2.1 ms).
    default_renderer = RECIPIENT_FORM_RENDERER

    def _describe_fields(self) -> None:
        for name, field in self.fields.items():
            bound = self[name]
            described_by = []
            if field.help_text:
                described_by.append(f"{bound.auto_id}_hint")
            if self.is_bound and name in self.errors:
                described_by.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described_by:
                field.widget.attrs["aria-describedby"] = " ".join(described_by)

    def full_clean(self) -> None:
        super().full_clean()
        self._describe_fields()

    def error_summary(self) -> list[dict]:
        """(label, message, anchor) for the summary at the top; each links to its field."""
        summary = []
        for name, errors in self.errors.items():
            if name == "__all__":
                summary += [{"label": "", "message": message, "anchor": ""} for message in errors]
                continue
            bound = self[name]
            anchor = bound.auto_id
            if isinstance(self.fields[name].widget, forms.CheckboxSelectMultiple):
                anchor = f"{anchor}_0"
            summary += [{"label": bound.label, "message": message, "anchor": anchor} for message in errors]
        return summary


class ProfileForm(AccessibleFormMixin, forms.Form):
    # Browsers leave unticked checkboxes out of a POST, so only a submission carrying this marker (every rendered
    # form does) may untick preferences; a field the request does not carry at all is unchanged, never emptied.
    complete_marker = "form_complete"

    def __init__(
        self,
        *,
        page: PageConfig,
        contact: Contact,
        language: str,
        fit: PageFit,
        data=None,
        disabled: bool = False,
    ) -> None:
        super().__init__(data=data)
        self.page, self.contact, self.language = page, contact, language
        self.entries: list[FieldEntry] = []
        self.preference_entries: list[PreferenceEntry] = []

        if page.email_editable:
            self.fields["email"] = forms.EmailField(
                label=_("Email address"), max_length=EMAIL_MAX_LENGTH, initial=contact.email,
                widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            )
        # Only what the account has (services.page_fit): a name renamed in Maileon is left out, not an error.
        for profile_field in fit.fields:
            self._add_contact_field(profile_field)
        for group_fit in fit.groups:
            self._add_preference_group(group_fit.group, group_fit.preferences)
        if offers_opt_in(fit, contact):
            self.fields["opt_in"] = forms.BooleanField(
                required=False, label=_("Yes, send me the newsletter."),
                help_text=_("We will send you an email; please confirm the subscription there."),
            )
        if disabled:
            for field in self.fields.values():
                field.disabled = True
        self._describe_fields()

    def _add_contact_field(self, profile_field: ProfileField) -> None:
        standard = STANDARD_FIELDS.get(profile_field.name)
        if profile_field.source == FieldSource.STANDARD:
            if standard is None:
                return  # not a writable standard field (the admin prevents this; never send it)
            kind, key = standard.field_type, profile_field.name
            if kind == FieldType.TEXT and profile_field.choices.strip():
                kind = FieldType.CHOICE  # the marketer offers fixed answers, e.g. Frau/Herr for SALUTATION
            current = self.contact.standard_fields.get(profile_field.name)
        else:
            standard = None
            kind, key = profile_field.field_type, f"custom_{profile_field.pk}"
            current = self.contact.custom_fields.get(profile_field.name)

        choices = profile_field.choice_list(self.language) or (standard.choice_list() if standard else [])
        if current and kind == FieldType.CHOICE and current not in {value for value, _label in choices}:
            choices.append((current, current))  # keep a value Maileon holds, so an untouched field stays valid
        validators = []
        if standard and standard.pattern:
            validators.append(RegexValidator(standard.pattern, message=standard.format_hint))
        field = _typed_field(
            kind,
            label=_label(profile_field, self.language),
            required=profile_field.required,
            choices=choices,
            max_length=standard.max_length if standard else TEXT_MAX_LENGTH,
            validators=validators,
            help_text=standard.format_hint if standard else (
                _("Format: YYYY-MM-DD, e.g. 1980-04-23.") if kind == FieldType.DATE else ""),
            autocomplete=standard.autocomplete if standard else "",
        )
        field.initial = _from_wire(kind, current)
        self.fields[key] = field
        self.entries.append(FieldEntry(key, profile_field.source, profile_field.name, kind))

    def _add_preference_group(self, group: PreferenceGroup, definitions: Sequence[PreferenceDefinition]) -> None:
        defined = {definition.name: definition for definition in definitions}
        labels = group.labels(self.language)
        # With labels configured, the page offers exactly those (in that order); else the whole category.
        names = [name for name in labels if name in defined] if labels else list(defined)
        if not names:
            return
        key = f"pref_{group.pk}"
        choices = [(name, labels.get(name) or defined[name].description or name) for name in names]
        title = _group_title(group, self.language)
        description = group.description_de if self.language == "de" else group.description_en
        self.fields[key] = forms.MultipleChoiceField(
            label=title, required=False, choices=choices, widget=forms.CheckboxSelectMultiple,
            initial=[name for name in names if (p := self.contact.preference(group.category, name)) and p.value],
        )
        self.preference_entries.append(
            PreferenceEntry(key, group, title, description, tuple(names))
        )

    # --- what the template needs

    def contact_fields(self):
        return [self[entry.key] for entry in self.entries]

    def preference_fields(self):
        return [(entry, self[entry.key]) for entry in self.preference_entries]

    # --- what the service needs

    @property
    def wants_opt_in(self) -> bool:
        return bool(self.cleaned_data.get("opt_in"))

    def changes(self) -> ContactChanges:
        """Only what differs from the contact as read; call after is_valid()."""
        standard: dict[str, str | None] = {}
        custom: dict[str, str | None] = {}
        complete = self.data.get(self.complete_marker) == "1"
        for entry in self.entries:
            if entry.key not in self.data and not (complete and entry.kind == FieldType.BOOLEAN):
                continue
            stored = (self.contact.standard_fields if entry.source == FieldSource.STANDARD
                      else self.contact.custom_fields).get(entry.name)
            new = _to_wire(entry.kind, self.cleaned_data.get(entry.key))
            old = _normalized(entry.kind, stored)
            if entry.kind == FieldType.BOOLEAN and old is None and new == "false":
                continue  # an unticked box over "no value" is no change
            if new != old:
                (standard if entry.source == FieldSource.STANDARD else custom)[entry.name] = new

        preferences = []
        for entry in self.preference_entries if complete else ():
            chosen = set(self.cleaned_data.get(entry.key) or ())
            for name in entry.names:
                current = self.contact.preference(entry.group.category, name)
                old = current.value if current else None
                new = name in chosen
                if new != bool(old):  # unticked over "no value" is no change
                    preferences.append(Preference(name, entry.group.category, new, self.page.src or None))

        email = None
        if "email" in self.fields and "email" in self.data:
            typed = self.cleaned_data["email"].strip()
            if typed.lower() != (self.contact.email or "").lower():
                email = typed
        return ContactChanges(email=email, standard_fields=standard, custom_fields=custom,
                              preferences=tuple(preferences))

    @staticmethod
    def changed_names(changes: ContactChanges) -> dict:
        """What was saved, by Maileon's names: enough for the confirmation to say it in either language."""
        return {
            "fields": [*changes.standard_fields, *changes.custom_fields],
            "categories": list(dict.fromkeys(p.category for p in changes.preferences)),
            "email": changes.email is not None,
        }


def changed_labels(page: PageConfig, language: str, *, fields, categories, email: bool) -> list[str]:
    """The labels of what was saved (`ProfileForm.changed_names`), as the page shows them, in page order."""
    labels = [str(_("Email address"))] if email else []
    labels += [_label(field, language) for field in page.fields.all() if field.name in set(fields)]
    labels += [_group_title(group, language) for group in page.preference_groups.all()
               if group.category in set(categories)]
    return labels


def _group_title(group: PreferenceGroup, language: str) -> str:
    own = group.title_de if language == "de" else group.title_en
    return own or group.title_de or group.title_en or group.category


class UnsubscribeForm(AccessibleFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Why are you leaving? (optional)"), required=False)
    message = forms.CharField(
        label=_("Anything else you want to tell us? (optional)"), required=False, max_length=MESSAGE_MAX_LENGTH,
        validators=[xml_text],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("At most 500 characters."),
    )

    def __init__(self, *, page: PageConfig, language: str, data=None, disabled: bool = False) -> None:
        super().__init__(data=data)
        self.reasons = {str(reason.pk): reason for reason in UnsubscribeReason.for_page(page)}
        self.fields["reason"].choices = [("", _("Please choose"))] + [
            (key, reason.label(language)) for key, reason in self.reasons.items()
        ]
        if disabled:
            for field in self.fields.values():
                field.disabled = True
        self._describe_fields()

    def clean_reason(self) -> UnsubscribeReason | None:
        return self.reasons.get(self.cleaned_data.get("reason") or "")

    def clean(self):
        cleaned = super().clean()
        reason = cleaned.get("reason")
        if reason is not None and reason.asks_free_text and not (cleaned.get("message") or "").strip():
            self.add_error("message", _("Please tell us in a few words; this answer asks for it."))
        return cleaned

    @property
    def asks_free_text(self) -> bool:
        return any(reason.asks_free_text for reason in self.reasons.values())


class NewLinkForm(AccessibleFormMixin, forms.Form):
    """"Send me a new link" on a broken link's page: the address Maileon mails a fresh personal link to, if it is a
    contact's. Kept in the form only; never stored."""

    email = forms.EmailField(
        label=_("Your email address"), max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("The address our newsletter is sent to."),
        error_messages={
            "required": _("Please enter your email address, e.g. name@example.com."),
            "invalid": _("Please enter a complete email address, e.g. name@example.com."),
            "max_length": _("An email address has at most 255 characters."),
        },
    )

    def __init__(self, data=None, initial=None) -> None:
        super().__init__(data=data, initial=initial)
        self._describe_fields()


class ResubscribeForm(AccessibleFormMixin, forms.Form):
    """The way back after an unsubscribe: the address to send the double opt-in mail to."""

    email = forms.EmailField(
        label=_("Your email address"), max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We will send you an email; your subscription starts when you confirm it."),
    )

    def __init__(self, data=None) -> None:
        super().__init__(data=data)
        self._describe_fields()
