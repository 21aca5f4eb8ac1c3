"""Blocklists in Mastodon's CSV export format are read row by row; unusable rows are named, not fatal."""

from __future__ import annotations

from governance.blocklist_csv import BlocklistEntry, BlocklistProblem, parse_blocklist_csv


def test_mastodon_export_is_read_with_its_header() -> None:
    text = (
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"
        "spam.example,suspend,true,true,Spam,false\n"
        "loud.example,silence,false,false,,true\n"
    )
    parsed = parse_blocklist_csv(text)
    assert parsed.entries == (
        BlocklistEntry("spam.example", "suspend", True, True, "Spam", False),
        BlocklistEntry("loud.example", "silence", False, False, "", True),
    )
    assert parsed.problems == ()


def test_plain_lists_default_to_suspension_and_bad_rows_are_named() -> None:
    parsed = parse_blocklist_csv("Spam.Example\nex*mple.com,silence\nok.example,ban\nnot a domain\n\n")
    assert parsed.entries == (BlocklistEntry("spam.example", "suspend"),)
    assert [problem.line for problem in parsed.problems] == [2, 3, 4]
    assert parsed.problems[0] == BlocklistProblem(2, "ex*mple.com is obfuscated; the full name is needed.")


def test_a_domain_listed_twice_keeps_its_most_severe_row() -> None:
    parsed = parse_blocklist_csv("domain,severity\na.example,silence\na.example,suspend\na.example,noop\n")
    assert [(entry.domain, entry.severity) for entry in parsed.entries] == [("a.example", "suspend")]
