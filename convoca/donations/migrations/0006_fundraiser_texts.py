"""Fundraisers, step 1 of 3: a row per language for their texts, beside the old columns."""

import convoca.core.fields
import convoca.core.translatable
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('donations', '0005_provider_sync'),
    ]

    operations = [
        migrations.CreateModel(
            name='FundraiserText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('language', convoca.core.translatable.LanguageField(max_length=8, verbose_name='language')),
                ('title', convoca.core.fields.OneLineCharField(max_length=200, verbose_name='title')),
                ('summary', models.TextField(blank=True, verbose_name='summary')),
                ('body', models.TextField(blank=True, help_text='Markdown.', verbose_name='text')),
                ('thank_you', models.TextField(blank=True, verbose_name='thank-you text')),
                ('shared', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='donations.fundraiser', verbose_name='fundraiser')),
            ],
            options={
                'verbose_name': 'fundraiser text',
                'verbose_name_plural': 'fundraiser texts',
                'ordering': ['language'],
                'constraints': [models.UniqueConstraint(fields=('shared', 'language'), name='donations_fundraisertext_one_per_language', violation_error_message='This fundraiser already has a text in this language.')],
            },
        ),
    ]
