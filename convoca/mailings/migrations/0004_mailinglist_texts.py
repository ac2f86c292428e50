"""Mailing lists, step 1 of 3: a row per language for their name and description."""

import convoca.core.translatable
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mailings', '0003_confirmation_throttle_remove'),
    ]

    operations = [
        migrations.CreateModel(
            name='MailingListText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('language', convoca.core.translatable.LanguageField(max_length=8, verbose_name='language')),
                ('name', models.CharField(blank=True, max_length=200, verbose_name='name')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('shared', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='mailings.mailinglist', verbose_name='mailing list')),
            ],
            options={
                'verbose_name': 'mailing list text',
                'verbose_name_plural': 'mailing list texts',
                'ordering': ['language'],
                'constraints': [models.UniqueConstraint(fields=('shared', 'language'), name='mailings_mailinglisttext_one_version_per_language', violation_error_message='This list already has a text in this language.')],
            },
        ),
    ]
