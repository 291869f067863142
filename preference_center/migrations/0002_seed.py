"""Seed data: one unsubscribe reason per Maileon reason type, and the default page configuration.

A data migration (not a fixture) so every database has a working /profile/ and /unsubscribe/ right after
`migrate`. The names (categories Themen and Frequenz, custom field Lieblingsfarbe, DOI mailing doi-standard)
match the embedded sandbox's account; a real account renames them in the admin. Reversing deletes exactly
what this created, matched by its own values, and leaves anything a marketer added.
"""

from django.db import migrations

# (reason type, German label, English label, ask for free text); one per type, Maileon's order (§2.4).
REASONS = [
    ("too_many_messages", "Ich bekomme zu viele E-Mails", "I get too many emails", False),
    ("no_demand", "Die Inhalte interessieren mich nicht mehr", "I'm no longer interested in the content", False),
    ("change_of_channel", "Ich informiere mich lieber auf anderem Weg (z. B. Website, App, soziale Medien)",
     "I prefer to get updates another way (e.g. website, app, social media)", False),
    ("change_of_interest", "Meine Interessen haben sich geändert", "My interests have changed", False),
    ("technical_reasons", "Die E-Mails werden bei mir nicht richtig angezeigt",
     "The emails don't display properly for me", False),
    ("other", "Anderer Grund (bitte kurz beschreiben)", "Another reason (please tell us)", True),
]

DEFAULT_SLUG = "default"

PAGE = {
    "slug": DEFAULT_SLUG,
    "name": "Standardseiten",
    "is_default": True,
    "page_key": "profil",
    "src": "preference-center",
    "default_language": "de",
    "doi_mailing_key": "doi-standard",
    "profile_intro_de": "Hier können Sie Ihre Angaben ändern und wählen, worüber und wie oft wir Ihnen schreiben.",
    "profile_intro_en": "Update your details here and choose what we write to you about, and how often.",
    "unsubscribe_intro_de": "Schade, dass Sie gehen möchten. Verraten Sie uns, warum? Die Angabe ist freiwillig.",
    "unsubscribe_intro_en": "We're sorry to see you go. Would you tell us why? Answering is optional.",
    "confirmation_de": "Danke, dass Sie uns so lange gelesen haben. Ihre Kundendaten und Bestellungen sind davon nicht betroffen.",
    "confirmation_en": "Thank you for reading us for so long. Your customer account and orders are not affected.",
    "downsell_profile_link": True,
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


def seed(apps, schema_editor):
    PageConfig = apps.get_model("preference_center", "PageConfig")
    ProfileField = apps.get_model("preference_center", "ProfileField")
    PreferenceGroup = apps.get_model("preference_center", "PreferenceGroup")
    UnsubscribeReason = apps.get_model("preference_center", "UnsubscribeReason")

    for position, (reason_type, label_de, label_en, free_text) in enumerate(REASONS, start=1):
        UnsubscribeReason.objects.get_or_create(
            reason_type=reason_type, label_en=label_en,
            defaults={"label_de": label_de, "asks_free_text": free_text, "position": position * 10},
        )

    if PageConfig.objects.filter(slug=DEFAULT_SLUG).exists():
        return
    has_default = PageConfig.objects.filter(is_default=True).exists()
    page = PageConfig.objects.create(**{**PAGE, "is_default": not has_default})
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


def unseed(apps, schema_editor):
    PageConfig = apps.get_model("preference_center", "PageConfig")
    UnsubscribeReason = apps.get_model("preference_center", "UnsubscribeReason")
    for reason_type, _label_de, label_en, _free_text in REASONS:
        UnsubscribeReason.objects.filter(reason_type=reason_type, label_en=label_en).delete()
    # Fields and groups go with the page (on_delete=CASCADE).
    PageConfig.objects.filter(slug=DEFAULT_SLUG, page_key=PAGE["page_key"]).delete()


class Migration(migrations.Migration):
    dependencies = [("preference_center", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
