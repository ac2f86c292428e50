"""Series, step 1 of 3: the row every language version shares, beside the old columns."""

import convoca.core.translatable
import convoca.events.models
import django.db.models.deletion
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coalition', '0002_initial'),
        ('events', '0004_delivery_rows_remove'),
    ]

    operations = [
        migrations.CreateModel(
            name='SeriesShared',
            fields=[
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('id', models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False, verbose_name='translation group')),
                ('rule', models.CharField(help_text='RFC 5545, for example FREQ=MONTHLY;BYDAY=-1TU (last Tuesday of each month).', max_length=300, verbose_name='recurrence rule')),
                ('first_start', models.DateTimeField(help_text='Date and local time of the first occurrence.', verbose_name='first start')),
                ('duration_minutes', models.PositiveIntegerField(default=60, verbose_name='duration in minutes')),
                ('time_zone', models.CharField(default='America/New_York', max_length=64, validators=[convoca.events.models.validate_time_zone], verbose_name='time zone')),
                ('display_zones', models.JSONField(blank=True, default=list, help_text='For example ["America/Los_Angeles"].', validators=[convoca.events.models.validate_time_zones], verbose_name='also show the time in')),
                ('kind', models.CharField(default='online', editable=False, max_length=16, verbose_name='kind')),
                ('online_url', models.URLField(blank=True, help_text='Only registrants see it.', verbose_name='join link')),
                ('capacity', models.PositiveIntegerField(default=0, verbose_name='places per occurrence')),
                ('is_published', models.BooleanField(default=False, verbose_name='published')),
            ],
            options={
                'verbose_name': 'series in every language',
                'verbose_name_plural': 'series in every language',
            },
        ),
        migrations.AlterField(
            model_name='series',
            name='language',
            field=convoca.core.translatable.LanguageField(max_length=8, verbose_name='language'),
        ),
        migrations.AddField(
            model_name='seriesshared',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='coalition.organisation', verbose_name='host organisation'),
        ),
        migrations.AddField(
            model_name='series',
            name='shared',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='events.seriesshared', verbose_name='series in every language'),
        ),
    ]
