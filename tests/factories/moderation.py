"""Helpers that put moderation measures in force through the governance actions."""

from __future__ import annotations

from federation.models import Actor
from governance.actions.moderation import check_take_moderation_action, do_take_moderation_action
from governance.models import ModerationAction
from governance.selectors import rules_in_force
from members.models import User
from tests.factories.governance import adopt_rules, make_moderator


def restrict_account(actor: Actor, kind: str = "suspend", *, moderator: User | None = None) -> ModerationAction:
    """Limit or suspend an account as a moderator would, adopting a rule to cite if none is in force."""
    moderator = moderator or make_moderator()
    versions = rules_in_force() or adopt_rules("Be kind.")
    draft = check_take_moderation_action(
        moderator, kind=kind, rule_version_ids=[versions[0].pk], target_account_id=actor.pk
    )
    return do_take_moderation_action(moderator, draft)
