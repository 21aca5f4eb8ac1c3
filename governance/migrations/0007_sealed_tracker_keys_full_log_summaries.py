"""Seal every proposal's tracker key under the server's secret; keep log summaries and authorities in full.

Existing proposals keep their trackers: the same key is sealed, not replaced,
so published ballots, digests and members' receipts stay valid. Only the
plain key leaves the database. Secret ballots keep only the day they were
cast, as new ones do (their ids stay as they were). On SQLite, `secure_delete` makes the
overwritten pages zeroed rather than left free with the old keys in them;
on PostgreSQL the old row versions stay on disk until the next VACUUM.
"""

from datetime import UTC
from typing import Any

from django.db import migrations, models

from governance.ballot_keys import open_tracker_key, seal_tracker_key


def _zero_freed_pages(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("PRAGMA secure_delete = ON")


def seal_plain_keys(apps: Any, schema_editor: Any) -> None:
    Proposal = apps.get_model("governance", "Proposal")
    for proposal in Proposal.objects.filter(tracker_key_id="").only("pk", "tracker_key").iterator():
        key_id, sealed = seal_tracker_key(proposal.tracker_key)
        Proposal.objects.filter(pk=proposal.pk).update(tracker_key=sealed, tracker_key_id=key_id)


def keep_secret_ballots_day_only(apps: Any, schema_editor: Any) -> None:
    # The exact moment matched a secret ballot to its voter's Participation row.
    Ballot = apps.get_model("governance", "Ballot")
    for ballot in Ballot.objects.filter(proposal__secret=True).only("pk", "cast_at").iterator():
        day = ballot.cast_at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        if day != ballot.cast_at:
            Ballot.objects.filter(pk=ballot.pk).update(cast_at=day)


def unseal_keys(apps: Any, schema_editor: Any) -> None:
    Proposal = apps.get_model("governance", "Proposal")
    for proposal in Proposal.objects.exclude(tracker_key_id="").only("pk", "tracker_key", "tracker_key_id").iterator():
        plain = open_tracker_key(proposal.tracker_key_id, proposal.tracker_key)
        Proposal.objects.filter(pk=proposal.pk).update(tracker_key=plain, tracker_key_id="")


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0006_report_forwarded"),
    ]

    operations = [
        migrations.RunPython(_zero_freed_pages, migrations.RunPython.noop),
        migrations.AddField(
            model_name="proposal",
            name="tracker_key_id",
            field=models.CharField(
                default="", help_text="Id of the secret that sealed the tracker key.", max_length=12
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="proposal",
            name="tracker_key",
            field=models.CharField(help_text="Sealed key that derives each voter's receipt.", max_length=200),
        ),
        migrations.RunPython(seal_plain_keys, unseal_keys),
        migrations.RunPython(keep_secret_ballots_day_only, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="logentry",
            name="summary",
            field=models.TextField(),
        ),
        migrations.AlterField(
            model_name="moderationaction",
            name="authority",
            field=models.TextField(help_text="The rule versions or decision cited."),
        ),
    ]
