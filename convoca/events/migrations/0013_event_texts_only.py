"""Events, step 3 of 3: a version keeps only its texts; the rest is its shared row's."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0012_event_shared_fill")]

    operations = [
        migrations.AlterModelOptions(
            name='event',
            options={'ordering': ['shared__starts_at'], 'verbose_name': 'event', 'verbose_name_plural': 'events'},
        ),
        migrations.RemoveConstraint(
            model_name='event',
            name='events_event_one_version_per_language',
        ),
        migrations.RemoveConstraint(
            model_name='event',
            name='events_event_one_per_occurrence',
        ),
        migrations.RemoveConstraint(
            model_name='event',
            name='events_event_ends_after_start',
        ),
        migrations.RemoveIndex(
            model_name='event',
            name='events_event_listed_idx',
        ),
        migrations.AlterField(
            model_name='eventshared',
            name='campaign',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='events.campaignshared', verbose_name='campaign'),
        ),
        migrations.AlterField(
            model_name='eventshared',
            name='host_person',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='hosted_events', to='people.person', verbose_name='host'),
        ),
        migrations.AlterField(
            model_name='eventshared',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='coalition.organisation', verbose_name='host organisation'),
        ),
        migrations.AlterField(
            model_name='eventshared',
            name='series',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='occurrences', to='events.seriesshared', verbose_name='series'),
        ),
        migrations.AlterField(
            model_name='event',
            name='shared',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='events.eventshared', verbose_name='event in every language'),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name='event',
            constraint=models.UniqueConstraint(fields=('shared', 'language'), name='events_event_one_version_per_language', violation_error_message='This event already has a version in this language.'),
        ),
        migrations.RemoveField(
            model_name='event',
            name='ask_phone',
        ),
        migrations.RemoveField(
            model_name='event',
            name='campaign',
        ),
        migrations.RemoveField(
            model_name='event',
            name='capacity',
        ),
        migrations.RemoveField(
            model_name='event',
            name='city',
        ),
        migrations.RemoveField(
            model_name='event',
            name='country',
        ),
        migrations.RemoveField(
            model_name='event',
            name='display_zones',
        ),
        migrations.RemoveField(
            model_name='event',
            name='ends_at',
        ),
        migrations.RemoveField(
            model_name='event',
            name='host_group',
        ),
        migrations.RemoveField(
            model_name='event',
            name='host_key',
        ),
        migrations.RemoveField(
            model_name='event',
            name='host_person',
        ),
        migrations.RemoveField(
            model_name='event',
            name='kind',
        ),
        migrations.RemoveField(
            model_name='event',
            name='latitude',
        ),
        migrations.RemoveField(
            model_name='event',
            name='longitude',
        ),
        migrations.RemoveField(
            model_name='event',
            name='occurrence_start',
        ),
        migrations.RemoveField(
            model_name='event',
            name='online_url',
        ),
        migrations.RemoveField(
            model_name='event',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='event',
            name='postal_code',
        ),
        migrations.RemoveField(
            model_name='event',
            name='recording_url',
        ),
        migrations.RemoveField(
            model_name='event',
            name='reminder_minutes',
        ),
        migrations.RemoveField(
            model_name='event',
            name='series',
        ),
        migrations.RemoveField(
            model_name='event',
            name='starts_at',
        ),
        migrations.RemoveField(
            model_name='event',
            name='status',
        ),
        migrations.RemoveField(
            model_name='event',
            name='street_address',
        ),
        migrations.RemoveField(
            model_name='event',
            name='time_zone',
        ),
        migrations.RemoveField(
            model_name='event',
            name='translation_key',
        ),
        migrations.RemoveField(
            model_name='event',
            name='venue_name',
        ),
        migrations.AddIndex(
            model_name='eventshared',
            index=models.Index(fields=['status', 'starts_at'], name='events_eventshared_listed_idx'),
        ),
        migrations.AddConstraint(
            model_name='eventshared',
            constraint=models.UniqueConstraint(condition=models.Q(('series__isnull', False)), fields=('series', 'occurrence_start'), name='events_eventshared_one_per_occurrence'),
        ),
        migrations.AddConstraint(
            model_name='eventshared',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gte', models.F('starts_at'))), name='events_eventshared_ends_after_start', violation_error_message='The event must end after it starts.'),
        ),
    ]
