"""Moderators' trend review: hashtags, links and statuses trend only once a moderator allows them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from config.web_refusals import refusal_as_message
from governance.access import access_link_trend_by_id, access_status_trend_by_id, access_tag_trend_by_id, is_moderator
from governance.actions.trends import check_review_trend
from members.models import User
from timeline.actions.trends import do_review_trend
from timeline.models import LinkTrend, Review, StatusTrend, TagTrend
from timeline.selectors import pending_link_trends, pending_trends

SHOWN = 50


@login_required
@require_http_methods(["GET", "POST"])
def trend_review(request: HttpRequest) -> HttpResponse:
    """List hashtags, links and statuses waiting for review, and those allowed; allow or reject one."""
    user = request.user
    if not isinstance(user, User) or not is_moderator(user):
        raise Http404("Record not found")
    if request.method == "POST":
        allow = request.POST.get("do") == "allow"
        trend_id = request.POST.get("trend", "")
        with refusal_as_message(request):
            draft = check_review_trend(user, allow=allow)
            kind = request.POST.get("kind")
            if kind == "status":
                do_review_trend(access_status_trend_by_id(user, trend_id), draft)
            elif kind == "link":
                do_review_trend(access_link_trend_by_id(user, trend_id), draft)
            else:
                do_review_trend(access_tag_trend_by_id(user, trend_id), draft)
            messages.success(request, _("Allowed to trend.") if allow else _("Kept out of trends."))
        return redirect("governance:trend_review")
    pending_tags, pending_statuses = pending_trends()
    context = {
        "pending_tags": pending_tags[:SHOWN],
        "pending_statuses": pending_statuses[:SHOWN],
        "pending_links": pending_link_trends()[:SHOWN],
        "allowed_links": LinkTrend.objects.filter(review=Review.ALLOWED, score__gt=0)
        .select_related("card")
        .order_by("-score")[:SHOWN],
        "allowed_tags": TagTrend.objects.filter(review=Review.ALLOWED, score__gt=0)
        .select_related("tag")
        .order_by("-score")[:SHOWN],
        "allowed_statuses": StatusTrend.objects.filter(review=Review.ALLOWED, score__gt=0)
        .select_related("status__account")
        .order_by("-score")[:SHOWN],
    }
    return render(request, "governance/trends.html", context)
