"""Pledge activations, step 3 of 3: the _en/_es columns go; the message is a row per language.

The columns get an empty default first, so that going back can add them
again to a table that has rows (step 2 back then fills them).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0015_pledgeactivation_texts_fill'),
    ]

    operations = [
        migrations.AlterField(
            model_name='pledgeactivation',
            name='subject_en',
            field=models.CharField(default='', max_length=200, verbose_name='subject in English'),
        ),
        migrations.AlterField(
            model_name='pledgeactivation',
            name='body_en',
            field=models.TextField(default='', verbose_name='message in English'),
        ),
        migrations.AlterField(
            model_name='pledgeactivation',
            name='subject_es',
            field=models.CharField(default='', max_length=200, verbose_name='subject in Spanish'),
        ),
        migrations.AlterField(
            model_name='pledgeactivation',
            name='body_es',
            field=models.TextField(default='', verbose_name='message in Spanish'),
        ),
        migrations.RemoveField(
            model_name='pledgeactivation',
            name='body_en',
        ),
        migrations.RemoveField(
            model_name='pledgeactivation',
            name='body_es',
        ),
        migrations.RemoveField(
            model_name='pledgeactivation',
            name='subject_en',
        ),
        migrations.RemoveField(
            model_name='pledgeactivation',
            name='subject_es',
        ),
    ]
