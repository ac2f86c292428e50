"""Events, step 1 of 3: the row every language version shares, beside the old columns.

The old columns that had no default may now be empty, so that going back
(step 3 undone re-adds them before step 2 undone fills them) can re-add them
to a table with rows; the translation key loses its default for the same
reason (one default for every row would break "one version per language").
"""

import convoca.core.translatable
import convoca.events.models
import django.db.models.deletion
import django_countries.fields
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        # The earliest that have the rows it points at, so that migrating
        # another app back (its migration tests do) need not undo this one.
        ('coalition', '0002_initial'),
        ('events', '0010_campaign_texts_only'),
        ('people', '0002_person_confirmation_sent_at'),
    ]

    operations = [
        migrations.CreateModel(
            name='EventShared',
            fields=[
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('id', models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False, verbose_name='translation group')),
                ('kind', models.CharField(choices=[('online', 'online'), ('in_person', 'in person'), ('hybrid', 'in person and online')], default='online', max_length=16, verbose_name='kind')),
                ('host_group', models.CharField(blank=True, help_text='For hosted events.', max_length=200, verbose_name='local group hosting')),
                ('status', models.CharField(choices=[('draft', 'draft'), ('pending', 'awaiting approval'), ('published', 'published'), ('cancelled', 'cancelled'), ('rejected', 'not approved')], default='draft', max_length=16, verbose_name='status')),
                ('starts_at', models.DateTimeField(verbose_name='starts')),
                ('ends_at', models.DateTimeField(verbose_name='ends')),
                ('time_zone', models.CharField(default='UTC', max_length=64, validators=[convoca.events.models.validate_time_zone], verbose_name='time zone')),
                ('display_zones', models.JSONField(blank=True, default=list, help_text='For example ["America/New_York", "America/Los_Angeles"].', validators=[convoca.events.models.validate_time_zones], verbose_name='also show the time in')),
                ('venue_name', models.CharField(blank=True, max_length=200, verbose_name='venue')),
                ('street_address', models.CharField(blank=True, max_length=250, verbose_name='street address')),
                ('city', models.CharField(blank=True, max_length=120, verbose_name='city')),
                ('postal_code', models.CharField(blank=True, max_length=20, verbose_name='postal code')),
                ('country', django_countries.fields.CountryField(blank=True, max_length=2, verbose_name='country')),
                ('latitude', models.FloatField(blank=True, null=True, verbose_name='latitude')),
                ('longitude', models.FloatField(blank=True, null=True, verbose_name='longitude')),
                ('online_url', models.URLField(blank=True, help_text='Only registrants see it, never the public page.', verbose_name='join link')),
                ('capacity', models.PositiveIntegerField(default=0, help_text='0 for no limit. When full, people join a wait list.', verbose_name='places')),
                ('ask_phone', models.BooleanField(default=False, verbose_name='ask for a phone number')),
                ('reminder_minutes', models.JSONField(blank=True, default=convoca.events.models.default_reminders, validators=[convoca.events.models.validate_reminders], verbose_name='reminders, minutes before the start')),
                ('recording_url', models.URLField(blank=True, verbose_name='recording')),
                ('occurrence_start', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='start given by the series rule')),
                ('host_key', models.CharField(default=convoca.events.models.new_host_key, editable=False, max_length=64, verbose_name='host management key')),
            ],
            options={
                'verbose_name': 'event in every language',
                'verbose_name_plural': 'events in every language',
                'ordering': ['starts_at'],
            },
        ),
        migrations.AddField(
            model_name='eventshared',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='coalition.organisation', verbose_name='host organisation'),
        ),
        migrations.AddField(
            model_name='eventshared',
            name='campaign',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='events.campaignshared', verbose_name='campaign'),
        ),
        migrations.AddField(
            model_name='eventshared',
            name='host_person',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='people.person', verbose_name='host'),
        ),
        migrations.AddField(
            model_name='eventshared',
            name='series',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='events.seriesshared', verbose_name='series'),
        ),
        migrations.AlterField(
            model_name='event',
            name='language',
            field=convoca.core.translatable.LanguageField(max_length=8, verbose_name='language'),
        ),
        migrations.AddField(
            model_name='event',
            name='shared',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='events.eventshared', verbose_name='event in every language'),
        ),
        migrations.AlterField(
            model_name='event',
            name='translation_key',
            field=models.UUIDField(db_index=True, null=True, verbose_name='translation group'),
        ),
        migrations.AlterField(
            model_name='event',
            name='organisation',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='coalition.organisation', verbose_name='host organisation'),
        ),
        migrations.AlterField(
            model_name='event',
            name='starts_at',
            field=models.DateTimeField(null=True, verbose_name='starts'),
        ),
        migrations.AlterField(
            model_name='event',
            name='ends_at',
            field=models.DateTimeField(null=True, verbose_name='ends'),
        ),
    ]
