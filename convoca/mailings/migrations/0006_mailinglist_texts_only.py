"""Mailing lists, step 3 of 3: the JSON name and description go; their texts are rows."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('mailings', '0005_mailinglist_texts_fill'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='mailinglist',
            name='description',
        ),
        migrations.RemoveField(
            model_name='mailinglist',
            name='name',
        ),
    ]
