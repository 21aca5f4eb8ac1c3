"""Administrators change the server's name and contact; nobody else can."""

from __future__ import annotations

import pytest
from django.test import Client

from governance.models import InstanceSettings
from members.actions.roles import do_grant_role
from members.models import Role, User
from tests.clients import signed_in
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    user = make_member(username="root")
    do_grant_role(user, Role.ADMIN, authorised_by="Founding meeting")
    return user


def test_an_admin_renames_the_server_everywhere(admin: User) -> None:
    client = signed_in(admin)
    response = client.post("/governance/admin/settings", {"title": "Social Co-op", "contact_email": "ops@coop.example"})
    assert response.status_code == 302
    assert "Social Co-op" in client.get("/").content.decode()
    v2 = Client().get("/api/v2/instance").json()
    assert v2["title"] == "Social Co-op"
    assert v2["contact"]["email"] == "ops@coop.example"
    assert Client().get("/api/v1/instance").json()["email"] == "ops@coop.example"


def test_a_bad_address_is_refused_and_nothing_changes(admin: User) -> None:
    response = signed_in(admin).post("/governance/admin/settings", {"title": "X", "contact_email": "not-an-address"})
    assert response.status_code == 400
    assert "not a valid email" in response.content.decode()
    assert not InstanceSettings.objects.exists()


def test_members_cannot_change_the_settings() -> None:
    client = signed_in(make_member(username="mira"))
    assert client.get("/governance/admin/settings").status_code == 404
    client.post("/governance/admin/settings", {"title": "Hijacked", "contact_email": ""})
    assert not InstanceSettings.objects.exists()
