"""A peer follows the instance actor and receives the public transparency log; forwarded reports arrive as Flags.

A moderator's removal of a post reaches the other server as a Delete. Under a blocklist
mandate naming it, a co-op applies the domain decisions of another co-op's assembly, read
from that co-op's log over ActivityPub, with the vote behind each.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import pytest

from tests.e2e.test_federation_two_instances import check, run
from tests.live import EMBEDDED_PASS_ONLY, LiveInstance, live_instance

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]

LOG = """
from governance.actions.log import do_append_log_entry
from governance.actions.reports import do_file_report
from governance.models import LogEntry, LogVisibility, Report
from federation.models import OutboundActivity
def log_creates():
    return OutboundActivity.objects.filter(activity_type="Create", actor__uri__endswith="/actor").count()
"""


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[LiveInstance, LiveInstance]]:
    """Yield two running instances: alice's (whose log is followed) and bob's."""
    with live_instance(tmp_path / "a", name="a") as a, live_instance(tmp_path / "b", name="b") as b:
        for instance, member in ((a, "alice"), (b, "bob")):
            instance.manage("createmember", member, "--password", "a sturdy passphrase")
            instance.start_web()
            instance.start_worker(beat=True)
        yield a, b


# Two instances, each with a web server and a worker: on a busy machine, start-up and shutdown take minutes.
@pytest.mark.timeout(600)
def test_peer_follows_the_log_and_receives_public_entries_only(pair: tuple[LiveInstance, LiveInstance]) -> None:
    a, b = pair
    log_actor = f"instance@{a.domain}"

    # Bob's server follows A's instance actor, which accepts at once.
    assert run(b, f'out(do_follow(me("bob"), resolve_account("{log_actor}")).state)') == "pending"
    check(b, 'out(Follow.objects.filter(follower=me("bob"), state="accepted").exists())', message="A's Accept")
    followers = a.get("/actor/followers?page=1", headers={"Accept": "application/activity+json"}).json()
    assert followers["orderedItems"] == [b.url("/users/bob")]

    # A records a public entry and a members-only one; only the public one travels.
    run(
        a,
        LOG
        + dedent("""
        do_append_log_entry(LogEntry.Kind.BUDGET, summary="Hosting budget of 40 a month", data={"amount": 40})
        do_append_log_entry(LogEntry.Kind.MODERATION_ACTION, summary="Members-only note", data={},
                            visibility=LogVisibility.MEMBERS)
        out(True)
        """),
    )
    check(
        b,
        """
        home = [s.content for s in home_timeline_for(me("bob"), limit=20)]
        out(any("Hosting budget of 40 a month" in content for content in home))
        """,
        message="the public log entry in bob's home timeline",
    )
    # One Create left A, for the public entry only, and it was delivered.
    check(
        a,
        LOG + 'out(log_creates() == 1 and not Delivery.objects.exclude(state="delivered").exists())',
        message="A delivered the public entry only",
    )

    # Unfollowing removes bob's server from A's followers; later entries stay home.
    unfollow = f'do_unfollow(me("bob"), resolve_account("{log_actor}"))'
    run(b, f"from timeline.actions.follows import do_unfollow\n{unfollow}\nout(True)")
    check(a, "out(not Follow.objects.exists())", message="the Undo on A's side")
    later = 'do_append_log_entry(LogEntry.Kind.BUDGET, summary="Later budget", data={})\nout(log_creates())'
    assert run(a, LOG + later) == 1

    # Bob reports alice with forward: A receives a Flag from B's instance actor, without bob's name.
    run(
        b,
        LOG
        + dedent(f"""
        report = do_file_report(me("bob"), resolve_account("alice@{a.domain}"), [], "Spam", "other", [], forward=True)
        out(report.forwarded)
        """),
    )
    b_actor = b.url("/actor")
    reported = f'Report.objects.filter(target=me("alice"), forwarded_from="{b.domain}", reporter__uri="{b_actor}")'
    check(a, LOG + f"out({reported}.exists())", message="the forwarded report on A's side")

    # B's assembly mandates following A's assembly: A's passed domain decision is applied on B, citing its vote.
    run(
        a,
        LOG
        + dedent("""
        closing = do_append_log_entry(LogEntry.Kind.PROPOSAL_CLOSED, summary="Proposal #3 passed: Suspend spam.example",
                                      data={"proposal": 3, "outcome": "passed", "reason": "9 of 12 in favour."})
        do_append_log_entry(LogEntry.Kind.DOMAIN_POLICY, summary="Suspend spam.example, by Proposal #3",
                            data={"proposal": 3, "result_entry": closing.sequence, "domain": "spam.example",
                                  "details": {"severity": "suspend", "public_comment": "Spam"}})
        out(True)
        """),
    )
    imported = run(
        b,
        dedent(f"""
        from federation.models import DomainPolicy
        from governance.actions.blocklists import do_import_blocklist
        from governance.models import LogEntry
        from tests.factories.governance import adopt_blocklist_mandate
        mandate = adopt_blocklist_mandate(sources=[{{"coop": "{a.url("/actor")}"}}])
        result = do_import_blocklist(mandate)
        logged = LogEntry.objects.filter(kind="moderation.action").latest("sequence")
        out([result.created, result.problems, DomainPolicy.objects.get(domain="spam.example").severity, logged.summary])
        """),
    )
    created, problems, severity, summary = imported
    assert (created, problems, severity) == (["spam.example"], [], "suspend")
    assert f"from Proposal #3 of {a.domain}, passed on " in summary
    assert "(9 of 12 in favour)" in summary

    # A moderator on A removes alice's post citing a rule: the Delete reaches B, where bob had received it.
    post = run(
        a,
        f'out(do_create_status(me("alice"), check_create_status(me("alice"), text="Buy now @bob@{b.domain}")).uri)',
    )
    check(b, f'out(Status.objects.filter(uri="{post}").exists())', message="alice's post on B")
    removed = run(
        a,
        dedent(f"""
        from governance.actions.moderation import check_take_moderation_action, do_take_moderation_action
        from tests.factories.governance import adopt_rules, make_moderator
        (rule,) = adopt_rules("No spam.")
        moderator = make_moderator(username="mod")
        status = Status.objects.get(uri="{post}")
        do_take_moderation_action(moderator, check_take_moderation_action(
            moderator, kind="remove_status", rule_version_ids=[rule.pk], target_status_id=status.pk, text="Spam"))
        out(Status.objects.filter(uri="{post}").exists())
        """),
    )
    assert removed is False
    check(b, f'out(not Status.objects.filter(uri="{post}").exists())', message="the Delete of the removed post on B")
