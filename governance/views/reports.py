"""The web form a member reports an account with, and the posts of it they name."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from config.web_refusals import refusal_as_message
from federation.models import Actor
from governance.actions.reports import MAX_STATUSES, do_file_report
from governance.models import Report
from governance.selectors import rules_in_force
from members.models import User
from timeline.access import access_status_by_id
from timeline.models import Status


def _reported_posts(reporter: Actor, target: Actor, raw_ids: list[str]) -> list[Status]:
    """Return the named posts of the target that the reporter can see; a post they cannot see is 404."""
    ids = list(dict.fromkeys(int(raw) for raw in raw_ids if raw.isdigit()))[:MAX_STATUSES]
    posts = [access_status_by_id(reporter, status_id) for status_id in ids]
    if any(post.account_id != target.pk for post in posts):
        raise Http404("Record not found")
    return posts


@login_required
@require_http_methods(["GET", "POST"])
def report_account(request: HttpRequest, account_id: int) -> HttpResponse:
    """Report an account, and the posts of it named by ?status=, citing the rules it breaks.

    A post's Report link opens this form with that post attached; the
    reporter may leave it out before sending. A remote account's server may
    be told too.
    """
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required lets only users through)
    reporter = Actor.objects.filter(user=user).first()
    target = Actor.objects.filter(pk=account_id).first()
    if reporter is None or target is None:
        raise Http404("Record not found")
    if request.method == "POST":
        posts = _reported_posts(reporter, target, request.POST.getlist("status"))
        cited = [int(value) for value in request.POST.getlist("rule") if value.isdigit()]
        with refusal_as_message(request):
            do_file_report(
                reporter,
                target,
                posts,
                request.POST.get("comment", ""),
                request.POST.get("category", Report.Category.OTHER),
                cited,
                forward=request.POST.get("forward") == "1",
            )
            messages.success(request, _("Thank you. The moderators will look at your report."))
            return redirect("frontend:home")
    context = {
        "target": target,
        "posts": _reported_posts(reporter, target, request.GET.getlist("status")),
        "rules": rules_in_force(),
        "categories": Report.Category.choices,
    }
    return render(request, "governance/report.html", context)
