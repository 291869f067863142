"""What recipients see of a preference group, per language, for the admin: the heading and each preference's
label, and where a text falls back (to the page's default language, or to Maileon's own description or name).

The pages fall back quietly (a German label on the English page is better than none); the marketer should see
it here and can add the missing text. Computed with the pages' own functions, so it tells the truth about them.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from .. import languages as page_languages
from .forms import MaileonChoices
from ..maileon import PreferenceDefinition
from ..models import PreferenceGroup
from ..pages import preferences
from ..pages.preferences import Label, LabelSource


def _definitions(group: PreferenceGroup, maileon: MaileonChoices) -> list[PreferenceDefinition] | None:
    """The category's preferences as the pages see them; without Maileon only those the labels name."""
    if maileon.reachable:
        known = maileon.preferences.get(group.category)
        if known is None:
            return None
        return [PreferenceDefinition(name, group.category, description) for name, description in known.items()]
    return [PreferenceDefinition(name, group.category) for name in group.labels(group.page.default_language)]


def _language_name(code: str) -> str:
    """The language's name in the admin's language ("German" in an English admin)."""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def _note(label: Label) -> str:
    if label.source is LabelSource.OTHER_LANGUAGE:
        return _("no text in this language: the %(language)s text is shown") % {
            "language": _language_name(label.language or "")}
    if label.source is LabelSource.MAILEON_DESCRIPTION:
        return _("no label: Maileon's description, the same in every language")
    if label.source is LabelSource.MAILEON_NAME:
        return _("no label: Maileon's name, the same in every language")
    return ""


def _cell(label: Label, code: str) -> SafeString:
    """The label marked with the language it is written in (a screen reader pronounces it so), the note in the
    admin's; Maileon's own descriptions and names are in no particular language."""
    note = _note(label)
    language = label.language or (code if label.source is LabelSource.OWN else "")
    text = format_html('<span lang="{}">{}</span>', language, label.text) if language else label.text
    if not note:
        return format_html("<td>{}</td>", text)
    return format_html('<td>{}<br><strong>{}</strong></td>', text, note)


def labels_overview(group: PreferenceGroup, maileon: MaileonChoices) -> SafeString:
    definitions = _definitions(group, maileon)
    if definitions is None:
        return format_html("{}", _("Your Maileon account has no preference category %(name)s.")
                           % {"name": group.category})
    default = group.page.default_language
    languages = page_languages.enabled()
    labels = {code: preferences.preference_labels(group, definitions, code) for code in languages}
    names = preferences.offered_names(group, definitions, default)
    rows = [(_("Heading"), [preferences.group_title(group, code) for code in languages])]
    rows += [(name, [labels[code][name] for code in languages]) for name in names]
    header = format_html_join("", "<th scope=\"col\">{}</th>", ((_language_name(code),) for code in languages))
    body = format_html_join("", "{}", (
        (format_html('<tr><th scope="row">{}</th>{}</tr>', name,
                     format_html_join("", "{}", ((_cell(label, code),) for label, code in zip(row, languages)))),)
        for name, row in rows
    ))
    caveat = "" if maileon.reachable else format_html(
        "<p>{}</p>", _("Maileon could not be reached: preferences without a label here are not listed."))
    return format_html(
        '<table class="pc-labels"><thead><tr><th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody></table>{}',
        _("Maileon name"), header, body, caveat,
    )
