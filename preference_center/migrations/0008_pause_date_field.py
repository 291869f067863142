"""A page may name a date field for "pause instead of leaving" (blank: no pause offered, as before)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("preference_center", "0007_unsubscribed_by_mistake"),
    ]

    operations = [
        migrations.AddField(
            model_name='pageconfig',
            name='pause_field',
            field=models.CharField(blank=True, help_text='A custom field of type date in your Maileon account, e.g. PAUSE_UNTIL. If set, the unsubscribe page offers to pause the newsletters for 1 or 3 months and writes the end date into this field; your target groups must leave out contacts whose date is today or later. Empty: no pause offered.', max_length=64, verbose_name='pause date field'),
        ),
    ]
