"""A reason given after its unsubscribe was delivered becomes a job of its own (LaterReason) instead of a second
state machine on the unsubscribe row: reasons still waiting move to their job, with the checksum they need."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.db import migrations, models


def reasons_to_jobs(apps, schema_editor):
    UnsubscribeRequest = apps.get_model("preference_center", "UnsubscribeRequest")
    LaterReason = apps.get_model("preference_center", "LaterReason")
    waiting = UnsubscribeRequest.objects.filter(status="delivered", reason_added_later=True, reason_delivered=False)
    for row in waiting.exclude(checksum=""):
        LaterReason.objects.create(unsubscribe=row, checksum=row.checksum, next_attempt_at=row.next_attempt_at,
                                   created_at=row.updated_at)
        UnsubscribeRequest.objects.filter(pk=row.pk).update(checksum="")


def jobs_to_reasons(apps, schema_editor):
    UnsubscribeRequest = apps.get_model("preference_center", "UnsubscribeRequest")
    LaterReason = apps.get_model("preference_center", "LaterReason")
    for job in LaterReason.objects.all():
        UnsubscribeRequest.objects.filter(pk=job.unsubscribe_id).update(
            reason_delivered=job.status == "delivered", checksum=job.checksum,
            next_attempt_at=job.next_attempt_at,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('preference_center', '0004_unsubscribe_per_link'),
    ]

    operations = [
        migrations.CreateModel(
            name='LaterReason',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('checksum', models.CharField(blank=True, editable=False, max_length=200)),
                ('status', models.CharField(choices=[('pending', 'pending'), ('delivered', 'delivered'), ('failed', 'failed')], db_index=True, default='pending', max_length=10, verbose_name='status')),
                ('attempts', models.PositiveIntegerField(default=0, verbose_name='attempts')),
                ('next_attempt_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('leased_until', models.DateTimeField(blank=True, null=True)),
                ('lease_id', models.UUIDField(blank=True, editable=False, null=True)),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('note', models.CharField(blank=True, help_text='How delivery ended, e.g. sent again without the mailing id.', max_length=200, verbose_name='note')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='received')),
                ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='delivered')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('unsubscribe', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='later_reason', to='preference_center.unsubscriberequest', verbose_name='unsubscribe request')),
            ],
            options={
                'verbose_name': 'reason given later',
                'verbose_name_plural': 'reasons given later',
                'ordering': ['-created_at'],
            },
        ),
        migrations.RunPython(reasons_to_jobs, jobs_to_reasons),
        migrations.RemoveField(
            model_name='unsubscriberequest',
            name='reason_delivered',
        ),
    ]
