"""Administrators' page for the server's public name and contact."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from config.web_refusals import refusal_on_form
from governance.actions.instance_settings import check_update_instance_settings, do_update_instance_settings
from governance.selectors import current_instance_settings
from members.models import Role, User
from members.selectors import user_has_role


class InstanceSettingsForm(forms.Form):
    """The settings administrators may change."""

    title = forms.CharField(label=_("Server name (empty: the configured name)"), required=False, max_length=200)
    contact_email = forms.CharField(label=_("Contact email"), required=False, max_length=254)


@login_required
@require_http_methods(["GET", "POST"])
def instance_settings(request: HttpRequest) -> HttpResponse:
    """Show and change the instance settings (administrators only)."""
    user = request.user
    if not isinstance(user, User) or not (user.is_superuser or user_has_role(user, Role.ADMIN)):
        raise Http404("Record not found")
    current = current_instance_settings()
    form = InstanceSettingsForm(
        request.POST or None, initial={"title": current.title, "contact_email": current.contact_email}
    )
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            draft = check_update_instance_settings(
                user, title=form.cleaned_data["title"], contact_email=form.cleaned_data["contact_email"]
            )
            do_update_instance_settings(user, draft)
            messages.success(request, _("Settings saved."))
            return redirect("governance:instance_settings")
    return render(request, "governance/instance_settings.html", {"form": form}, status=400 if form.errors else 200)
