"""A page configuration may name the Maileon transaction type that sends a fresh personal link ("send me a new
link" on a broken link's page); empty on every existing page, so nothing changes until a marketer picks one."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("preference_center", "0009_single_choice_groups"),
    ]

    operations = [
        migrations.AddField(
            model_name="pageconfig",
            name="new_link_transaction_type",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name='transaction type for "send me a new link"',
                validators=[django.core.validators.MinValueValidator(1)],
                help_text="The id of a Maileon transaction type whose trigger mailing carries the profile link with "
                          "[CONTACT|ID] and [CONTACT|CHECKSUM]. If set, a broken link's page offers \"send me a new "
                          "link\": Maileon sends that mailing to the address typed, if it is a contact's. Empty: "
                          "not offered; the page asks to use the link in the latest newsletter.",
            ),
        ),
    ]
