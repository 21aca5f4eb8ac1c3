"""Only moderators (and administrators) review trends."""

from __future__ import annotations

import pytest

from federation.models import Actor
from governance.actions.trends import check_review_trend
from governance.errors import ModerationRefused
from tests.factories.federation import LocalActorFactory
from tests.factories.governance import make_moderator
from timeline.models import Review

pytestmark = pytest.mark.django_db


def test_a_moderator_with_an_account_reviews() -> None:
    user = make_moderator()
    actor = LocalActorFactory.create(user=user)
    draft = check_review_trend(user, allow=False)
    assert (draft.reviewer, draft.review) == (actor, Review.REJECTED)


def test_a_member_who_does_not_moderate_is_refused(alice: Actor) -> None:
    assert alice.user is not None
    with pytest.raises(ModerationRefused) as refused:
        check_review_trend(alice.user, allow=True)
    assert refused.value.status == 403
