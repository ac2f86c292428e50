"""Working groups, step 1 of 3: a row per language for their texts, beside the old columns."""

import convoca.core.translatable
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coalition', '0009_organisation_second_factor_required'),
    ]

    operations = [
        migrations.CreateModel(
            name='WorkingGroupText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('language', convoca.core.translatable.LanguageField(max_length=8, verbose_name='language')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('purpose', models.TextField(blank=True, verbose_name='purpose')),
                ('description', models.TextField(blank=True, help_text='Markdown.', verbose_name='description')),
                ('shared', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='coalition.workinggroup', verbose_name='working group')),
            ],
            options={
                'verbose_name': 'working group text',
                'verbose_name_plural': 'working group texts',
                'ordering': ['language'],
                'constraints': [models.UniqueConstraint(fields=('shared', 'language'), name='coalition_workinggrouptext_one_per_language', violation_error_message='This group already has a text in this language.')],
            },
        ),
    ]
