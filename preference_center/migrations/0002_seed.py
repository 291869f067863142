"""Seed data: one unsubscribe reason per Maileon reason type, and a default page configuration.

A data migration (not a fixture) so every database has a working /profile/ and /unsubscribe/ right after
`migrate`. The page names nothing an account may lack: standard fields every Maileon account has, no preference
categories, no custom fields, no DOI mailing, no down-sell, until a marketer picks them in the admin. (The
sandbox's demo account gets its own configuration from `manage.py demo`, in sandbox mode only.) Reversing
deletes exactly what this created, matched by its own values, and leaves anything a marketer added.
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
    "src": "preference-center",
    "default_language": "de",
    "profile_intro_de": "Hier können Sie Ihre Angaben ändern.",
    "profile_intro_en": "Update your details here.",
    "unsubscribe_intro_de": "Schade, dass Sie gehen möchten. Verraten Sie uns, warum? Die Angabe ist freiwillig.",
    "unsubscribe_intro_en": "We're sorry to see you go. Would you tell us why? Answering is optional.",
    "downsell_profile_link": True,
}

# (source, name, type, label de, label en, choices); empty labels: the standard field's own label.
FIELDS = [
    ("standard", "FIRSTNAME", "text", "", "", ""),
    ("standard", "LASTNAME", "text", "", "", ""),
]


def seed(apps, schema_editor):
    PageConfig = apps.get_model("preference_center", "PageConfig")
    ProfileField = apps.get_model("preference_center", "ProfileField")
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


def unseed(apps, schema_editor):
    PageConfig = apps.get_model("preference_center", "PageConfig")
    UnsubscribeReason = apps.get_model("preference_center", "UnsubscribeReason")
    for reason_type, _label_de, label_en, _free_text in REASONS:
        UnsubscribeReason.objects.filter(reason_type=reason_type, label_en=label_en).delete()
    # Fields and groups go with the page (on_delete=CASCADE).
    PageConfig.objects.filter(slug=DEFAULT_SLUG, name=PAGE["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("preference_center", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
