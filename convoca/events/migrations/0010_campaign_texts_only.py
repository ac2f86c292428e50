"""Campaigns, step 3 of 3: a version keeps only its texts; the rest is its shared row's."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0009_campaign_shared_fill")]

    operations = [
        migrations.AlterModelOptions(
            name='campaign',
            options={'ordering': ['-shared__starts_on'], 'verbose_name': 'campaign', 'verbose_name_plural': 'campaigns'},
        ),
        migrations.RemoveConstraint(
            model_name='campaign',
            name='events_campaign_one_version_per_language',
        ),
        migrations.AlterField(
            model_name='campaign',
            name='shared',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='events.campaignshared', verbose_name='campaign in every language'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.UniqueConstraint(fields=('shared', 'language'), name='events_campaign_one_version_per_language', violation_error_message='This campaign already has a version in this language.'),
        ),
        migrations.RemoveField(
            model_name='campaign',
            name='accepts_hosts',
        ),
        migrations.RemoveField(
            model_name='campaign',
            name='action',
        ),
        migrations.RemoveField(
            model_name='campaign',
            name='endorsers',
        ),
        migrations.RemoveField(
            model_name='campaign',
            name='ends_on',
        ),
        migrations.RemoveField(
            model_name='campaign',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='campaign',
            name='starts_on',
        ),
        migrations.RemoveField(
            model_name='campaign',
            name='status',
        ),
        migrations.RemoveField(
            model_name='campaign',
            name='translation_key',
        ),
        migrations.AlterField(
            model_name='campaignshared',
            name='endorsers',
            field=models.ManyToManyField(blank=True, related_name='endorsed_campaigns', to='coalition.organisation', verbose_name='endorsing organisations'),
        ),
        migrations.AlterField(
            model_name='campaignshared',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='campaigns', to='coalition.organisation', verbose_name='coordinating organisation'),
        ),
    ]
