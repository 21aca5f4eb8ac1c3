"""Trend review: moderators decide which hashtags and statuses may trend (the figures are the timeline's)."""

from __future__ import annotations

from governance.access import is_moderator
from governance.errors import ModerationRefused
from members.models import User
from timeline.actions.trends import TrendReviewDraft
from timeline.models import Review


def check_review_trend(reviewer: User, *, allow: bool) -> TrendReviewDraft:
    """Refuse anyone who does not moderate, or who has no account to record as the reviewer."""
    actor = getattr(reviewer, "actor", None)
    if not is_moderator(reviewer) or actor is None:
        raise ModerationRefused("Only moderators review trends.", status=403)
    return TrendReviewDraft(reviewer=actor, review=Review.ALLOWED if allow else Review.REJECTED)
