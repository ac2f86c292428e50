"""Working groups, step 3 of 3: the _en/_es columns go; their texts are rows per language."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("coalition", "0011_working_group_texts_fill")]

    operations = [
        migrations.AlterModelOptions(
            name='workinggroup',
            options={'ordering': ['slug'], 'verbose_name': 'working group', 'verbose_name_plural': 'working groups'},
        ),
        migrations.RemoveField(
            model_name='workinggroup',
            name='description_en',
        ),
        migrations.RemoveField(
            model_name='workinggroup',
            name='description_es',
        ),
        migrations.RemoveField(
            model_name='workinggroup',
            name='name_en',
        ),
        migrations.RemoveField(
            model_name='workinggroup',
            name='name_es',
        ),
        migrations.RemoveField(
            model_name='workinggroup',
            name='purpose_en',
        ),
        migrations.RemoveField(
            model_name='workinggroup',
            name='purpose_es',
        ),
    ]
