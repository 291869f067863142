"""The seeded "other" reason no longer asks for a description the text box calls optional: "Anderer Grund (bitte
kurz beschreiben)" becomes "Anderer Grund", in all six languages. Only rows still exactly as seeded (0002, 0006)
change; reversing puts the seeded wording back on those rows."""

from django.db import migrations

CODES = ("de", "en", "fr", "it", "es", "nl")
SEEDED = ("Anderer Grund (bitte kurz beschreiben)", "Another reason (please tell us)",
          "Autre raison (dites-le-nous en quelques mots)", "Altro motivo (ce lo dica in breve)",
          "Otro motivo (cuéntenoslo brevemente)", "Een andere reden (vertel het ons kort)")
PLAIN = ("Anderer Grund", "Another reason", "Autre raison", "Altro motivo", "Otro motivo", "Een andere reden")


def _relabel(apps, old, new):
    UnsubscribeReason = apps.get_model("preference_center", "UnsubscribeReason")
    UnsubscribeReason.objects.filter(
        reason_type="other", **{f"label_{code}": text for code, text in zip(CODES, old, strict=True)}
    ).update(**{f"label_{code}": text for code, text in zip(CODES, new, strict=True)})


def forwards(apps, schema_editor):
    _relabel(apps, SEEDED, PLAIN)


def backwards(apps, schema_editor):
    _relabel(apps, PLAIN, SEEDED)


class Migration(migrations.Migration):
    dependencies = [("preference_center", "0010_new_link_transaction_type")]

    operations = [migrations.RunPython(forwards, backwards)]
