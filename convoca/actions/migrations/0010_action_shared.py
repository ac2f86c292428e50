"""Actions, step 1 of 3: the row every language version shares, beside the old columns."""

import convoca.core.translatable
import django.db.models.deletion
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0009_action_kind_targeted'),
        ('coalition', '0009_organisation_second_factor_required'),
    ]

    operations = [
        migrations.CreateModel(
            name='ActionShared',
            fields=[
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('id', models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False, verbose_name='translation group')),
                ('kind', models.CharField(choices=[('appeal', 'appeal or petition'), ('letter', 'open letter'), ('endorsement', 'endorsement call'), ('pledge', 'pledge'), ('targeted', 'letter to decision-makers')], default='appeal', max_length=16, verbose_name='kind')),
                ('status', models.CharField(choices=[('draft', 'draft'), ('open', 'open'), ('closed', 'closed')], default='draft', max_length=16, verbose_name='status')),
                ('starts_at', models.DateTimeField(blank=True, null=True, verbose_name='opens')),
                ('ends_at', models.DateTimeField(blank=True, null=True, verbose_name='closes')),
                ('goal', models.PositiveIntegerField(default=0, help_text='0 for none. When reached, the next goal is set automatically.', verbose_name='goal')),
                ('count_on_submit', models.BooleanField(default=False, help_text='Count signatures at once instead of after email confirmation.', verbose_name='count on submit')),
                ('ask_organisation', models.CharField(choices=[('no', 'not asked'), ('optional', 'optional'), ('required', 'required')], default='no', max_length=8, verbose_name='ask for organisation')),
                ('ask_role', models.CharField(choices=[('no', 'not asked'), ('optional', 'optional'), ('required', 'required')], default='no', max_length=8, verbose_name='ask for role')),
                ('ask_members', models.CharField(choices=[('no', 'not asked'), ('optional', 'optional'), ('required', 'required')], default='no', max_length=8, verbose_name='ask for members represented')),
                ('ask_comment', models.CharField(choices=[('no', 'not asked'), ('optional', 'optional'), ('required', 'required')], default='no', max_length=8, verbose_name='ask for a comment')),
                ('ask_phone', models.CharField(choices=[('no', 'not asked'), ('optional', 'optional'), ('required', 'required')], default='no', max_length=8, verbose_name='ask for phone')),
                ('ask_place', models.CharField(choices=[('no', 'not asked'), ('optional', 'optional'), ('required', 'required')], default='no', max_length=8, verbose_name='ask for city and postal code')),
                ('show_signers', models.BooleanField(default=True, help_text='Only those who chose to appear. Pledgers are never shown.', verbose_name='show signers publicly')),
                ('next_step', models.CharField(choices=[('share', 'share the action'), ('donate', 'donate'), ('event', 'register for an event')], default='share', max_length=8, verbose_name='next step')),
                ('next_step_url', models.URLField(blank=True, verbose_name='next step address')),
            ],
            options={
                'verbose_name': 'action in every language',
                'verbose_name_plural': 'actions in every language',
            },
        ),
        migrations.AlterField(
            model_name='action',
            name='language',
            field=convoca.core.translatable.LanguageField(max_length=8, verbose_name='language'),
        ),
        migrations.AddField(
            model_name='actionshared',
            name='co_sponsors',
            field=models.ManyToManyField(blank=True, related_name='+', to='coalition.organisation', verbose_name='co-sponsors'),
        ),
        migrations.AddField(
            model_name='actionshared',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='coalition.organisation', verbose_name='organisation'),
        ),
        migrations.AddField(
            model_name='action',
            name='shared',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='actions.actionshared', verbose_name='action in every language'),
        ),
    ]
