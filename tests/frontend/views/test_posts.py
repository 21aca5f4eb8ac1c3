"""Posts on the web without JavaScript: vote in polls and proposals' polls, edit with history, delete and redraft."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from federation.models import Actor
from governance.actions.proposal_polls import do_post_proposal_poll
from governance.models import Ballot, Participation
from tests.factories.federation import LocalActorFactory
from tests.factories.governance import open_proposal
from tests.factories.timeline import FavouriteFactory, MentionFactory, PollFactory, StatusFactory, make_custom_emoji
from tests.frontend.views.test_profile_and_media import png
from timeline.actions.fan_out import do_fan_out_status
from timeline.models import ConversationMute, MediaAttachment, Poll, PollVote, PreviewCard, Status, StatusEdit

pytestmark = pytest.mark.django_db


def client_for(actor: Actor) -> Client:
    client = Client()
    assert actor.user is not None
    client.force_login(actor.user)
    return client


def ordinary_poll(author: Actor, *, multiple: bool = False) -> Poll:
    status = StatusFactory.create(account=author, text="Soup or salad?", content="<p>Soup or salad?</p>")
    return PollFactory.create(status=status, options=["soup", "salad"], votes=[0, 0], multiple=multiple)


def assert_no_vote(poll: Poll) -> None:
    assert not PollVote.objects.exists()
    poll.refresh_from_db()
    assert poll.votes == [0] * len(poll.options)
    assert poll.voters_count == 0


def test_a_member_votes_in_a_poll_and_sees_the_results_with_their_choice(alice: Actor, bob: Actor) -> None:
    poll = ordinary_poll(alice)
    client = client_for(bob)
    page = client.get(f"/statuses/{poll.status_id}").content.decode()
    assert 'type="radio" name="choices" value="1"' in page
    response = client.post(f"/polls/{poll.pk}/votes", {"choices": ["1"], "next": f"/statuses/{poll.status_id}"})
    assert response.status_code == 302
    assert response["Location"] == f"/statuses/{poll.status_id}"
    assert list(PollVote.objects.filter(poll=poll).values_list("account_id", "choice")) == [(bob.pk, 1)]
    page = client.get(f"/statuses/{poll.status_id}").content.decode()
    assert "Your vote was counted." in page
    assert 'name="choices"' not in page
    assert '<li class="mine">' in page
    assert "100%" in page


@pytest.mark.parametrize(
    ("choices", "message"),
    [([], "Choose an option before voting."), (["7"], "option"), (["x"], "Choose one of the poll&#x27;s options.")],
)
def test_a_refused_vote_says_why_and_counts_nothing(alice: Actor, bob: Actor, choices: list[str], message: str) -> None:
    poll = ordinary_poll(alice)
    client = client_for(bob)
    response = client.post(f"/polls/{poll.pk}/votes", {"choices": choices}, follow=True)
    assert message in response.content.decode()
    assert_no_vote(poll)


def test_a_second_vote_in_a_single_choice_poll_is_refused(alice: Actor, bob: Actor) -> None:
    poll = ordinary_poll(alice)
    client = client_for(bob)
    client.post(f"/polls/{poll.pk}/votes", {"choices": ["0"]})
    response = client.post(f"/polls/{poll.pk}/votes", {"choices": ["1"]}, follow=True)
    assert "already voted" in response.content.decode()
    assert list(PollVote.objects.values_list("choice", flat=True)) == [0]


def test_a_poll_the_viewer_may_not_see_is_not_found_and_counts_nothing(alice: Actor, bob: Actor) -> None:
    poll = ordinary_poll(alice)
    Status.objects.filter(pk=poll.status_id).update(visibility="direct")
    response = client_for(bob).post(f"/polls/{poll.pk}/votes", {"choices": ["0"]})
    assert response.status_code == 404
    assert_no_vote(poll)


def test_a_proposals_poll_casts_a_ballot_and_says_whether_it_is_secret(alice: Actor, bob: Actor) -> None:
    assert alice.user is not None and bob.user is not None
    proposal = open_proposal(alice.user, title="Buy a bigger server", secret=True)
    link = do_post_proposal_poll(proposal.pk)
    assert link is not None
    client = client_for(bob)
    page = client.get(f"/statuses/{link.poll.status_id}").content.decode()
    assert f"ballot of proposal #{proposal.pk}" in page
    assert "The ballot is secret" in page
    assert "Cast ballot" in page
    client.post(f"/polls/{link.poll.pk}/votes", {"choices": ["0"]})
    assert Ballot.objects.get(proposal=proposal).choice == 0
    assert not PollVote.objects.exists()
    page = client.get(f"/statuses/{link.poll.status_id}").content.decode()
    assert '<li class="mine">' in page
    assert f"Your ballot on proposal #{proposal.pk} was cast in the assembly." in page
    assert "Your vote was counted." not in page
    # The assembly's own page shows the same ballot selected.
    assert 'value="0" checked' in client.get(f"/governance/proposals/{proposal.pk}").content.decode()


def test_a_refused_ballot_through_the_poll_records_nothing(alice: Actor, bob: Actor) -> None:
    assert alice.user is not None
    proposal = open_proposal(alice.user)
    link = do_post_proposal_poll(proposal.pk)
    assert link is not None
    response = client_for(bob).post(f"/polls/{link.poll.pk}/votes", {"choices": ["9"]}, follow=True)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not Ballot.objects.exists()
    assert not Participation.objects.exists()


def test_a_ballot_post_shows_no_ballot_to_a_viewer_outside_the_electorate_and_says_why(alice: Actor) -> None:
    assert alice.user is not None
    proposal = open_proposal(alice.user, title="Buy a bigger server")
    link = do_post_proposal_poll(proposal.pk)
    assert link is not None
    applicant = LocalActorFactory.create(membership="applicant")
    page = client_for(applicant).get(f"/statuses/{link.poll.status_id}").content.decode()
    assert f"ballot of proposal #{proposal.pk}" in page
    assert "Only members in good standing when it opened, on " in page
    assert "Cast ballot" not in page
    assert f'action="/polls/{link.poll.pk}/votes"' not in page
    page = client_for(alice).get(f"/statuses/{link.poll.status_id}").content.decode()
    assert "Cast ballot" in page
    assert "Only members in good standing when it opened" not in page


def test_a_timeline_of_ballot_posts_asks_for_the_viewers_electorate_in_no_extra_query(alice: Actor) -> None:
    """The electorate is asked inside the one query that finds the page's proposals: no query per ballot post."""
    author = alice.user
    assert author is not None
    applicant = LocalActorFactory.create(membership="applicant")

    def post_ballot() -> None:
        # The co-op's account posts the poll local-only: fanned out to every local account's home.
        link = do_post_proposal_poll(open_proposal(author).pk)
        assert link is not None
        do_fan_out_status(link.poll.status_id)

    def home(viewer: Actor, ballots: int) -> list[str]:
        client = client_for(viewer)
        client.get("/home")
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/home").content.decode()
        assert page.count("ballot of proposal #") == ballots
        assert page.count("Cast ballot") == (ballots if viewer == alice else 0)
        return [query["sql"] for query in captured.captured_queries]

    post_ballot()
    one = {viewer.username: home(viewer, 1) for viewer in (alice, applicant)}
    for _ in range(2):
        post_ballot()
    three = {viewer.username: home(viewer, 3) for viewer in (alice, applicant)}
    for queries in (*one.values(), *three.values()):
        asking = [sql for sql in queries if "governance_elector" in sql]
        assert len(asking) == 1
        assert "governance_proposalpoll" in asking[0]
    # Whatever else each ballot post costs, it costs a member and an applicant alike.
    assert len(three["alice"]) - len(one["alice"]) == len(three[applicant.username]) - len(one[applicant.username])


def test_the_author_edits_a_post_and_readers_see_its_history(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice, text="first words", content="<p>first words</p>")
    client = client_for(alice)
    assert "first words" in client.get(f"/statuses/{status.pk}/edit").content.decode()
    response = client.post(f"/statuses/{status.pk}/edit", {"text": "better words", "spoiler_text": ""})
    assert response.status_code == 302
    status.refresh_from_db()
    assert status.text == "better words"
    assert status.edited_at is not None
    history = client_for(bob).get(f"/statuses/{status.pk}/history").content.decode()
    assert "first words" in history
    assert "better words" in history
    assert f'href="/statuses/{status.pk}/history"' in client_for(bob).get(f"/statuses/{status.pk}").content.decode()


def test_an_edit_of_someone_elses_post_is_refused_and_changes_nothing(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice, text="mine", content="<p>mine</p>")
    client = client_for(bob)
    response = client.get(f"/statuses/{status.pk}/edit", follow=True)
    assert "You can only edit your own statuses." in response.content.decode()
    response = client.post(f"/statuses/{status.pk}/edit", {"text": "hijacked"})
    assert response.status_code == 400
    assert "You can only edit your own statuses." in response.content.decode()
    status.refresh_from_db()
    assert status.text == "mine"
    assert status.edited_at is None
    assert not StatusEdit.objects.exists()


def test_a_blank_edit_is_refused_and_changes_nothing(alice: Actor) -> None:
    status = StatusFactory.create(account=alice, text="keep me", content="<p>keep me</p>")
    response = client_for(alice).post(f"/statuses/{status.pk}/edit", {"text": "  "})
    assert response.status_code == 400
    assert "Text can&#x27;t be blank." in response.content.decode()
    status.refresh_from_db()
    assert status.text == "keep me"
    assert not StatusEdit.objects.exists()


def test_the_author_deletes_a_post_after_confirming(alice: Actor) -> None:
    status = StatusFactory.create(account=alice, text="oops", content="<p>oops</p>")
    client = client_for(alice)
    assert "Delete this post?" in client.get(f"/statuses/{status.pk}/delete").content.decode()
    assert Status.objects.filter(pk=status.pk).exists()
    response = client.post(f"/statuses/{status.pk}/delete")
    assert response.status_code == 302
    assert response["Location"] == "/@alice"
    assert not Status.objects.filter(pk=status.pk).exists()


def test_delete_and_redraft_puts_the_text_back_in_the_compose_form_once(alice: Actor) -> None:
    status = StatusFactory.create(
        account=alice, text="draft me again", content="<p>draft me again</p>", spoiler_text="soup"
    )
    Status.objects.filter(pk=status.pk).update(visibility="unlisted")
    client = client_for(alice)
    response = client.post(f"/statuses/{status.pk}/delete", {"redraft": "1"})
    assert response["Location"] == "/home"
    assert not Status.objects.filter(pk=status.pk).exists()
    home = client.get("/home").content.decode()
    assert "draft me again</textarea>" in home
    assert 'value="soup"' in home
    assert '<option value="unlisted" selected>' in home
    assert "draft me again</textarea>" not in client.get("/home").content.decode()


def test_deleting_someone_elses_post_is_refused_and_deletes_nothing(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice, text="not yours", content="<p>not yours</p>")
    client = client_for(bob)
    response = client.post(f"/statuses/{status.pk}/delete", {"redraft": "1"}, follow=True)
    assert "You can only delete your own statuses." in response.content.decode()
    assert Status.objects.filter(pk=status.pk).exists()
    assert "not yours</textarea>" not in client.get("/home").content.decode()
    response = client.get(f"/statuses/{status.pk}/delete", follow=True)
    assert "You can only delete your own statuses." in response.content.decode()


def test_bookmarking_returns_to_the_page_it_was_done_on(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    response = client_for(bob).post(f"/statuses/{status.pk}/bookmark", {"next": "/timelines/local"})
    assert response["Location"] == "/timelines/local"


def test_a_post_shows_its_custom_emoji_and_preview_card_from_its_entity(alice: Actor, bob: Actor) -> None:
    make_custom_emoji("blobcat")
    alice.display_name = "Alice :blobcat:"
    alice.save(update_fields=["display_name"])
    card = PreviewCard.objects.create(
        url="https://news.example/story",
        title="A <b>story</b>",
        provider_name="News",
        description="What happened.",
        fetched_at=timezone.now(),
    )
    status = StatusFactory.create(
        account=alice, content="<p>Hello :blobcat: and :unknown:</p>", spoiler_text="", preview_card=card
    )
    page = client_for(bob).get(f"/statuses/{status.pk}").content.decode()
    assert page.count('<img class="custom-emoji"') == 2  # in the name and in the text
    assert 'alt=":blobcat:"' in page
    assert ":unknown:" in page
    assert 'class="preview-card" href="https://news.example/story"' in page
    assert "A &lt;b&gt;story&lt;/b&gt;" in page
    assert "What happened." in page


def _posted_image(client: Client) -> Status:
    client.post("/home", {"text": "garden", "visibility": "public", "image": png(), "image_description": "Beans"})
    return Status.objects.get()


def test_editing_a_post_changes_its_image_description_and_focal_point(alice_client: Client) -> None:
    status = _posted_image(alice_client)
    media = status.media.get()
    page = alice_client.get(f"/statuses/{status.pk}/edit").content.decode()
    assert 'value="Beans"' in page
    alice_client.post(
        f"/statuses/{status.pk}/edit",
        {
            "text": "garden",
            f"media_{media.pk}_description": "Runner beans",
            f"media_{media.pk}_focus_x": "-0.5",
            f"media_{media.pk}_focus_y": "0.75",
        },
    )
    media.refresh_from_db()
    assert (media.description, media.focus_x, media.focus_y) == ("Runner beans", -0.5, 0.75)


def test_a_focal_point_out_of_range_in_an_edit_changes_nothing(alice_client: Client) -> None:
    status = _posted_image(alice_client)
    media = status.media.get()
    response = alice_client.post(
        f"/statuses/{status.pk}/edit",
        {"text": "changed", f"media_{media.pk}_description": "Other", f"media_{media.pk}_focus_x": "3"},
    )
    assert response.status_code == 400
    assert "less than or equal to 1" in response.content.decode()
    media.refresh_from_db()
    status.refresh_from_db()
    assert (media.description, media.focus_x, status.text) == ("Beans", 0.0, "garden")
    assert not StatusEdit.objects.exists()


def test_delete_and_redraft_brings_back_the_images_poll_language_and_sensitive_flag(alice: Actor) -> None:
    client = client_for(alice)
    posted = {"text": "look", "visibility": "public", "language": "de", "sensitive": "on", "image": png()}
    client.post("/home", posted | {"image_description": "A red square"})
    status = Status.objects.get(account=alice)
    media = status.media.get()
    client.post(f"/statuses/{status.pk}/delete", {"redraft": "1"})
    media.refresh_from_db()
    assert media.status_id is None
    home = client.get("/home").content.decode()
    assert f'name="media_{media.pk}_description" value="A red square"' in home
    assert f'name="media_ids" value="{media.pk}" checked' in home
    assert '<option value="de" selected>' in home
    assert 'name="sensitive" id="id_sensitive" checked' in home
    response = client.post("/home", {"text": "look again", "visibility": "public", "media_ids": [str(media.pk)]})
    assert response.status_code == 302
    media.refresh_from_db()
    assert media.status is not None
    assert (media.status.text, media.description) == ("look again", "A red square")


def _redrafted_image(alice: Actor) -> tuple[Client, MediaAttachment]:
    client = client_for(alice)
    client.post("/home", {"text": "look", "visibility": "public", "image": png(), "image_description": "A red square"})
    status = Status.objects.get(account=alice)
    media = status.media.get()
    client.post(f"/statuses/{status.pk}/delete", {"redraft": "1"})
    return client, media


def test_a_redrafted_image_is_posted_again_with_its_corrected_description_and_focal_point(alice: Actor) -> None:
    client, media = _redrafted_image(alice)
    response = client.post(
        "/home",
        {
            "text": "look again",
            "visibility": "public",
            "media_ids": [str(media.pk)],
            f"media_{media.pk}_description": "A red square on white",
            f"media_{media.pk}_focus_x": "0.5",
            f"media_{media.pk}_focus_y": "-0.25",
        },
    )
    assert response.status_code == 302
    media.refresh_from_db()
    assert media.status is not None
    assert (media.status.text, media.description, media.focus_x, media.focus_y) == (
        "look again",
        "A red square on white",
        0.5,
        -0.25,
    )


@pytest.mark.parametrize(
    ("refused", "error"),
    [
        # The post is refused (a poll beside an image) after the description was typed.
        ({"poll_option_1": "yes", "poll_option_2": "no"}, "A status cannot have both a poll and media attachments."),
        ({"media_{pk}_focus_x": "3"}, "less than or equal to 1"),
    ],
    ids=["poll beside the image", "focal point out of range"],
)
def test_a_refused_redraft_changes_neither_the_post_nor_the_kept_image(
    alice: Actor, refused: dict[str, str], error: str
) -> None:
    client, media = _redrafted_image(alice)
    posted = {"text": "look again", "visibility": "public", "media_ids": [str(media.pk)]}
    posted[f"media_{media.pk}_description"] = "Changed"
    posted.update({name.format(pk=media.pk): value for name, value in refused.items()})
    response = client.post("/home", posted)
    assert response.status_code == 400
    assert error in response.content.decode()
    media.refresh_from_db()
    assert (media.status_id, media.description, media.focus_x) == (None, "A red square", 0.0)
    assert not Status.objects.filter(account=alice).exists()


def test_delete_and_redraft_brings_back_the_poll(alice: Actor) -> None:
    poll = ordinary_poll(alice, multiple=True)
    Poll.objects.filter(pk=poll.pk).update(expires_at=poll.status.created_at + timedelta(days=3, minutes=2))
    client = client_for(alice)
    client.post(f"/statuses/{poll.status_id}/delete", {"redraft": "1"})
    home = client.get("/home").content.decode()
    assert 'name="poll_option_1" value="soup"' in home
    assert 'name="poll_option_2" value="salad"' in home
    assert 'name="poll_multiple" id="id_poll_multiple" checked' in home
    assert '<option value="259200" selected>' in home


def menu_of(page: str, status: Status) -> str:
    """Return the "More actions" menu of one post on a page."""
    article = page[page.index(f'id="status-{status.pk}"') :]
    return article[article.index('<details class="more">') : article.index("</details>")]


def test_the_menu_of_someone_elses_post_offers_mute_block_and_its_link(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    menu = menu_of(client_for(bob).get("/timelines/local").content.decode(), status)
    assert 'action="/mutes"' in menu
    assert f'name="account_id" value="{alice.pk}"' in menu
    assert "Mute @alice" in menu
    assert f'href="/accounts/{alice.pk}/block"' in menu
    assert "Block @alice" in menu
    assert f'data-copy-link="{status.url}"' in menu
    assert f'class="copy-link-fallback" href="{status.url}"' in menu
    # Bob is not part of the conversation, so muting it is not offered.
    assert "Mute conversation" not in menu


def test_the_menu_offers_to_mute_a_conversation_one_is_part_of(alice: Actor, bob: Actor) -> None:
    own = StatusFactory.create(account=bob)
    mentioning = StatusFactory.create(account=alice)
    MentionFactory.create(status=mentioning, account=bob)
    page = client_for(bob).get("/timelines/local").content.decode()
    assert "Mute conversation" in menu_of(page, own)
    assert "Mute @bob" not in menu_of(page, own)
    assert "Block @bob" not in menu_of(page, own)
    assert "Mute conversation" in menu_of(page, mentioning)


def test_a_member_mutes_and_unmutes_a_conversation_from_a_post(alice: Actor, bob: Actor) -> None:
    root = StatusFactory.create(account=bob)
    reply = StatusFactory.create(account=alice, in_reply_to=root)
    client = client_for(bob)
    response = client.post(f"/statuses/{reply.pk}/mute", {"next": f"/timelines/local#status-{reply.pk}"})
    assert response["Location"] == f"/timelines/local#status-{reply.pk}"
    assert list(ConversationMute.objects.values_list("account_id", "root_id")) == [(bob.pk, root.pk)]
    page = client.get("/timelines/local").content.decode()
    assert "You will not be notified of this conversation any more." in page
    assert "Unmute conversation" in menu_of(page, root)
    client.post(f"/statuses/{reply.pk}/mute", {"do": "unmute"})
    assert not ConversationMute.objects.exists()
    assert "Notifications from this conversation are back." in client.get("/timelines/local").content.decode()


def test_muting_a_conversation_refuses_an_unknown_action_a_hidden_post_and_a_get(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    client = client_for(bob)
    client.post(f"/statuses/{status.pk}/mute", {"do": "silence"})
    assert "Unknown action." in client.get("/timelines/local").content.decode()
    hidden = StatusFactory.create(account=alice, visibility="direct")
    assert client.post(f"/statuses/{hidden.pk}/mute").status_code == 404
    assert client.get(f"/statuses/{status.pk}/mute").status_code == 405
    assert not ConversationMute.objects.exists()


def test_counts_of_zero_are_hidden_and_each_button_keeps_its_name(alice: Actor, bob: Actor) -> None:
    quiet = StatusFactory.create(account=alice)
    liked = StatusFactory.create(account=alice)
    FavouriteFactory.create_batch(3, status=liked)
    page = client_for(bob).get("/timelines/local").content.decode()
    article = page[page.index(f'id="status-{quiet.pk}"') :]
    footer = article[: article.index("</footer>")]
    assert 'class="count"' not in footer
    assert 'aria-label="Reply"' in footer
    assert 'aria-label="Boost"' in footer
    assert 'aria-label="Favourite"' in footer
    article = page[page.index(f'id="status-{liked.pk}"') :]
    footer = article[: article.index("</footer>")]
    assert 'aria-label="Favourite (3 favourites)"' in footer
    assert '<span class="count">3</span>' in footer


def test_an_action_without_javascript_returns_to_the_post_it_was_done_on(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    client = client_for(bob)
    page = client.get("/timelines/local").content.decode()
    back = f"/timelines/local#status-{status.pk}"
    assert f'<article class="status" id="status-{status.pk}"' in page
    assert page.count(f'name="next" value="{back}"') >= 3  # boost, favourite, bookmark (and the menu's forms)
    assert client.post(f"/statuses/{status.pk}/favourite", {"next": back})["Location"] == back


def test_the_boosted_by_line_shows_the_boosters_custom_emoji(alice: Actor, bob: Actor) -> None:
    make_custom_emoji("blobcat")
    booster = LocalActorFactory.create(display_name="Carol :blobcat:")
    original = StatusFactory.create(account=alice)
    StatusFactory.create(account=booster, reblog_of=original, content="", text="")
    page = client_for(bob).get(f"/accounts/{booster.pk}").content.decode()
    line = page[page.index('<p class="meta"><span aria-hidden="true">⟳</span>') :]
    line = line[: line.index("</p>")]
    assert '<img class="custom-emoji"' in line
    assert ":blobcat:" not in line.replace('alt=":blobcat:"', "").replace('title=":blobcat:"', "")
