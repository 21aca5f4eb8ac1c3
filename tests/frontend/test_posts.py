"""Each post's links are the addresses Django's URL map gives, for every id and whatever the viewer did."""

from __future__ import annotations

import pytest
from django.urls import reverse

from frontend.posts import post_views
from tests.factories.federation import LocalActorFactory
from tests.factories.timeline import FavouriteFactory, StatusFactory
from timeline.actions.interactions import do_reblog

pytestmark = pytest.mark.django_db


def test_post_links_match_reverse_for_a_plain_post_and_a_boost() -> None:
    viewer = LocalActorFactory.create()
    original = StatusFactory.create()
    FavouriteFactory.create(account=viewer, status=original)
    boost = do_reblog(viewer, original)
    plain, boosted = post_views([original, boost], viewer)
    for view in (plain, boosted):
        links = view.links
        status_id, account_id = original.pk, original.account_id
        assert links.account == reverse("frontend:account", kwargs={"account_id": account_id})
        assert links.thread == reverse("frontend:thread", kwargs={"status_id": status_id})
        assert links.history == reverse("frontend:history", kwargs={"status_id": status_id})
        assert links.reply == f"{reverse('frontend:home')}?in_reply_to={status_id}#compose-title"
        assert links.bookmark == reverse("frontend:bookmark", kwargs={"status_id": status_id})
        assert links.edit == reverse("frontend:edit_status", kwargs={"status_id": status_id})
        assert links.delete == reverse("frontend:delete_status", kwargs={"status_id": status_id})
        assert links.report == (
            reverse("governance:report_account", kwargs={"account_id": account_id}) + f"?status={status_id}"
        )
        # The viewer favourited and boosted the post: both buttons undo.
        assert links.favourite == reverse("frontend:interact", kwargs={"status_id": status_id, "verb": "unfavourite"})
        assert links.boost == reverse("frontend:interact", kwargs={"status_id": status_id, "verb": "unboost"})


def test_post_links_offer_to_favourite_and_boost_what_the_viewer_has_not() -> None:
    status = StatusFactory.create()
    (view,) = post_views([status], LocalActorFactory.create())
    assert view.links.favourite == reverse("frontend:interact", kwargs={"status_id": status.pk, "verb": "favourite"})
    assert view.links.boost == reverse("frontend:interact", kwargs={"status_id": status.pk, "verb": "boost"})
