"""Moderators' report pages and actions citing rules, appeals, and a member's view of actions on their account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from config.web_refusals import refusal_as_message
from governance.access import access_appeal_by_id, access_moderation_action_by_id, access_report_by_id, is_moderator
from governance.actions.appeals import (
    check_decide_appeal,
    check_escalate_appeal,
    check_file_appeal,
    do_decide_appeal,
    do_escalate_appeal,
    do_file_appeal,
)
from governance.actions.moderation import STATUS_KINDS, check_take_moderation_action, do_take_moderation_actions
from governance.actions.reports import do_assign_report
from governance.errors import ModerationRefused
from governance.models import Appeal, ModerationAction, Report
from governance.selectors import reported_posts_of, rules_in_force
from members.models import User

Kind = ModerationAction.Kind


def _moderator(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not is_moderator(user):
        raise Http404("Record not found")
    return user


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _target_posts(report: Report, kind: str, raw_choice: str | None) -> list[int | None]:
    """Return the posts an action on the report is about: the one chosen, else every reported post still here.

    Only removal and marking sensitive are about posts; other kinds get [None].
    """
    if kind not in STATUS_KINDS:
        return [None]
    posts = reported_posts_of(report)
    chosen = _int_or_none(raw_choice)
    if chosen is not None:
        if chosen not in {post.id for post in posts}:
            raise ModerationRefused("Choose a post this report names.")
        return [chosen]
    present = [post.id for post in posts if post.present]
    if not present:
        raise ModerationRefused("This report names no post that is still here to act on.")
    return list(present)


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """Show a report; take an action on it that cites the rules it enforces, or assign it."""
    moderator = _moderator(request)
    report = access_report_by_id(moderator, report_id)
    if request.method == "POST":
        if request.POST.get("do") == "assign":
            do_assign_report(moderator, report, assignee=moderator)
            messages.success(request, _("The report is assigned to you."))
            return redirect("governance:report_detail", report_id=report.pk)
        with refusal_as_message(request):
            drafts = [
                check_take_moderation_action(
                    moderator,
                    kind=request.POST.get("kind", ""),
                    rule_version_ids=[int(value) for value in request.POST.getlist("rule") if value.isdigit()],
                    target_account_id=report.target_id,
                    target_status_id=status_id,
                    target_domain=request.POST.get("domain", "").strip() or report.target.domain,
                    details={"severity": request.POST.get("severity", "")}
                    if request.POST.get("kind") == Kind.DOMAIN
                    else None,
                    text=request.POST.get("text", ""),
                    emergency=request.POST.get("emergency") == "on",
                    report_id=report.pk,
                )
                for status_id in _target_posts(report, request.POST.get("kind", ""), request.POST.get("status"))
            ]
            resolve = request.POST.get("resolve") == "on"
            actions = do_take_moderation_actions(moderator, drafts, report=report if resolve else None)
            messages.success(
                request,
                _("Action %(ids)s taken, citing %(authority)s.")
                % {"ids": ", ".join(f"#{action.pk}" for action in actions), "authority": actions[0].authority},
            )
            return redirect("governance:report_detail", report_id=report.pk)
    context = {
        "report": report,
        "posts": reported_posts_of(report),
        "rules": rules_in_force(),
        "kinds": Kind.choices,
        "actions": ModerationAction.objects.filter(report=report).order_by("-created_at"),
    }
    return render(request, "governance/report_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appeals(request: HttpRequest) -> HttpResponse:
    """List pending appeals for moderators; decide or escalate one (never one's own action)."""
    moderator = _moderator(request)
    if request.method == "POST":
        appeal = access_appeal_by_id(moderator, int(request.POST.get("appeal", "0") or 0))
        with refusal_as_message(request):
            if request.POST.get("do") == "escalate":
                do_escalate_appeal(moderator, appeal, check_escalate_appeal(moderator, appeal))
                messages.success(request, _("The appeal is put to the assembly."))
            else:
                check_decide_appeal(moderator, appeal)
                granted = request.POST.get("do") == "grant"
                do_decide_appeal(moderator, appeal, granted=granted, note=request.POST.get("note", ""))
                messages.success(request, _("Appeal decided."))
        return redirect("governance:appeals")
    pending = Appeal.objects.filter(state=Appeal.State.PENDING).select_related("action__moderator", "appellant")
    return render(request, "governance/appeals.html", {"appeals": pending.order_by("created_at"), "me": moderator})


@login_required
def my_moderation(request: HttpRequest) -> HttpResponse:
    """Show the actions taken on the member's own account, with the rule cited and how to appeal."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required lets only users through)
    actions = (
        ModerationAction.objects.filter(target_account__user=user)
        .prefetch_related("rule_versions__rule", "appeals")
        .order_by("-created_at")
    )
    return render(request, "governance/my_moderation.html", {"actions": actions})


@login_required
@require_POST
def appeal_action(request: HttpRequest, action_id: int) -> HttpResponseBase:
    """Appeal an action on one's own account."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required lets only users through)
    action = access_moderation_action_by_id(user, action_id)
    with refusal_as_message(request):
        appeal = do_file_appeal(user, action, check_file_appeal(user, action, request.POST.get("text", "")))
        if appeal.proposal_id is not None:
            messages.success(
                request,
                _(
                    "Your appeal is filed. No moderator but the one who took the action could decide it, "
                    "so it is put to the assembly as proposal #%(id)s."
                )
                % {"id": appeal.proposal_id},
            )
        else:
            messages.success(
                request, _("Your appeal is filed. A moderator who did not take the action will decide it.")
            )
    return redirect("governance:my_moderation")
