"""What was kept, and who may see what.

- KeptEvent: anonymous counts of what recipients did instead of leaving (models.py says why there is no contact id).
- The permission "view personal data" on unsubscribe requests (contact ids, recipients' own words, reviewers):
  the admin hides them from everyone without it (backoffice/personal_data.py).
- The group "Marketing" with exactly what a marketer needs (README, "Roles"). Idempotent: a group of that name
  that exists already keeps what it has and gets what it lacks. Reversing deletes the group; the permissions
  stay, as Django leaves every permission it once created.

The group's permissions must exist before they can be given: Django creates permissions only after all
migrations (post_migrate), so on a fresh database they are created here first, with Django's own
create_permissions (a no-op for those that exist).
"""

import django.db.models.deletion
import django.utils.timezone
from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

MARKETING = "Marketing"
# (model, actions): model permissions "<action>_<model>" of this app, plus the custom ones below.
MARKETING_MODEL_PERMISSIONS = [
    ("pageconfig", ("add", "change", "view", "delete")),
    ("profilefield", ("add", "change", "view", "delete")),
    ("preferencegroup", ("add", "change", "view", "delete")),
    ("unsubscribereason", ("add", "change", "view", "delete")),
    # Read-only in the admin: "change" is what the actions "retry now" and "mark as reviewed" ask for; no field of
    # a request can be edited, and none can be added or deleted by anyone. The reports need "view".
    ("unsubscriberequest", ("view", "change")),
]
MARKETING_CUSTOM_PERMISSIONS = ["view_personal_data"]


def marketing_codenames() -> list[str]:
    return [f"{action}_{model}" for model, actions in MARKETING_MODEL_PERMISSIONS for action in actions] + \
        MARKETING_CUSTOM_PERMISSIONS


def create_marketing_group(apps, schema_editor):
    alias = schema_editor.connection.alias
    # The historical models decide which permissions exist; the app config is only asked for its label.
    create_permissions(global_apps.get_app_config("preference_center"), verbosity=0, apps=apps, using=alias)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.using(alias).get_or_create(name=MARKETING)
    wanted = Permission.objects.using(alias).filter(content_type__app_label="preference_center",
                                                    codename__in=marketing_codenames())
    group.permissions.add(*wanted)


def delete_marketing_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=MARKETING).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("preference_center", "0011_other_reason_label"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="unsubscriberequest",
            options={
                "ordering": ["-created_at"],
                "permissions": [(
                    "view_personal_data",
                    "Can view personal data (contact ids, recipients' own words, delivery errors, colleagues' names)",
                )],
                "verbose_name": "unsubscribe request",
                "verbose_name_plural": "unsubscribe requests",
            },
        ),
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
        migrations.RunPython(create_marketing_group, delete_marketing_group),
    ]
