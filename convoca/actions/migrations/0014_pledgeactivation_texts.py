"""Pledge activations, step 1 of 3: a row per language for the message, beside the old columns."""

import convoca.core.translatable
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0013_signatureintake_claim'),
    ]

    operations = [
        migrations.CreateModel(
            name='PledgeActivationText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('language', convoca.core.translatable.LanguageField(max_length=8, verbose_name='language')),
                ('subject', models.CharField(max_length=200, verbose_name='subject')),
                ('body', models.TextField(help_text='Markdown.', verbose_name='message')),
                ('shared', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='actions.pledgeactivation', verbose_name='pledge activation')),
            ],
            options={
                'verbose_name': 'pledge activation message',
                'verbose_name_plural': 'pledge activation messages',
                'ordering': ['language'],
                'constraints': [models.UniqueConstraint(fields=('shared', 'language'), name='actions_pledgeactivationtext_one_version_per_language', violation_error_message='This activation already has a message in this language.')],
            },
        ),
    ]
