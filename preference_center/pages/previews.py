"""Previews for the admin: the real recipient templates with a sample contact, without calling Maileon.

Forms are disabled and post nowhere. Preference groups show their configured labels, or sample entries when
the marketer left them to Maileon (whose definitions a preview must not fetch).
"""

from __future__ import annotations

from dataclasses import replace

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from .forms import ProfileForm, TopicsForm, UnsubscribeForm, long_date
from ..maileon import Contact, Permission, Preference, PreferenceDefinition
from ..models import FieldSource, FieldType, PageConfig
from .rendering import render_page
from ..services import pause
from ..services.page_fit import PageFit

SAMPLE_STANDARD = {
    "SALUTATION": "Frau", "TITLE": "Dr.", "FIRSTNAME": "Erika", "LASTNAME": "Mustermann",
    "FULLNAME": "Erika Mustermann", "ORGANIZATION": "Beispiel GmbH", "ADDRESS": "Musterstraße", "HNR": "12",
    "ZIP": "80331", "CITY": "München", "REGION": "Oberbayern", "STATE": "Bayern", "COUNTRY": "Deutschland",
    "GENDER": "f", "BIRTHDAY": "1985-04-12", "NAMEDAY": "1985-07-22",
}
SAMPLE_BY_TYPE = {
    FieldType.TEXT: "Beispiel", FieldType.NUMBER: "4711", FieldType.DECIMAL: "12.5",
    FieldType.DATE: "2019-01-15", FieldType.BOOLEAN: "true", FieldType.CHOICE: "",
}
SAMPLE_EMAIL = "erika.mustermann@example.org"


def _sample_preferences(page: PageConfig) -> dict[str, list[PreferenceDefinition]]:
    result = {}
    for group in page.preference_groups.all():
        names = list(group.listed_preferences()) or [_("Sample topic %(number)s") % {"number": n} for n in (1, 2, 3)]
        result[group.category] = [PreferenceDefinition(name, group.category) for name in names]
    return result


def _sample_contact(page: PageConfig, preferences: dict[str, list[PreferenceDefinition]], language: str) -> Contact:
    standard, custom = {"LOCALE": language}, {}
    for field in page.fields.all():
        if field.source == FieldSource.STANDARD:
            standard[field.name] = SAMPLE_STANDARD.get(field.name)
        else:
            choices = field.choice_list(language)
            custom[field.name] = choices[0][0] if field.field_type == FieldType.CHOICE and choices else (
                SAMPLE_BY_TYPE.get(field.field_type) or None)
    chosen = tuple(
        Preference(definition.name, category, index == 0)
        for category, definitions in preferences.items() for index, definition in enumerate(definitions)
    )
    # Without permission when the page offers an opt-in, so the preview shows that checkbox too.
    permission = Permission.NONE if page.doi_mailing_key else Permission.DOUBLE_OPT_IN
    return Contact(id=1, email=SAMPLE_EMAIL, permission=permission, standard_fields=standard,
                   custom_fields=custom, preferences=chosen)


def _previewable(response: HttpResponse) -> HttpResponse:
    # The admin may show the preview in a frame of its own pages; nobody else may.
    response["X-Frame-Options"] = "SAMEORIGIN"
    response._csp_replace = {"frame-ancestors": ["'self'"]}  # django-csp's per-response override
    return response


def profile_preview(request: HttpRequest, page: PageConfig, language: str) -> HttpResponse:
    preferences = _sample_preferences(page)
    contact = _sample_contact(page, preferences, language)
    with translation.override(language):
        form = ProfileForm(page=page, contact=contact, language=language, fit=PageFit.assumed(page, preferences),
                           disabled=True)
    return _previewable(render_page(request, "profile.html", {
        "form": form, "contact": contact, "preview": True, "intro": page.text("profile_intro", language),
        "unsubscribe_url": "",
    }, page=page, language=language, switcher=False))


def unsubscribe_preview(request: HttpRequest, page: PageConfig, language: str) -> HttpResponse:
    preferences = _sample_preferences(page)
    contact = replace(_sample_contact(page, preferences, language), permission=Permission.DOUBLE_OPT_IN)
    with translation.override(language):
        form = UnsubscribeForm(page=page, language=language, disabled=True)
        topics_form = TopicsForm(page=page, contact=contact, language=language,
                                 fit=PageFit.assumed(page, preferences), disabled=True)
        pause_options = [(months, long_date(pause.add_months(pause.today(), months))) for months in pause.PAUSE_MONTHS]
    topics_form = topics_form if topics_form.preference_entries else None
    return _previewable(render_page(request, "unsubscribe.html", {
        "form": form, "preview": True, "masked_email": "e•••@example.org", "served": "",
        "intro": page.text("unsubscribe_intro", language),
        "profile_url": "#" if page.downsell_profile_link else "",
        "downsell_action": "#" if page.offers_downsell_switch else "",
        "downsell_label": page.text("downsell_label", language) or page.downsell_preference,
        "alternatives": bool(topics_form or page.pause_field),
        "topics_form": topics_form,
        "pause": bool(page.pause_field),
        "pause_options": pause_options,
    }, page=page, language=language, switcher=False))
