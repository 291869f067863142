"""A page's preference groups as recipients see them: which preferences a group offers, the words each one is
shown with in a language (and where those words come from), the group's form field (checkboxes, or radio
buttons for a single-choice group) and what a submission changes in Maileon.

The profile form, the down-sell confirmation and the admin's overview of labels all use these, so the admin
tells the truth about the pages.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from ..maileon import Contact, Preference, PreferenceDefinition
from ..models import PreferenceGroup

# A single-choice group needs something to choose between; with fewer it is shown as checkboxes.
SINGLE_CHOICE_MINIMUM = 2
INVALID_CHOICE = _("Please choose one of the options shown.")


class LabelSource(enum.Enum):
    OWN = "own"  # the marketer's text in this language
    OTHER_LANGUAGE = "other language"  # none in this language: the default language's (else another's) text
    MAILEON_DESCRIPTION = "maileon description"  # no label in any language: Maileon's description
    MAILEON_NAME = "maileon name"  # not even a description: the preference's name


@dataclass(frozen=True)
class Label:
    text: str
    source: LabelSource
    # The language the text is in, where it is another than the page's (a fallback): pages mark it up with
    # `lang`, so a screen reader pronounces a German label on the English page as German. Maileon's own
    # descriptions are in whatever language the account was set up in: None (unknown).
    language: str | None = None

    @property
    def falls_back(self) -> bool:
        return self.source is not LabelSource.OWN


def offered_names(group: PreferenceGroup, definitions: Sequence[PreferenceDefinition], language: str) -> list[str]:
    """The preferences the group offers: with labels configured exactly those (in that order) the account has;
    else every preference of the category."""
    defined = {definition.name for definition in definitions}
    configured = group.labels(language)
    return [name for name in configured if name in defined] if configured else [d.name for d in definitions]


def preference_labels(
    group: PreferenceGroup, definitions: Sequence[PreferenceDefinition], language: str
) -> dict[str, Label]:
    """name -> the label of each preference of the category in `language`: the marketer's (in this language, else
    as models/languages fall back), or Maileon's description only where no label exists in any language."""
    configured = group.labels_and_languages(language)
    result = {}
    for definition in definitions:
        name = definition.name
        text, code = configured.get(name, ("", None))
        if text:
            result[name] = (Label(text, LabelSource.OWN) if code == language
                            else Label(text, LabelSource.OTHER_LANGUAGE, code))
        elif definition.description:
            result[name] = Label(definition.description, LabelSource.MAILEON_DESCRIPTION)
        else:
            result[name] = Label(name, LabelSource.MAILEON_NAME)
    return result


def group_title(group: PreferenceGroup, language: str) -> Label:
    text, code = group.title_and_language(language)
    if not text:
        return Label(group.category, LabelSource.MAILEON_NAME)
    return Label(text, LabelSource.OWN) if code == language else Label(text, LabelSource.OTHER_LANGUAGE, code)


def is_single_choice(group: PreferenceGroup, offered: Sequence[str]) -> bool:
    return group.single_choice and len(offered) >= SINGLE_CHOICE_MINIMUM


@dataclass(frozen=True)
class GroupOnPage:
    """One preference group as a form shows it."""

    key: str
    group: PreferenceGroup
    title: Label
    description: str
    names: tuple[str, ...]  # offered, in page order
    category_names: tuple[str, ...]  # every preference of the category (a single choice switches them all)
    labels: dict[str, Label]
    single_choice: bool
    # A single-choice group whose contact has several switched on (set elsewhere): their labels, for a note.
    several_held: tuple[Label, ...] = ()

    def held(self, contact: Contact) -> list[str]:
        return [name for name in self.category_names
                if (p := contact.preference(self.group.category, name)) and p.value]

    def field(self, contact: Contact) -> forms.Field:
        choices = [(name, self.labels[name].text) for name in self.names]
        held = self.held(contact)
        if self.single_choice:
            # Several held: the first the page offers is selected (a note says the others go off on saving).
            initial = next((name for name in self.names if name in held), None)
            return forms.ChoiceField(
                label=self.title.text, required=False, choices=choices, widget=forms.RadioSelect, initial=initial,
                error_messages={"invalid_choice": INVALID_CHOICE},
            )
        return forms.MultipleChoiceField(
            label=self.title.text, required=False, choices=choices, widget=forms.CheckboxSelectMultiple,
            initial=[name for name in self.names if name in held],
            error_messages={"invalid_choice": INVALID_CHOICE},
        )

    def changes(self, contact: Contact, submitted, src: str | None) -> list[Preference]:
        """The preferences whose value the submission changes. A single choice switches the chosen one on and
        the category's others off; none chosen changes nothing. Checkboxes: exactly what was (un)ticked."""
        if self.single_choice:
            if not submitted:
                return []
            wanted = {name: name == submitted for name in self.category_names}
        else:
            chosen = set(submitted or ())
            wanted = {name: name in chosen for name in self.names}
        changed = []
        for name, new in wanted.items():
            current = contact.preference(self.group.category, name)
            if new != bool(current and current.value):  # off over "no value" is no change
                changed.append(Preference(name, self.group.category, new, src))
        return changed


def group_on_page(
    group: PreferenceGroup, definitions: Sequence[PreferenceDefinition], contact: Contact, *, language: str,
) -> GroupOnPage | None:
    """The group as the page shows it to `contact`, or None when the account has none of its preferences."""
    names = offered_names(group, definitions, language)
    if not names:
        return None
    labels = preference_labels(group, definitions, language)
    single = is_single_choice(group, names)
    entry = GroupOnPage(
        key=f"pref_{group.pk}", group=group, title=group_title(group, language),
        description=group.description(language),
        names=tuple(names), category_names=tuple(d.name for d in definitions), labels=labels, single_choice=single,
    )
    held = entry.held(contact)
    if single and len(held) > 1:
        return dataclasses.replace(entry, several_held=tuple(labels[name] for name in held))
    return entry
