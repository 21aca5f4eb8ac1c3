"""The admin API subset: domain blocks become emergency actions; reports and account actions cite rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from federation.models import DomainPolicy
from governance.actions.moderation import do_lapse_emergency_actions
from governance.models import ModerationAction, Report, RuleVersion
from governance.selectors import account_restriction
from tests.factories.federation import LocalActorFactory
from tests.factories.governance import adopt_rules, make_moderator
from tests.factories.members import make_member
from tests.factories.timeline import StatusFactory
from tests.governance.api.conftest import TokenClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules() -> list[RuleVersion]:
    return adopt_rules("No harassment.", "No spam.")


@pytest.fixture
def moderator(token_client: type[TokenClient], rules: list[RuleVersion]) -> TokenClient:
    return token_client(make_moderator(), scope="admin:read admin:write")


def test_domain_block_is_an_emergency_action_awaiting_ratification(moderator: TokenClient) -> None:
    response = moderator.post_form(
        "/api/v1/admin/domain_blocks",
        {"domain": "spam.example", "severity": "suspend", "private_comment": "Breaks rule 2"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["domain"] == "spam.example"
    assert body["emergency"] is True
    assert body["state"] == "active"
    assert body["expires_at"] is not None
    assert body["authority"] == "Rule 2 v1"
    assert DomainPolicy.objects.get(domain="spam.example").severity == "suspend"
    listed = moderator.client.get("/api/v1/admin/domain_blocks").json()
    assert [item["domain"] for item in listed] == ["spam.example"]


def test_domain_block_without_a_rule_or_a_mandate_is_refused_naming_what_is_missing(moderator: TokenClient) -> None:
    response = moderator.post_form("/api/v1/admin/domain_blocks", {"domain": "spam.example", "severity": "suspend"})
    assert response.status_code == 422
    assert response.json() == {
        "error": "No blocklist mandate in force covers severity suspend; the assembly can adopt one "
        "(a blocklist_mandate proposal), or cite the rule this block enforces with rule_ids[]."
    }
    assert not DomainPolicy.objects.exists()
    assert not ModerationAction.objects.exists()


def test_domain_block_of_what_is_not_a_domain_name_is_refused(moderator: TokenClient, rules: list[RuleVersion]) -> None:
    response = moderator.post_form(
        "/api/v1/admin/domain_blocks",
        {"domain": "spam example", "severity": "suspend", "rule_ids[]": [str(rules[1].rule_id)]},
    )
    assert response.status_code == 422
    assert response.json() == {"error": "'spam example' is not a domain name such as example.social."}
    assert not DomainPolicy.objects.exists()
    assert not ModerationAction.objects.exists()


def test_domain_block_update_and_delete(moderator: TokenClient, rules: list[RuleVersion]) -> None:
    created = moderator.post_form(
        "/api/v1/admin/domain_blocks",
        {"domain": "loud.example", "severity": "suspend", "rule_ids[]": [str(rules[0].rule_id)]},
    ).json()
    updated = moderator.client.put(
        f"/api/v1/admin/domain_blocks/{created['id']}", {"severity": "silence"}, content_type="application/json"
    )
    assert updated.json()["severity"] == "silence"
    assert DomainPolicy.objects.get(domain="loud.example").severity == "silence"
    assert moderator.client.delete(f"/api/v1/admin/domain_blocks/{created['id']}").status_code == 200
    assert not DomainPolicy.objects.exists()
    assert moderator.client.get(f"/api/v1/admin/domain_blocks/{created['id']}").status_code == 404


def test_members_without_the_role_get_403(token_client: type[TokenClient], rules: list[RuleVersion]) -> None:
    member = token_client(make_member(), scope="admin:read admin:write")
    response = member.post_form(
        "/api/v1/admin/domain_blocks",
        {"domain": "spam.example", "severity": "suspend", "rule_ids[]": [str(rules[0].rule_id)]},
    )
    assert response.status_code == 403
    assert not DomainPolicy.objects.exists()


def test_report_then_account_action_citing_the_reports_rule(
    moderator: TokenClient, token_client: type[TokenClient], rules: list[RuleVersion]
) -> None:
    reporter_user = make_member()
    LocalActorFactory.create(user=reporter_user, username=reporter_user.username)
    reporter = token_client(reporter_user, scope="write:reports")
    target = LocalActorFactory.create(user=make_member())
    status = StatusFactory.create(account=target)
    response = reporter.post_form(
        "/api/v1/reports",
        {
            "account_id": str(target.pk),
            "status_ids[]": [str(status.pk)],
            "category": "violation",
            "rule_ids[]": [str(rules[0].rule_id)],
        },
    )
    assert response.status_code == 200, response.content
    report_id = response.json()["id"]
    queue = moderator.client.get("/api/v1/admin/reports").json()
    assert [item["id"] for item in queue] == [report_id]
    assign = moderator.post_form(f"/api/v1/admin/reports/{report_id}/assign_to_self")
    assert assign.json()["assigned_account"] == moderator.user.username
    action = moderator.post_form(
        f"/api/v1/admin/accounts/{target.pk}/action", {"type": "silence", "report_id": report_id}
    )
    assert action.status_code == 200, action.content
    assert account_restriction(target) == "limit"
    assert Report.objects.get(pk=report_id).state == Report.State.RESOLVED
    reopened = moderator.post_form(f"/api/v1/admin/reports/{report_id}/reopen")
    assert reopened.json()["action_taken"] is False


def test_report_citing_an_unknown_rule_is_refused(token_client: type[TokenClient], rules: list[RuleVersion]) -> None:
    user = make_member()
    LocalActorFactory.create(user=user, username=user.username)
    reporter = token_client(user, scope="write:reports")
    target = LocalActorFactory.create(user=make_member())
    response = reporter.post_form(
        "/api/v1/reports", {"account_id": str(target.pk), "category": "violation", "rule_ids[]": ["999999"]}
    )
    assert response.status_code == 422
    assert response.json() == {"error": "Rule(s) 999999 are not rules in force here."}
    assert not Report.objects.exists()


def test_account_action_without_any_rule_is_refused(moderator: TokenClient) -> None:
    target = LocalActorFactory.create(user=make_member())
    response = moderator.post_form(f"/api/v1/admin/accounts/{target.pk}/action", {"type": "suspend"})
    assert response.status_code == 422
    assert "must cite the rule" in response.json()["error"]
    assert account_restriction(target) is None


@pytest.mark.parametrize(("mastodon_type", "kind"), [("suspend", "suspend"), ("silence", "limit")])
def test_account_suspension_or_limit_is_an_emergency_action_that_lapses_unratified(
    moderator: TokenClient, rules: list[RuleVersion], mastodon_type: str, kind: str
) -> None:
    target = LocalActorFactory.create(user=make_member())
    response = moderator.post_form(
        f"/api/v1/admin/accounts/{target.pk}/action",
        {"type": mastodon_type, "rule_ids[]": [str(rules[0].rule_id)]},
    )
    assert response.status_code == 200, response.content
    action = ModerationAction.objects.get()
    assert (action.kind, action.emergency, action.state) == (kind, True, ModerationAction.State.ACTIVE)
    assert action.expires_at is not None
    assert action.expires_at - action.created_at == timedelta(days=14)
    assert account_restriction(target) == kind
    assert do_lapse_emergency_actions(now=action.expires_at - timedelta(seconds=1)) == []
    assert do_lapse_emergency_actions(now=action.expires_at) == [action.pk]
    action.refresh_from_db()
    assert action.state == ModerationAction.State.LAPSED
    assert account_restriction(target) is None


def test_account_warning_through_the_api_is_not_an_emergency_action(
    moderator: TokenClient, rules: list[RuleVersion]
) -> None:
    target = LocalActorFactory.create(user=make_member())
    response = moderator.post_form(
        f"/api/v1/admin/accounts/{target.pk}/action", {"type": "none", "rule_ids[]": [str(rules[0].rule_id)]}
    )
    assert response.status_code == 200, response.content
    action = ModerationAction.objects.get()
    assert (action.kind, action.emergency, action.expires_at) == ("warn", False, None)
