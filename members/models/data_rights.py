"""Members' data rights: archives of everything they hold here, and imports of what they bring."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataExport(models.Model):
    """An archive of one member's data, built in the background and downloadable for a week.

    The file lives in private storage (`MUTUALS_PRIVATE_ROOT`), never under
    the public media folder; `file_name` is chosen by the server.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    phase = models.CharField(max_length=40, blank=True, default="")
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    file_name = models.CharField(max_length=200, blank=True, default="")
    size = models.BigIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["state", "expires_at"], name="data_export_expiry")]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="data_export_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} of {self.user_id} ({self.state})"


class DataImport(models.Model):
    """A file a member uploaded to restore follows, blocks, mutes, lists, bookmarks or posts.

    The uploaded bytes are kept in private storage until processed; each
    line's outcome is a `DataImportLine`.
    """

    class Kind(models.TextChoices):
        FOLLOWING = "following", _("Follows")
        BLOCKS = "blocks", _("Blocked accounts")
        MUTES = "mutes", _("Muted accounts")
        DOMAIN_BLOCKS = "domain_blocks", _("Blocked domains")
        BOOKMARKS = "bookmarks", _("Bookmarks")
        LISTS = "lists", _("Lists")
        POSTS = "posts", _("Posts from an archive")

    class Mode(models.TextChoices):
        MERGE = "merge", _("Merge with what is here")
        OVERWRITE = "overwrite", _("Replace what is here")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being processed")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_imports")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.MERGE)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    file_name = models.CharField(max_length=200, blank=True, default="")
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.kind}, {self.state})"

    @property
    def progress(self) -> int:
        """Return the percentage of lines processed."""
        if self.state == self.State.FINISHED:
            return 100
        return min(100, self.processed * 100 // self.total) if self.total else 0


class DataImportLine(models.Model):
    """What became of one line (or one post) of an import."""

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        UNCHANGED = "unchanged", _("Already here")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    data_import = models.ForeignKey(DataImport, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    value = models.CharField(max_length=500)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["line_number", "id"]
        indexes = [models.Index(fields=["data_import", "line_number"], name="data_import_line_order")]

    def __str__(self) -> str:
        return f"line {self.line_number}: {self.outcome}"
