"""Campaigns, step 1 of 3: the row every language version shares, beside the old columns."""

import convoca.core.translatable
import django.db.models.deletion
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0010_action_shared'),
        ('coalition', '0002_initial'),
        ('events', '0007_series_texts_only'),
    ]

    operations = [
        migrations.CreateModel(
            name='CampaignShared',
            fields=[
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('id', models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False, verbose_name='translation group')),
                ('starts_on', models.DateField(verbose_name='first day')),
                ('ends_on', models.DateField(verbose_name='last day')),
                ('status', models.CharField(choices=[('draft', 'draft'), ('published', 'published')], default='draft', max_length=16, verbose_name='status')),
                ('accepts_hosts', models.BooleanField(default=True, verbose_name='anyone may offer to host an event')),
            ],
            options={
                'verbose_name': 'campaign in every language',
                'verbose_name_plural': 'campaigns in every language',
            },
        ),
        migrations.AlterField(
            model_name='campaign',
            name='language',
            field=convoca.core.translatable.LanguageField(max_length=8, verbose_name='language'),
        ),
        migrations.AddField(
            model_name='campaignshared',
            name='action',
            field=models.ForeignKey(blank=True, help_text='Its signatures shade the map by country.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='actions.actionshared', verbose_name='action shown on the map'),
        ),
        migrations.AddField(
            model_name='campaignshared',
            name='endorsers',
            field=models.ManyToManyField(blank=True, related_name='+', to='coalition.organisation', verbose_name='endorsing organisations'),
        ),
        migrations.AddField(
            model_name='campaignshared',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='coalition.organisation', verbose_name='coordinating organisation'),
        ),
        migrations.AddField(
            model_name='campaign',
            name='shared',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='events.campaignshared', verbose_name='campaign in every language'),
        ),
    ]
