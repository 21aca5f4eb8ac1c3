"""Move an account: aliases for moving in, and moving away to a new account elsewhere."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.web_refusals import refusal_as_message, refusal_on_form
from federation.models import Actor
from members.models import User
from timeline.actions.moves import (
    MOVE_COOLDOWN,
    check_add_alias,
    check_move_away,
    do_add_alias,
    do_move_account,
    do_remove_alias,
)


class AliasForm(forms.Form):
    """Name an old account elsewhere that will move here."""

    alias = forms.CharField(label=gettext_lazy("Old account (user@server)"), max_length=300)


class MoveForm(forms.Form):
    """Move this account to a new one elsewhere."""

    target = forms.CharField(label=gettext_lazy("New account (user@server)"), max_length=300)
    password = forms.CharField(label=gettext_lazy("Your password"), widget=forms.PasswordInput)


@login_required
def migration(request: HttpRequest) -> HttpResponse:
    """Show aliases and the move form; add or remove an alias, or move away."""
    viewer = request.user
    assert isinstance(viewer, User)  # noqa: S101 (login_required lets only users through)
    actor = Actor.objects.select_related("moved_to").get(user=viewer, domain="")
    alias_form = AliasForm(request.POST if request.POST.get("action") == "add_alias" else None, prefix="alias")
    move_form = MoveForm(request.POST if request.POST.get("action") == "move" else None, prefix="move")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add_alias" and alias_form.is_valid():
            with refusal_on_form(alias_form):
                do_add_alias(actor, check_add_alias(actor, alias_form.cleaned_data["alias"]))
                messages.success(request, _("The alias was added."))
                return redirect("members:migration")
        if action == "remove_alias":
            with refusal_as_message(request):
                do_remove_alias(actor, request.POST.get("uri", ""))
                messages.success(request, _("The alias was removed."))
                return redirect("members:migration")
        if action == "move" and move_form.is_valid():
            with refusal_on_form(move_form):
                target = check_move_away(
                    actor, move_form.cleaned_data["target"], password=move_form.cleaned_data["password"]
                )
                do_move_account(actor, target)
                messages.success(request, _("Your account has moved; your followers are being moved."))
                return redirect("members:migration")
    aliases = [(uri, Actor.objects.filter(uri=uri).first()) for uri in actor.also_known_as]
    context = {
        "actor": actor,
        "aliases": aliases,
        "alias_form": alias_form,
        "move_form": move_form,
        "cooldown_days": MOVE_COOLDOWN.days,
    }
    return render(request, "members/migration.html", context)
