"""Series, step 3 of 3: a version keeps only its texts; the rest is its shared row's."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0006_series_shared_fill")]

    operations = [
        migrations.RemoveConstraint(
            model_name='series',
            name='events_series_one_version_per_language',
        ),
        migrations.AlterField(
            model_name='series',
            name='shared',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='events.seriesshared', verbose_name='series in every language'),
        ),
        migrations.AddConstraint(
            model_name='series',
            constraint=models.UniqueConstraint(fields=('shared', 'language'), name='events_series_one_version_per_language', violation_error_message='This series already has a version in this language.'),
        ),
        migrations.RemoveField(
            model_name='series',
            name='capacity',
        ),
        migrations.RemoveField(
            model_name='series',
            name='display_zones',
        ),
        migrations.RemoveField(
            model_name='series',
            name='duration_minutes',
        ),
        migrations.RemoveField(
            model_name='series',
            name='first_start',
        ),
        migrations.RemoveField(
            model_name='series',
            name='is_published',
        ),
        migrations.RemoveField(
            model_name='series',
            name='kind',
        ),
        migrations.RemoveField(
            model_name='series',
            name='online_url',
        ),
        migrations.RemoveField(
            model_name='series',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='series',
            name='rule',
        ),
        migrations.RemoveField(
            model_name='series',
            name='time_zone',
        ),
        migrations.RemoveField(
            model_name='series',
            name='translation_key',
        ),
        migrations.AlterField(
            model_name='seriesshared',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='event_series', to='coalition.organisation', verbose_name='host organisation'),
        ),
    ]
