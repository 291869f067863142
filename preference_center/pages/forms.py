"""The recipient forms: ProfileForm built from a PageConfig and the contact as read, UnsubscribeForm with the
page's reasons.

Values are checked here against Maileon's rules (maileon-api.md §2.7, §2.8) so the recipient sees our message
next to the field, never Maileon's 400. `ProfileForm.changes()` holds only what differs from the contact:
a field the recipient emptied becomes None (sent as nil), an untouched field is absent (left alone).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django import forms
from django.core.validators import RegexValidator
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..services.standard_fields import STANDARD_FIELDS, TEXT_MAX_LENGTH
from ..maileon import Contact, ContactChanges, Permission, PreferenceDefinition
from ..models import FieldSource, FieldType, PageConfig, PreferenceGroup, ProfileField, UnsubscribeReason
from ..services.page_fit import PageFit
from . import page_cache, preferences
from .field_types import (
    FieldEntry, choice_labels_in_every_language, field_label, from_wire, normalized, to_wire, typed_field,
    with_held_value, xml_text,
)
from .widgets import RecipientWidgetRenderer

MESSAGE_MAX_LENGTH = 500
EMAIL_MAX_LENGTH = 255


def offers_opt_in(fit: PageFit, contact: Contact) -> bool:
    return fit.doi_mailing and contact.permission is Permission.NONE


RECIPIENT_FORM_RENDERER = RecipientWidgetRenderer()
# One input per choice, shown in a fieldset of their own.
GROUPED_WIDGETS = (forms.CheckboxSelectMultiple, forms.RadioSelect)


class AccessibleFormMixin:
    """Ties hints and errors to their inputs (aria-describedby, aria-invalid) for screen readers."""

    # Django's own widget markup: the simple kinds written in Python (widgets.py), the rest Django's Jinja2
    # templates. A profile page renders a dozen widgets: Django's template engine cost 1 ms more than the Jinja2
    # templates, and those 0.3 ms more than the Python (bench/cost.py).
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
            if isinstance(field.widget, GROUPED_WIDGETS):
                continue  # their fieldset is described instead (profile.html), not each checkbox or radio
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
            if isinstance(self.fields[name].widget, GROUPED_WIDGETS):
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
        topics_only: bool = False,
    ) -> None:
        super().__init__(data=data)
        self.page, self.contact, self.language = page, contact, language
        self.entries: list[FieldEntry] = []
        self.preference_entries: list[preferences.GroupOnPage] = []

        if page.email_editable and not topics_only:
            self.fields["email"] = forms.EmailField(
                label=_("Email address"), max_length=EMAIL_MAX_LENGTH, initial=contact.email,
                widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            )
        # Only what the account has (services.page_fit): a name renamed in Maileon is left out, not an error.
        for profile_field in () if topics_only else fit.fields:
            self._add_contact_field(profile_field)
        for group_fit in fit.groups:
            self._add_preference_group(group_fit.group, group_fit.preferences)
        if offers_opt_in(fit, contact) and not topics_only:
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
        if current and kind == FieldType.CHOICE:
            choices = with_held_value(choices, current, choice_labels_in_every_language(profile_field, standard))
        validators = []
        if standard and standard.pattern:
            validators.append(RegexValidator(standard.pattern, message=standard.format_hint))
        field = typed_field(
            kind,
            label=field_label(profile_field, self.language),
            required=profile_field.required,
            choices=choices,
            max_length=standard.max_length if standard else TEXT_MAX_LENGTH,
            validators=validators,
            help_text=standard.format_hint if standard else "",
            autocomplete=standard.autocomplete if standard else "",
            language=self.language,
        )
        field.initial = from_wire(kind, current)
        self.fields[key] = field
        self.entries.append(FieldEntry(key, profile_field.source, profile_field.name, kind))

    def _add_preference_group(self, group: PreferenceGroup, definitions: Sequence[PreferenceDefinition]) -> None:
        entry = preferences.group_on_page(group, definitions, self.contact, language=self.language)
        if entry is None:
            return
        self.fields[entry.key] = entry.field(self.contact)
        self.preference_entries.append(entry)

    # --- what the template needs

    def contact_fields(self):
        return [self[entry.key] for entry in self.entries]

    def preference_fields(self):
        return [(entry, self[entry.key]) for entry in self.preference_entries]

    def preference_groups(self) -> list[dict]:
        """Each group with its inputs and their labels (whose language the template marks where it differs)."""
        groups = []
        for entry in self.preference_entries:
            field = self[entry.key]
            groups.append({"entry": entry, "field": field,
                           "options": [(widget, entry.labels[widget.data["value"]]) for widget in field]})
        return groups

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
            new = to_wire(entry.kind, self.cleaned_data.get(entry.key))
            old = normalized(entry.kind, stored)
            if entry.kind == FieldType.BOOLEAN and old is None and new == "false":
                continue  # an unticked box over "no value" is no change
            if new != old:
                (standard if entry.source == FieldSource.STANDARD else custom)[entry.name] = new

        changed_preferences = []
        for entry in self.preference_entries if complete else ():
            changed_preferences += entry.changes(self.contact, self.cleaned_data.get(entry.key),
                                                 self.page.src or None)

        email = None
        if "email" in self.fields and "email" in self.data:
            typed = self.cleaned_data["email"].strip()
            if typed.lower() != (self.contact.email or "").lower():
                email = typed
        return ContactChanges(email=email, standard_fields=standard, custom_fields=custom,
                              preferences=tuple(changed_preferences))

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
    labels += [field_label(field, language) for field in page.fields.all() if field.name in set(fields)]
    labels += [preferences.group_title(group, language).text
               for group in page.preference_groups.all() if group.category in set(categories)]
    return labels


class TopicsForm(ProfileForm):
    """"Stop only what annoys me" on the unsubscribe page: the page's preference groups as the profile shows them
    (current values ticked), nothing else; saved like the profile, only what changed."""

    def __init__(self, *, page: PageConfig, contact: Contact, language: str, fit: PageFit, data=None,
                 disabled: bool = False) -> None:
        super().__init__(page=page, contact=contact, language=language, fit=fit, data=data, disabled=disabled,
                         topics_only=True)

    @staticmethod
    def changed_topics(changes: ContactChanges, fit: PageFit) -> list[list]:
        """What was switched, for the confirmation: [category, name, Maileon's description, now on]. The
        description travels along, so the confirmation labels it in either language without asking Maileon."""
        described = {(d.category, d.name): d.description for group in fit.groups for d in group.preferences}
        return [[p.category, p.name, described.get((p.category, p.name), ""), bool(p.value)]
                for p in changes.preferences]


def topic_labels(page: PageConfig, language: str, topics) -> tuple[list[str], list[str]]:
    """(switched off, switched on): the labels of `TopicsForm.changed_topics` as the page shows them."""
    groups = {group.category: group.labels(language) for group in page.preference_groups.all()}
    off, on = [], []
    for category, name, description, now_on in topics:
        label = groups.get(category, {}).get(name) or description or name
        (on if now_on else off).append(label)
    return off, on


def long_date(day: datetime.date) -> str:
    """6 March 2027, 6. März 2027: the day in the active language's words."""
    # Translators: a date in Django's date format characters (j day, F month name, Y year), e.g. "j. F Y" in German.
    return dateformat.format(day, gettext("j F Y"))


def downsell_labels(page: PageConfig, names: Sequence[str], language: str) -> list[str]:
    """The down-sell's preferences as the profile page labels them, quoted (HTML, marked with their language where
    they fall back to another); a name the page's groups do not label is shown as Maileon names it. Maileon is
    not asked: this is for the confirmation page. Call with the page's language active."""
    group = next((g for g in page.preference_groups.all() if g.category == page.downsell_category), None)
    definitions = [PreferenceDefinition(name, page.downsell_category) for name in names]
    labels = (preferences.preference_labels(group, definitions, language) if group
              else {name: preferences.Label(name, preferences.LabelSource.MAILEON_NAME) for name in names})
    # The language's own quotation marks: „…“ in German.
    opening, _text, closing = str(_("“%(text)s”")).partition("%(text)s")
    return [format_html('{}<span lang="{}">{}</span>{}', opening, labels[name].language, labels[name].text, closing)
            if labels[name].language else format_html("{}{}{}", opening, labels[name].text, closing)
            for name in names]


class UnsubscribeForm(AccessibleFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Why are you leaving? (optional)"), required=False)
    # Optional whatever the reason: a reason that "asks for free text" invites it, it never blocks the unsubscribe.
    message = forms.CharField(
        label=_("Would you like to add anything? (optional)"), required=False, max_length=MESSAGE_MAX_LENGTH,
        validators=[xml_text],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("At most 500 characters."),
    )

    def __init__(self, *, page: PageConfig, language: str, data=None, disabled: bool = False) -> None:
        super().__init__(data=data)
        self.reasons = {str(reason.pk): reason for reason in page_cache.reasons(page)}
        self.fields["reason"].choices = [("", _("Please choose"))] + [
            (key, reason.label(language, page.default_language)) for key, reason in self.reasons.items()
        ]
        if disabled:
            for field in self.fields.values():
                field.disabled = True
        self._describe_fields()

    def clean_reason(self) -> UnsubscribeReason | None:
        return self.reasons.get(self.cleaned_data.get("reason") or "")

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
