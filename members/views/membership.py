"""Apply for membership, and see one's own membership with its full history."""

from __future__ import annotations

from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.access import access_membership_by_user_id
from members.actions.accounts import check_create_account, do_create_account
from members.actions.lifecycle import MAX_APPLICATION_LENGTH
from members.errors import MemberRefused
from members.exports import holder_entries
from members.holdings import register_as_of
from members.models import DuesPayment, User
from members.selectors import bylaws_in_force, membership_history, roles_of
from members.standing import standing_at


class ApplicationForm(forms.Form):
    """The fields of a membership application, which also creates the login."""

    username = forms.CharField(label=_("Username"), max_length=30)
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    application_text = forms.CharField(
        label=_("Why would you like to join?"),
        required=False,
        max_length=MAX_APPLICATION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    invitation_code = forms.CharField(label=_("Invitation code (optional)"), required=False, max_length=64)


def apply(request: HttpRequest) -> HttpResponse:
    """Show the application form; on POST, create the login and record the application."""
    initial = {"invitation_code": request.GET.get("invite", "")}
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account = check_create_account(
                form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                application_text=form.cleaned_data["application_text"],
                invitation_code=form.cleaned_data["invitation_code"].strip(),
            )
        except MemberRefused as exc:
            form.add_error(None, str(exc))
        else:
            user = do_create_account(account)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("members:membership")
    return render(request, "members/apply.html", {"form": form, "bylaws": bylaws_in_force()})


@login_required
def membership(request: HttpRequest) -> HttpResponse:
    """Show the signed-in person's membership: status, standing, roles, holdings, dues and history."""
    viewer = request.user
    assert isinstance(viewer, User)  # noqa: S101 (login_required lets only users through)
    record = access_membership_by_user_id(viewer, viewer.pk)
    context = {
        "record": record,
        "standing": standing_at(viewer.pk),
        "roles": roles_of(viewer),
        "history": membership_history(viewer),
        "lines": [line for line in register_as_of() if line.user.pk == viewer.pk],
        "entries": holder_entries(viewer),
        "payments": DuesPayment.objects.filter(user=viewer).order_by("-period")[:24],
        "today": timezone.localdate(),
    }
    return render(request, "members/membership.html", context)
