"""Add blocklist mandates: a proposal kind, the mandate a passed one adopts, and blocks that cite it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('federation', '0006_delivery_last_attempt_at'),
        ('governance', '0008_report_reported_posts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BlocklistMandate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sources', models.JSONField(default=list)),
                ('max_severity', models.CharField(choices=[('silence', 'Limit (silence)'), ('suspend', 'Suspend')], max_length=10)),
                ('role', models.CharField(help_text='The role whose holders may apply blocks under it.', max_length=30)),
                ('review_months', models.PositiveIntegerField()),
                ('adopted_at', models.DateTimeField()),
                ('review_due_at', models.DateTimeField()),
                ('last_imported_at', models.DateTimeField(blank=True, null=True)),
                ('last_import', models.JSONField(blank=True, default=dict, help_text='What the last import applied and left out.')),
            ],
            options={
                'ordering': ['-adopted_at', '-pk'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='moderationaction',
            name='moderation_has_author',
        ),
        migrations.AlterField(
            model_name='logentry',
            name='kind',
            field=models.CharField(choices=[('proposal.opened', 'Proposal opened'), ('proposal.closed', 'Proposal closed'), ('rule.version', 'Rule version adopted'), ('bylaws.version', 'Bylaws version adopted'), ('content_policy.adopted', 'Content policy adopted'), ('domain_policy.set', 'Domain policy set'), ('domain_policy.lifted', 'Domain policy lifted'), ('blocklist_mandate.adopted', 'Blocklist mandate adopted'), ('membership.decided', 'Membership decided'), ('role.granted', 'Role granted'), ('budget.authorised', 'Budget authorised'), ('moderation.action', 'Moderation action'), ('moderation.ratified', 'Emergency action ratified'), ('moderation.lapsed', 'Emergency action lapsed'), ('moderation.reversed', 'Moderation action reversed'), ('appeal.decided', 'Appeal decided')], max_length=32),
        ),
        migrations.AlterField(
            model_name='proposal',
            name='kind',
            field=models.CharField(choices=[('domain_policy', 'Domain policy'), ('server_rule', 'Server rule'), ('content_policy', 'Content policy'), ('bylaw_amendment', 'Bylaw amendment'), ('membership', 'Membership decision'), ('role_grant', 'Role grant'), ('budget', 'Budget'), ('blocklist_mandate', 'Blocklist mandate'), ('text', 'Text (no payload)')], max_length=20),
        ),
        migrations.AddField(
            model_name='blocklistmandate',
            name='proposal',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='blocklist_mandate', to='governance.proposal'),
        ),
        migrations.AddField(
            model_name='moderationaction',
            name='mandate',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='actions', to='governance.blocklistmandate'),
        ),
        migrations.AddConstraint(
            model_name='moderationaction',
            constraint=models.CheckConstraint(condition=models.Q(('moderator__isnull', False), ('proposal__isnull', False), ('mandate__isnull', False), _connector='OR'), name='moderation_has_author'),
        ),
        migrations.AddConstraint(
            model_name='blocklistmandate',
            constraint=models.CheckConstraint(condition=models.Q(('review_months__gt', 0)), name='mandate_review_months_positive'),
        ),
        migrations.AddConstraint(
            model_name='blocklistmandate',
            constraint=models.CheckConstraint(condition=models.Q(('review_due_at__gt', models.F('adopted_at'))), name='mandate_review_after_adoption'),
        ),
    ]
