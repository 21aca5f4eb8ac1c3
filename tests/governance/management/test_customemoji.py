"""manage.py customemoji adds, lists and removes the co-op's emoji, each change logged."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from governance.models import LogEntry
from tests.timeline.media_files import image_bytes
from timeline.models import CustomEmoji

pytestmark = pytest.mark.django_db


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command("customemoji", *args, stdout=out)
    return out.getvalue()


def test_add_list_remove(tmp_path: Path) -> None:
    image = tmp_path / "blobcat.png"
    image.write_bytes(image_bytes(32, 32))
    assert _call("add", "blobcat", str(image), "--category", "Cats", "--hidden") == "Added :blobcat:.\n"
    assert _call("list") == ":blobcat: Cats (hidden)\n"
    assert _call("remove", "blobcat") == "Removed :blobcat:.\n"
    assert not CustomEmoji.objects.exists()
    summaries = list(LogEntry.objects.filter(kind=LogEntry.Kind.CUSTOM_EMOJI).values_list("summary", flat=True))
    assert summaries == [
        "Custom emoji :blobcat: added by the server's operators",
        "Custom emoji :blobcat: removed by the server's operators",
    ]


def test_refusals_are_command_errors_and_change_nothing(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    with pytest.raises(CommandError, match="PNG, GIF or WebP"):
        _call("add", "notes", str(text))
    with pytest.raises(CommandError, match="No file"):
        _call("add", "missing", str(tmp_path / "missing.png"))
    with pytest.raises(CommandError, match="no custom emoji"):
        _call("remove", "unknown")
    assert not CustomEmoji.objects.exists()
    assert not LogEntry.objects.exists()
