"""KeptEvent: anonymous counts of what recipients did instead of leaving (models.py says why there is no contact id),
with the index the reasons report's GROUP BY queries are answered from."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("preference_center", "0010_new_link_transaction_type"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeptEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(
                    choices=[("downsell", "down-sell taken"), ("topics", "topics saved instead of leaving"),
                             ("pause_started", "pause started"), ("pause_extended", "pause extended"),
                             ("withdrawn", "unsubscribe withdrawn as a mistake"),
                             ("mistake_doi", "asked to come back after a mistaken unsubscribe"),
                             ("way_back", "asked to come back from an old link"),
                             ("profile_saved", "profile saved")],
                    max_length=20, verbose_name="kind")),
                ("mailing_id", models.BigIntegerField(blank=True, null=True, verbose_name="mailing id")),
                ("day", models.DateField(default=django.utils.timezone.localdate, verbose_name="day")),
                ("page", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                    to="preference_center.pageconfig", verbose_name="page")),
            ],
            options={
                "verbose_name": "kept event",
                "verbose_name_plural": "kept events",
                "default_permissions": (),
                "indexes": [models.Index(fields=["day", "kind", "mailing_id"], name="kept_event_day_kind_mailing")],
            },
        ),
    ]
