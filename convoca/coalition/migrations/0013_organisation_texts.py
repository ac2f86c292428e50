"""Organisations, step 1 of 3: a row per language for their description, beside the old columns."""

import convoca.core.translatable
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coalition', '0012_working_group_columns_remove'),
    ]

    operations = [
        migrations.CreateModel(
            name='OrganisationText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('language', convoca.core.translatable.LanguageField(max_length=8, verbose_name='language')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('shared', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='coalition.organisation', verbose_name='organisation')),
            ],
            options={
                'verbose_name': 'organisation text',
                'verbose_name_plural': 'organisation texts',
                'ordering': ['language'],
                'constraints': [models.UniqueConstraint(fields=('shared', 'language'), name='coalition_organisationtext_one_per_language', violation_error_message='This organisation already has a text in this language.')],
            },
        ),
    ]
