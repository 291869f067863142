"""The demo configuration of the default page for the sandbox's demo account (sandbox mode only).

The seed migration gives every database a page that works with any Maileon account. The sandbox's account has
more to show: preference categories Themen and Frequenz, the custom field Lieblingsfarbe, the DOI mailing
doi-standard, a down-sell and the transaction type that sends a new link. `manage.py demo` adds them, in sandbox
mode only, so these names never reach a database that talks to a real account. Idempotent, and it leaves a page
a developer has already changed alone.
"""

from __future__ import annotations

from django.db import transaction

from ..models import PageConfig, PreferenceGroup, ProfileField
from .sandbox.store import NEW_LINK_TRANSACTION_TYPE

DEMO_MAILING_ID = 88120  # a sent mailing of the sandbox, so the unsubscribe is credited to it
# (contact id, who, language): the sandbox's demo contacts; their LOCALE picks the page language.
DEMO_CONTACTS = [(1001, "Erika", "de"), (1002, "John", "en")]

PAGE = {
    "page_key": "profil",
    "doi_mailing_key": "doi-standard",
    "new_link_transaction_type": NEW_LINK_TRANSACTION_TYPE,  # its trigger mailing carries the profile link
    "profile_intro_de": "Hier können Sie Ihre Angaben ändern und wählen, worüber und wie oft wir Ihnen schreiben.",
    "profile_intro_en": "Update your details here and choose what we write to you about, and how often.",
    "confirmation_de": "Danke, dass Sie uns so lange gelesen haben. Ihre Kundendaten und Bestellungen sind davon "
                       "nicht betroffen.",
    "confirmation_en": "Thank you for reading us for so long. Your customer account and orders are not affected.",
    "downsell_category": "Frequenz",
    "downsell_preference": "Monatlicher Digest",
    "downsell_label_de": "Lieber nur noch einmal im Monat: den Digest",
    "downsell_label_en": "Just the monthly digest instead",
}

# (source, name, type, label de, label en, choices); empty labels: the standard field's own label.
FIELDS = [
    ("standard", "SALUTATION", "choice", "", "", "Frau|Frau|Ms\nHerr|Herr|Mr\nDivers|Divers|Mx"),
    ("standard", "FIRSTNAME", "text", "", "", ""),
    ("standard", "LASTNAME", "text", "", "", ""),
    ("standard", "BIRTHDAY", "date", "", "", ""),
    ("custom", "Lieblingsfarbe", "text", "Lieblingsfarbe", "Favourite colour", ""),
]

GROUPS = [
    ("Themen", "Themen", "Topics", "Worüber möchten Sie von uns lesen?", "What would you like to read about?"),
    ("Frequenz", "Häufigkeit", "Frequency", "Wie oft möchten Sie von uns hören?",
     "How often would you like to hear from us?"),
]


def untouched(page: PageConfig) -> bool:
    """Still as the seed migration left it: no categories, no custom fields, no DOI mailing, no down-sell."""
    return not (
        page.preference_groups.exists()
        or page.fields.filter(source="custom").exists()
        or page.doi_mailing_key
        or page.downsell_category
    )


@transaction.atomic
def install(page: PageConfig) -> bool:
    """Give `page` the demo configuration; False (and nothing changed) when someone has configured it already."""
    if not untouched(page):
        return False
    for name, value in PAGE.items():
        setattr(page, name, value)
    page.save()
    page.fields.all().delete()
    for position, (source, name, field_type, label_de, label_en, choices) in enumerate(FIELDS, start=1):
        ProfileField.objects.create(
            page=page, source=source, name=name, field_type=field_type, label_de=label_de, label_en=label_en,
            choices=choices, position=position * 10,
        )
    for position, (category, title_de, title_en, description_de, description_en) in enumerate(GROUPS, start=1):
        PreferenceGroup.objects.create(
            page=page, category=category, title_de=title_de, title_en=title_en, description_de=description_de,
            description_en=description_en, position=position * 10,
        )
    return True
