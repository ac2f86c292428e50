"""Actions, step 3 of 3: a version keeps only its texts; the rest is its shared row's."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("actions", "0011_action_shared_fill")]

    operations = [
        migrations.RemoveConstraint(
            model_name='action',
            name='actions_action_one_version_per_language',
        ),
        migrations.AddConstraint(
            model_name='action',
            constraint=models.UniqueConstraint(fields=('shared', 'language'), name='actions_action_one_version_per_language', violation_error_message='This action already has a version in this language.'),
        ),
        migrations.RemoveField(
            model_name='action',
            name='ask_comment',
        ),
        migrations.RemoveField(
            model_name='action',
            name='ask_members',
        ),
        migrations.RemoveField(
            model_name='action',
            name='ask_organisation',
        ),
        migrations.RemoveField(
            model_name='action',
            name='ask_phone',
        ),
        migrations.RemoveField(
            model_name='action',
            name='ask_place',
        ),
        migrations.RemoveField(
            model_name='action',
            name='ask_role',
        ),
        migrations.RemoveField(
            model_name='action',
            name='co_sponsors',
        ),
        migrations.RemoveField(
            model_name='action',
            name='count_on_submit',
        ),
        migrations.RemoveField(
            model_name='action',
            name='ends_at',
        ),
        migrations.RemoveField(
            model_name='action',
            name='goal',
        ),
        migrations.RemoveField(
            model_name='action',
            name='kind',
        ),
        migrations.RemoveField(
            model_name='action',
            name='next_step',
        ),
        migrations.RemoveField(
            model_name='action',
            name='next_step_url',
        ),
        migrations.RemoveField(
            model_name='action',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='action',
            name='show_signers',
        ),
        migrations.RemoveField(
            model_name='action',
            name='starts_at',
        ),
        migrations.RemoveField(
            model_name='action',
            name='status',
        ),
        migrations.RemoveField(
            model_name='action',
            name='translation_key',
        ),
        migrations.AlterField(
            model_name='action',
            name='shared',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='actions.actionshared', verbose_name='action in every language'),
        ),
        migrations.AlterField(
            model_name='actionshared',
            name='co_sponsors',
            field=models.ManyToManyField(blank=True, related_name='co_sponsored_actions', to='coalition.organisation', verbose_name='co-sponsors'),
        ),
        migrations.AlterField(
            model_name='actionshared',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='actions', to='coalition.organisation', verbose_name='organisation'),
        ),
    ]
