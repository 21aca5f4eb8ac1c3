"""The landing page, profiles, status pages and the home page."""

from __future__ import annotations

import pytest
from django.test import Client

from config.demo import CHARTER_TITLE, RULES, seed_demo_coop
from federation.models import Actor
from frontend.views.public import paragraphs
from frontend.views.social import PAGE_SIZE
from tests.factories.timeline import StatusFactory
from tests.frontend.views.test_tools import page_status_ids, walk_pages
from timeline.models import Follow, Status, TimelineEntry, Visibility


@pytest.mark.django_db
def test_landing_shows_charter_rules_and_how_to_join(client: Client) -> None:
    seed_demo_coop()
    page = client.get("/").content.decode()
    assert CHARTER_TITLE in page
    for rule in RULES:
        assert rule.text.replace("'", "&#x27;") in page
    assert "How to join" in page
    assert "3 members" in page


@pytest.mark.django_db
def test_profile_lists_public_posts_but_not_private_ones(client: Client, alice: Actor) -> None:
    StatusFactory.create(account=alice, text="open post", content="<p>open post</p>")
    StatusFactory.create(account=alice, text="secret", content="<p>secret</p>", visibility=Visibility.PRIVATE)
    page = client.get("/@alice").content.decode()
    assert "open post" in page
    assert "secret" not in page


@pytest.mark.django_db
def test_author_sees_own_private_posts_on_profile(alice_client: Client, alice: Actor) -> None:
    StatusFactory.create(account=alice, text="secret", content="<p>secret</p>", visibility=Visibility.PRIVATE)
    assert "secret" in alice_client.get("/@alice").content.decode()


@pytest.mark.django_db
def test_status_page(client: Client, alice: Actor) -> None:
    status = StatusFactory.create(account=alice, content="<p>a page of its own</p>")
    response = client.get(f"/@alice/{status.id}")
    assert response.status_code == 200
    assert "a page of its own" in response.content.decode()


@pytest.mark.django_db
def test_home_requires_sign_in(client: Client) -> None:
    response = client.get("/home")
    assert response.status_code == 302
    assert response["Location"].startswith("/login")


@pytest.mark.django_db(transaction=True)
def test_posting_from_the_web_form_goes_through_the_actions(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post("/home", {"text": "from the browser", "visibility": "public", "spoiler_text": ""})
    assert response.status_code == 302
    status = Status.objects.get(account=alice)
    assert status.content == "<p>from the browser</p>"
    # Tasks run eagerly in-process here; a live worker does this in the end-to-end tests.
    assert TimelineEntry.objects.filter(owner=alice, status=status).exists()
    assert "from the browser" in alice_client.get("/home").content.decode()


@pytest.mark.django_db
def test_refused_post_shows_the_reason_and_stores_nothing(alice_client: Client) -> None:
    response = alice_client.post("/home", {"text": "x" * 501, "visibility": "public"})
    assert response.status_code == 400
    assert "too long" in response.content.decode()
    assert Status.objects.count() == 0


@pytest.mark.django_db
def test_navigation_offers_assemblies_to_members_and_moderation_to_moderators_only(
    alice_client: Client, alice: Actor
) -> None:
    from members.actions.roles import do_grant_role

    page = alice_client.get("/@alice").content.decode()
    assert 'href="/governance/proposals"' in page
    assert 'href="/governance/moderation"' not in page
    assert alice.user is not None
    do_grant_role(alice.user, "moderator", authorised_by="test")
    assert 'href="/governance/moderation"' in alice_client.get("/@alice").content.decode()


@pytest.mark.django_db
def test_profiles_offer_a_report_link_to_other_signed_in_members(
    client: Client, alice_client: Client, alice: Actor, bob: Actor
) -> None:
    assert f'href="/governance/report/{bob.pk}"' in alice_client.get("/@bob").content.decode()
    assert "/governance/report/" not in alice_client.get("/@alice").content.decode()
    assert "/governance/report/" not in client.get("/@bob").content.decode()


@pytest.mark.django_db
def test_the_charter_reads_in_paragraphs_without_breaks_mid_sentence(client: Client) -> None:
    seed_demo_coop()
    page = client.get("/").content.decode()
    assert "holds a share and has one vote" in page
    assert "<br>" not in page.split('class="charter"')[1].split("</div>")[0]


def test_hard_wrapped_text_becomes_paragraphs_and_keeps_list_items() -> None:
    text = "One sentence\nwrapped here.\n\nA list:\n- first\nitem\n- second\n"
    assert paragraphs(text) == [["One sentence wrapped here."], ["A list:", "- first item", "- second"]]


def test_a_public_profile_pages_to_its_oldest_post(client: Client, alice: Actor) -> None:
    """A visitor reaches every public post of a profile through "Load more", as on the members' pages."""
    statuses = StatusFactory.create_batch(PAGE_SIZE + 5, account=alice)
    newest_first = [status.pk for status in reversed(statuses)]
    assert walk_pages(client, "/@alice") == [newest_first[:PAGE_SIZE], newest_first[PAGE_SIZE:]]
    assert page_status_ids(client.get("/@alice?max_id=later").content.decode()) == newest_first[:PAGE_SIZE]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_language_menu_names_each_language_in_itself_whatever_the_page_is_in(client: Client, language: str) -> None:
    page = client.get("/", headers={"Accept-Language": language}).content.decode()
    menu = page[page.index('id="footer-language"') :]
    menu = menu[: menu.index("</select>")]
    assert '<option value="en" lang="en"' in menu
    assert ">English</option>" in menu
    assert ">Français</option>" in menu
    assert ">Español</option>" in menu
    assert "Anglais" not in menu and "Inglés" not in menu


@pytest.mark.django_db
def test_a_public_profile_shows_its_counts_linked_to_its_lists(client: Client, alice: Actor, bob: Actor) -> None:
    StatusFactory.create(account=alice)
    Follow.objects.create(follower=bob, target=alice, state=Follow.State.ACCEPTED)
    page = client.get("/@alice").content.decode()
    assert 'href="/@alice" aria-current="page"><strong>1</strong> post</a>' in page
    assert f'href="/accounts/{alice.pk}/following"><strong>0</strong> following</a>' in page
    assert f'href="/accounts/{alice.pk}/followers"><strong>1</strong> follower</a>' in page
    assert "Follows you" not in page
    followers = client.get(f"/accounts/{alice.pk}/followers").content.decode()
    assert f'href="/accounts/{bob.pk}"' in followers
