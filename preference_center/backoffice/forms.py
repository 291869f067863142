"""The admin's forms: Maileon names offered as choices (read from the account), checked against the account
when it answers, typed freely when it doesn't; the logo upload with its checks; help texts the models lack.

The choices reach the browser as <datalist>s rendered once per page (admin/preference_center/pageconfig/
change_form.html), because Django's inline JavaScript renumbers `id`s of added rows but not `list` attributes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from functools import partial

from django import forms
from django.utils.translation import gettext_lazy as _

from . import contrast
from .. import languages
from ..maileon import MaileonError, RejectedError
from ..models import IN_LANGUAGE, FieldSource, FieldType, PageConfig, PreferenceGroup, ProfileField, UnsubscribeReason
from ..pages.preferences import SINGLE_CHOICE_MINIMUM
from ..services import definitions
from ..services.standard_fields import STANDARD_FIELDS

logger = logging.getLogger(__name__)

def _in_every_language(name: str) -> list[str]:
    return [f"{name}_{code}" for code in languages.CODES]


FIELD_LIST_ID = "pc-maileon-fields"
CATEGORY_LIST_ID = "pc-maileon-categories"
PREFERENCE_LIST_ID = "pc-maileon-preferences"
DATE_FIELD_LIST_ID = "pc-maileon-date-fields"

# Maileon's custom field types (maileon-api.md §2.8) -> how our form shows and checks them.
CUSTOM_TYPE_TO_FIELD_TYPE = {
    "string": FieldType.TEXT,
    "integer": FieldType.NUMBER,
    "float": FieldType.DECIMAL,
    "date": FieldType.DATE,
    "boolean": FieldType.BOOLEAN,
}
# A list of fixed answers can stand in for free typing, never for a date or a yes/no.
CHOICE_ALLOWED_FOR = {FieldType.TEXT, FieldType.NUMBER, FieldType.DECIMAL}


@dataclass(frozen=True)
class MaileonChoices:
    """What the account defines, for pickers and checks. `reachable` False: nothing is known, type freely."""

    reachable: bool
    custom_fields: dict[str, str] = field(default_factory=dict)  # name -> Maileon type (string, integer, ...)
    categories: dict[str, str] = field(default_factory=dict)  # name -> description
    preferences: dict[str, dict[str, str]] = field(default_factory=dict)  # category -> name -> description
    # id -> name; None when the account's types cannot be listed (Maileon down, or the key may not list them)
    transaction_types: dict[int, str] | None = None

    @property
    def standard_fields(self) -> list[tuple[str, str]]:
        return [(name, str(spec.label)) for name, spec in STANDARD_FIELDS.items()]

    @property
    def date_fields(self) -> list[str]:
        """The custom fields a pause can be written into."""
        return [name for name, field_type in self.custom_fields.items() if field_type == "date"]


def load_maileon_choices() -> MaileonChoices:
    """Read account definitions (afresh, unless read in the last half minute: the admin tells the truth about
    the account); any Maileon error means "unknown", never a broken admin page."""
    definitions.recheck()
    try:
        categories = {name: c.description for name, c in definitions.categories().items()}
        preferences = {
            name: {p.name: p.description for p in definitions.preferences(name) or ()} for name in categories
        }
        custom_fields = {name: str(field_type) for name, field_type in definitions.custom_fields().items()}
        try:
            transaction_types = {type_id: t.name for type_id, t in definitions.transaction_types().items()}
        except RejectedError as error:  # e.g. a key without the right to list them: type the id instead
            logger.warning("Maileon transaction types unavailable for the admin: %s", error)
            transaction_types = None
    except MaileonError as error:
        logger.warning("Maileon account definitions unavailable for the admin: %s", error)
        return MaileonChoices(reachable=False)
    return MaileonChoices(
        reachable=True, custom_fields=custom_fields, categories=categories, preferences=preferences,
        transaction_types=transaction_types,
    )


def _listed(list_id: str, **attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"list": list_id, "autocomplete": "off", **attrs})


class MaileonAwareForm(forms.ModelForm):
    """A form that knows the account's definitions; the admin sets `maileon` on a subclass per request."""

    maileon: MaileonChoices = MaileonChoices(reachable=False)


# --- profile fields


class ProfileFieldForm(MaileonAwareForm):
    class Meta:
        model = ProfileField
        fields = ["position", "name", "source", "field_type", *_in_every_language("label"), "choices", "required"]
        widgets = {
            "name": _listed(FIELD_LIST_ID, size=18),
            **{name: forms.TextInput(attrs={"size": 14}) for name in _in_every_language("label")},
            "choices": forms.Textarea(attrs={"rows": 2, "cols": 28}),
        }
        help_texts = {
            "source": _("Picked from the name where it is clear: standard fields are Maileon's fixed list, "
                        "everything else is a custom field of your account."),
            "field_type": _("How the field is shown and checked. Left at Text, it is set from Maileon's "
                            "definition (e.g. a date field becomes Date)."),
            "required": _("The recipient cannot save the profile with this field empty."),
            "position": _("Fields are shown in ascending order."),
            # Said once above the labels (admin.ProfileFieldInline), not under each language's box.
            **{name: "" for name in _in_every_language("label")},
        }
        labels = {f"label_{code}": name for code, name in IN_LANGUAGE.items()}  # under the heading "Labels"

    def clean(self):
        cleaned = super().clean()
        name = (cleaned.get("name") or "").strip()
        if not name:
            return cleaned
        cleaned["source"], cleaned["name"], expected = self._identify(name, cleaned.get("source"))
        chosen = cleaned.get("field_type") or FieldType.TEXT
        if expected is not None:
            cleaned["field_type"] = self._fit_type(name, chosen, expected)
        if cleaned.get("field_type") == FieldType.CHOICE and not (cleaned.get("choices") or "").strip():
            self.add_error("choices", _("A Choice field needs its choices, one per line: value|German|English."))
        return cleaned

    def _identify(self, name: str, source: str | None) -> tuple[str, str, str | None]:
        """(source, name, expected type or None if unknown). Standard names are upper case in Maileon;
        custom names are case-sensitive and never a standard name (maileon-api.md §2.7, §2.8)."""
        standard = STANDARD_FIELDS.get(name.upper())
        if standard is not None:
            return FieldSource.STANDARD, standard.name, standard.field_type
        if name in self.maileon.custom_fields:
            return FieldSource.CUSTOM, name, CUSTOM_TYPE_TO_FIELD_TYPE.get(self.maileon.custom_fields[name])
        if source == FieldSource.STANDARD:
            raise forms.ValidationError(
                {"name": _("%(name)s is not a standard field a recipient may change. Pick one from the list, "
                           "or choose kind \"custom field\".") % {"name": name}}
            )
        if self.maileon.reachable:
            raise forms.ValidationError(
                {"name": _("Your Maileon account has no custom field named %(name)s (names are case-sensitive).")
                 % {"name": name}}
            )
        return FieldSource.CUSTOM, name, None  # Maileon unreachable: trust the marketer

    def _fit_type(self, name: str, chosen: str, expected: str) -> str:
        if chosen == expected:
            return chosen
        if chosen == FieldType.TEXT:  # the default: prefill from Maileon's definition
            return expected
        if chosen == FieldType.CHOICE and expected in CHOICE_ALLOWED_FOR:
            return chosen
        raise forms.ValidationError(
            {"field_type": _("Maileon stores %(name)s as %(expected)s: choose that type (or Choice for text "
                             "and numbers).") % {"name": name, "expected": FieldType(expected).label}}
        )


# --- preference groups


class PreferenceGroupForm(MaileonAwareForm):
    class Meta:
        model = PreferenceGroup
        fields = ["position", "category", *_in_every_language("title"), *_in_every_language("description"),
                  "preference_labels", "single_choice"]
        widgets = {
            "category": _listed(CATEGORY_LIST_ID),
            **{name: forms.Textarea(attrs={"rows": 2}) for name in _in_every_language("description")},
            "preference_labels": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "position": _("Groups are shown in ascending order, after the profile fields."),
        }

    # The preferences the group offers on the page (None: unknown, Maileon could not be asked); set by clean().
    offered: list[str] | None = None

    def clean(self):
        cleaned = super().clean()
        category = (cleaned.get("category") or "").strip()
        configured = [name for line in (cleaned.get("preference_labels") or "").splitlines()
                      if (name := line.split("|", 1)[0].strip())]
        if category and self.maileon.reachable:
            if category not in self.maileon.categories:
                self.add_error("category", _("Your Maileon account has no preference category %(name)s (names "
                                             "are case-sensitive).") % {"name": category})
                return cleaned
            known = self.maileon.preferences.get(category, {})
            for name in configured:
                if name not in known:
                    self.add_error("preference_labels", _("Category %(category)s has no preference %(name)s.")
                                   % {"category": category, "name": name})
            self.offered = configured or list(known)
        elif configured:
            self.offered = configured
        if cleaned.get("single_choice") and self.offered is not None and len(self.offered) < SINGLE_CHOICE_MINIMUM:
            # Maileon down and no labels: the count is unknown; the page shows checkboxes if it is below two.
            self.add_error("single_choice", _("A single choice needs at least two preferences to choose from; "
                                              "this group offers %(count)d.") % {"count": len(self.offered)})
        return cleaned


class PreferenceGroupFormSet(forms.BaseInlineFormSet):
    """The page's groups checked against the page's own form: a down-sell into a single-choice group must switch
    to a preference that group offers, or the profile page would show none of its buttons selected."""

    def clean(self):
        super().clean()
        page = self.instance  # the page form's instance, already carrying what was submitted with it
        if not (page.downsell_category and page.downsell_preference):
            return
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", None) or {}
            if cleaned.get("DELETE") or not cleaned.get("single_choice"):
                continue
            if cleaned.get("category") == page.downsell_category and form.offered is not None \
                    and page.downsell_preference not in form.offered:
                form.add_error("preference_labels", _(
                    "The down-sell switches to %(name)s, which this single-choice group does not offer: add it "
                    "here, or choose another down-sell preference.") % {"name": page.downsell_preference})


# --- logo

LOGO_MAX_BYTES = 200 * 1024
_SVG_FORBIDDEN = [
    (re.compile(rb"<\s*script", re.I), _("contains a script")),
    (re.compile(rb"\son[a-z]+\s*=", re.I), _("contains an event handler (on…=)")),
    # The same danger by other means: script through a link, or entity expansion in the parser.
    (re.compile(rb"javascript\s*:", re.I), _("contains a javascript: link")),
    (re.compile(rb"<!ENTITY", re.I), _("declares XML entities")),
]


def sniff_image_type(data: bytes) -> str | None:
    """The media type from the file's first bytes; the browser's claim is never trusted."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in data.lower():
        return "image/svg+xml"
    return None


def validate_logo(data: bytes) -> str:
    """The logo's media type, or ValidationError saying what is wrong."""
    if len(data) > LOGO_MAX_BYTES:
        raise forms.ValidationError(_("The logo is %(size)d KB; at most 200 KB, please.") % {"size": len(data) // 1024})
    media_type = sniff_image_type(data)
    if media_type is None:
        raise forms.ValidationError(_("Upload a PNG, JPEG, SVG or WebP image."))
    if media_type == "image/svg+xml":
        for pattern, problem in _SVG_FORBIDDEN:
            if pattern.search(data):
                raise forms.ValidationError(_("This SVG %(problem)s; save it without, then upload again.")
                                            % {"problem": problem})
    return media_type


# --- page configuration

PAGE_HELP_TEXTS = {
    "downsell_preference": _("The preference of that category switched on by the down-sell button (all other "
                             "preferences of the category are switched off)."),
    "privacy_url": _("Linked in the footer of both pages. Empty: no link."),
    "imprint_url": _("Linked in the footer of both pages (required in Germany). Empty: no link."),
    "primary_colour": _("Buttons and links. It must reach a contrast of 4.5:1 (WCAG AA) against white and the light "
                        "grey boxes; a colour below that is refused with a darker shade to use instead."),
}


class PageConfigForm(MaileonAwareForm):
    logo_upload = forms.FileField(
        label=_("upload logo"), required=False,
        help_text=_("PNG, JPEG, SVG or WebP, at most 200 KB; shown at the top of both pages. SVG only without "
                    "scripts or event handlers."),
    )
    remove_logo = forms.BooleanField(label=_("remove logo"), required=False,
                                     help_text=_("Tick and save to show no logo."))

    class Meta:
        model = PageConfig
        fields = "__all__"
        help_texts = PAGE_HELP_TEXTS
        # Django 6 assumes https for a URL typed without a scheme; say so now rather than rely on the default.
        field_classes = {name: partial(forms.URLField, assume_scheme="https")
                         for name in ("privacy_url", "imprint_url", "resubscribe_url")}
        widgets = {
            "downsell_category": _listed(CATEGORY_LIST_ID),
            "downsell_preference": _listed(PREFERENCE_LIST_ID),
            "pause_field": _listed(DATE_FIELD_LIST_ID),
            "primary_colour": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "default_language" in self.fields:
            current = self.instance.default_language if self.instance.pk else None
            self.fields["default_language"].choices = [
                (code, name) for code, name in self.fields["default_language"].choices
                if languages.offered(code) or code == current
            ]
        self._offer_transaction_types()

    def _offer_transaction_types(self) -> None:
        """The account's transaction types as a list to pick from, while it can be read; else the id is typed.
        A type the page names that the account lacks is kept as a choice, marked, so it is never lost silently."""
        name = "new_link_transaction_type"
        types = self.maileon.transaction_types
        if name not in self.fields or types is None:
            return
        choices = [("", _("(none: \"send me a new link\" is not offered)"))]
        choices += [(str(type_id), f"{type_id}: {type_name}") for type_id, type_name in sorted(types.items())]
        current = self.initial.get(name)
        if current and current not in types:
            choices.append((str(current), _("%(id)s: not in your Maileon account") % {"id": current}))
        original = self.fields[name]
        self.fields[name] = forms.TypedChoiceField(
            label=original.label, help_text=original.help_text, required=False, choices=choices, coerce=int,
            empty_value=None,
        )

    def _get_validation_exclusions(self):
        # The admin moves the default flag itself, in a transaction (PageConfigAdmin.save_model); checking the
        # "one default page" constraint before that would refuse every move.
        return {*super()._get_validation_exclusions(), "is_default"}

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        if upload.size > LOGO_MAX_BYTES:  # before reading a large file into memory
            raise forms.ValidationError(_("The logo is %(size)d KB; at most 200 KB, please.")
                                        % {"size": upload.size // 1024})
        data = upload.read()
        return data, validate_logo(data)

    def clean_primary_colour(self):
        colour = self.cleaned_data.get("primary_colour")
        problem = contrast.problem(colour)
        if problem:
            raise forms.ValidationError(problem)
        return colour

    def clean_is_default(self):
        is_default = self.cleaned_data.get("is_default")
        if self.instance.pk and self.instance.is_default and not is_default:
            raise forms.ValidationError(_("One page must be the default: open another page and make it the "
                                          "default instead."))
        return is_default

    def clean(self):
        cleaned = super().clean()
        category = (cleaned.get("downsell_category") or "").strip()
        preference = (cleaned.get("downsell_preference") or "").strip()
        if bool(category) != bool(preference):
            self.add_error("downsell_preference" if category else "downsell_category",
                           _("The down-sell switch needs both a category and a preference."))
        elif category and self.maileon.reachable:
            if category not in self.maileon.categories:
                self.add_error("downsell_category", _("Your Maileon account has no preference category %(name)s.")
                               % {"name": category})
            elif preference not in self.maileon.preferences.get(category, {}):
                self.add_error("downsell_preference", _("Category %(category)s has no preference %(name)s.")
                               % {"category": category, "name": preference})
        self._check_pause_field(cleaned)
        transaction_type = cleaned.get("new_link_transaction_type")
        types = self.maileon.transaction_types
        if transaction_type is not None and self.maileon.reachable and types is not None \
                and transaction_type not in types:
            self.add_error("new_link_transaction_type", _("Your Maileon account has no transaction type "
                                                          "%(id)s.") % {"id": transaction_type})
        return cleaned

    def _check_pause_field(self, cleaned: dict) -> None:
        """A pause is a date that target groups compare with today: it needs a custom field of type date."""
        name = (cleaned.get("pause_field") or "").strip()
        cleaned["pause_field"] = name
        if not name or not self.maileon.reachable:
            return
        field_type = self.maileon.custom_fields.get(name)
        if field_type is None:
            self.add_error("pause_field", _("Your Maileon account has no custom field named %(name)s (names are "
                                            "case-sensitive).") % {"name": name})
        elif field_type != "date":
            self.add_error("pause_field", _("%(name)s is a custom field of type %(type)s; a pause needs one of type "
                                            "date.") % {"name": name, "type": field_type})

    def save(self, commit=True):
        if self.cleaned_data.get("remove_logo"):
            self.instance.logo, self.instance.logo_content_type = None, ""
        if self.cleaned_data.get("logo_upload"):
            self.instance.logo, self.instance.logo_content_type = self.cleaned_data["logo_upload"]
        return super().save(commit)


# --- unsubscribe reasons

class UnsubscribeReasonForm(forms.ModelForm):
    class Meta:
        model = UnsubscribeReason
        fields = "__all__"
        help_texts = {
            "position": _("Answers are listed in ascending order."),
            "active": _("Inactive answers are hidden; past unsubscribes keep them."),
        }

    def clean(self):
        cleaned = super().clean()
        shown = [f"label_{code}" for code in languages.enabled()]
        if not any((cleaned.get(name) or "").strip() for name in shown):
            # The dropdown falls back to any language's label, but an answer with none would be an empty line.
            self.add_error(shown[0], _("Give the answer a label in at least one language."))
        return cleaned
