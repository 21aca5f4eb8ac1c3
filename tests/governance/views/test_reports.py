"""A member reports a post from the web; the moderator sees it on the report and can remove it."""

from __future__ import annotations

import pytest

from governance.actions.reports import do_file_report
from governance.models import ModerationAction, Report
from tests.clients import signed_in
from tests.factories.federation import LocalActorFactory
from tests.factories.governance import adopt_rules, make_moderator
from tests.factories.members import make_member
from tests.factories.timeline import StatusFactory
from timeline.models import Status

pytestmark = pytest.mark.django_db


def test_a_post_reported_from_the_web_can_be_removed_from_its_report() -> None:
    """The report form opened from a post's Report link attaches it; Remove status then removes it."""
    (rule,) = adopt_rules("No spam.")
    reporter = make_member()
    LocalActorFactory.create(user=reporter, username=reporter.username)
    author = LocalActorFactory.create(user=make_member())
    post = StatusFactory.create(account=author, text="Buy pills", content="<p>Buy pills</p>")
    member = signed_in(reporter)
    thread = member.get(f"/statuses/{post.pk}").content.decode()
    link = f"/governance/report/{author.pk}?status={post.pk}"
    assert link in thread
    form = member.get(link).content.decode()
    assert "Buy pills" in form
    member.post(link, {"category": "spam", "comment": "Spam links", "status": [str(post.pk)]})
    report = Report.objects.get()
    assert list(report.statuses.all()) == [post]

    moderator = signed_in(make_moderator())
    page = moderator.get(f"/governance/moderation/reports/{report.pk}").content.decode()
    assert "Buy pills" in page
    response = moderator.post(
        f"/governance/moderation/reports/{report.pk}",
        {"kind": "remove_status", "status": "", "rule": [str(rule.pk)], "resolve": "on"},
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert "No such status." not in messages
    assert not Status.objects.filter(pk=post.pk).exists()
    action = ModerationAction.objects.get()
    assert (action.kind, action.target_status_id) == (ModerationAction.Kind.REMOVE_STATUS, post.pk)
    after = moderator.get(f"/governance/moderation/reports/{report.pk}").content.decode()
    assert "Buy pills" in after
    assert f"@{author.acct}" in after
    assert "removed" in after.lower()


def _report_with_post(text: str = "Buy pills") -> tuple[Report, Status]:
    reporter = LocalActorFactory.create(user=make_member())
    author = LocalActorFactory.create(user=make_member())
    post = StatusFactory.create(account=author, text=text, content=f"<p>{text}</p>")
    return do_file_report(reporter, author, [post], "Spam", "spam", []), post


def test_remove_status_without_picking_the_post_removes_the_reported_post() -> None:
    """It used to fail with "No such status." when the post select was left at its blank default."""
    (rule,) = adopt_rules("No spam.")
    report, post = _report_with_post()
    response = signed_in(make_moderator()).post(
        f"/governance/moderation/reports/{report.pk}",
        {"kind": "remove_status", "status": "", "rule": [str(rule.pk)]},
        follow=True,
    )
    assert "No such status." not in [str(message) for message in response.context["messages"]]
    assert not Status.objects.filter(pk=post.pk).exists()
    assert ModerationAction.objects.get().target_status_id == post.pk


def test_remove_status_on_a_report_naming_no_post_is_refused_and_nothing_changes() -> None:
    (rule,) = adopt_rules("No spam.")
    reporter = LocalActorFactory.create(user=make_member())
    author = LocalActorFactory.create(user=make_member())
    post = StatusFactory.create(account=author)
    report = do_file_report(reporter, author, [], "Spam", "spam", [])
    response = signed_in(make_moderator()).post(
        f"/governance/moderation/reports/{report.pk}",
        {"kind": "remove_status", "rule": [str(rule.pk)], "resolve": "on"},
        follow=True,
    )
    assert [str(message) for message in response.context["messages"]] == [
        "This report names no post that is still here to act on."
    ]
    assert Status.objects.filter(pk=post.pk).exists()
    assert not ModerationAction.objects.exists()
    report.refresh_from_db()
    assert report.state == Report.State.OPEN


def test_a_post_the_reporter_cannot_see_or_of_another_account_is_refused_and_nothing_is_filed() -> None:
    reporter = make_member()
    LocalActorFactory.create(user=reporter, username=reporter.username)
    author = LocalActorFactory.create(user=make_member())
    private = StatusFactory.create(account=author, visibility="direct")
    elsewhere = StatusFactory.create()
    member = signed_in(reporter)
    for post in (private, elsewhere):
        assert member.get(f"/governance/report/{author.pk}?status={post.pk}").status_code == 404
        response = member.post(f"/governance/report/{author.pk}", {"category": "spam", "status": [str(post.pk)]})
        assert response.status_code == 404
    assert not Report.objects.exists()


def test_ones_own_post_has_no_report_link() -> None:
    user = make_member()
    actor = LocalActorFactory.create(user=user, username=user.username)
    post = StatusFactory.create(account=actor)
    assert "/governance/report/" not in signed_in(user).get(f"/statuses/{post.pk}").content.decode()
