"""Web pages of the assembly and of moderation; they call the same actions as the APIs."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from config.api.params import MAX_JSON_BODY_BYTES
from config.json_input import JsonInputError, parse_json
from config.web_refusals import refusal_as_message, refusal_on_form
from federation.models import Actor
from governance.access import access_proposal_by_id, access_report_by_id, is_moderator
from governance.actions.ballots import check_cast_ballot, do_cast_ballot
from governance.actions.proposals import check_add_comment, check_create_proposal, do_add_comment, do_open_proposal
from governance.actions.reports import do_file_report, do_reopen_report, do_resolve_report
from governance.api.entities import proposal_entity
from governance.charts import participation_by_day, runoff_rows, tally_bars
from governance.models import ModerationAction, ProposalKind, Report
from governance.selectors import proposals_for_members, report_queue, rules_in_force
from governance.tally.methods import DecisionMethod, fixed_options
from members.eligibility import is_eligible_voter
from members.models import User


def _user(request: HttpRequest) -> User:
    """Return the signed-in user of a view behind login_required."""
    return cast(User, request.user)


class ProposalForm(forms.Form):
    """The fields of a new proposal; the payload is JSON, previewed on the proposal's page."""

    kind = forms.ChoiceField(label=_("What it changes"), choices=ProposalKind.choices, initial=ProposalKind.TEXT)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Proposal"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    payload = forms.CharField(
        label=_("Payload (JSON)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_('For example {"action": "suspend", "domain": "example.social"} for a domain policy.'),
    )
    method = forms.ChoiceField(label=_("Decision method"), choices=DecisionMethod.choices)
    options = forms.CharField(
        label=_("Options, one a line (for polls)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    secret = forms.BooleanField(label=_("Secret ballot"), required=False)
    hide_results = forms.BooleanField(label=_("Hide results until close"), required=False)


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    """List open and closed proposals to members."""
    user = _user(request)
    if not (is_eligible_voter(user.pk, timezone.now()) or is_moderator(user)):
        raise Http404("Record not found")
    return render(
        request,
        "governance/proposals.html",
        {
            "open": proposals_for_members(state="open")[:50],
            "closed": proposals_for_members(state="closed")[:50],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest) -> HttpResponse:
    """Open a new proposal."""
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payload: Any = (
                parse_json(data["payload"], max_bytes=MAX_JSON_BODY_BYTES) if data["payload"].strip() else None
            )
        except JsonInputError as exc:
            form.add_error("payload", str(exc))
        else:
            options = [line.strip() for line in data["options"].splitlines() if line.strip()]
            with refusal_on_form(form):
                draft = check_create_proposal(
                    _user(request),
                    kind=data["kind"],
                    title=data["title"],
                    body=data["body"],
                    payload=payload,
                    method=data["method"],
                    options=options if fixed_options(data["method"]) is None else None,
                    secret=data["secret"],
                    hide_results=data["hide_results"],
                )
                proposal = do_open_proposal(_user(request), draft)
                return redirect("governance:proposal", proposal_id=proposal.pk)
    return render(request, "governance/proposal_new.html", {"form": form})


def _choice_from_post(request: HttpRequest, method: str) -> Any:
    if method in (DecisionMethod.APPROVAL,):
        return [int(value) for value in request.POST.getlist("choice") if value.isdigit()]
    if method == DecisionMethod.RANKED_CHOICE:
        ranks = sorted(
            (int(request.POST.get(key, "")), int(key.removeprefix("rank_")))
            for key in request.POST
            if key.startswith("rank_") and request.POST.get(key, "").isdigit() and key.removeprefix("rank_").isdigit()
        )
        return [option for _, option in ranks]
    if method == DecisionMethod.SCORE:
        return [int(value) if value.isdigit() else -1 for value in request.POST.getlist("score")]
    value = request.POST.get("choice", "")
    return int(value) if value.isdigit() else value


@login_required
@require_http_methods(["GET", "POST"])
def proposal_page(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """Show a proposal (payload preview, diff, rules, results, discussion); vote or reply."""
    user = _user(request)
    proposal = access_proposal_by_id(user, proposal_id)
    if request.method == "POST":
        with refusal_as_message(request):
            if request.POST.get("form") == "comment":
                do_add_comment(check_add_comment(user, proposal, request.POST.get("text", "")))
                messages.success(request, _("Your reply was added."))
            else:
                choice = check_cast_ballot(user, proposal, _choice_from_post(request, proposal.method))
                receipt = do_cast_ballot(user, proposal.pk, choice)
                messages.success(request, _("Your ballot was recorded. Receipt: %s") % receipt.tracker)
        return redirect("governance:proposal", proposal_id=proposal.pk)
    entity = proposal_entity(proposal, user)
    tally = (entity.get("results") or {}).get("tally") or {}
    context = {
        "proposal": proposal,
        "entity": entity,
        "tally_bars": tally_bars(proposal.options, tally) if tally else [],
        "runoff": runoff_rows(proposal.options, tally) if tally else [],
        "participation": participation_by_day(proposal),
        "comments": proposal.comments.select_related("author"),
        "options": list(enumerate(proposal.options)),
    }
    return render(request, "governance/proposal.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def moderation_queue(request: HttpRequest) -> HttpResponse:
    """The moderators' queue: open reports, and emergency actions awaiting ratification."""
    user = _user(request)
    if not is_moderator(user):
        raise Http404("Record not found")
    if request.method == "POST":
        report = access_report_by_id(user, int(request.POST.get("report", "0") or 0))
        with refusal_as_message(request):
            if request.POST.get("do") == "reopen":
                do_reopen_report(user, report)
            else:
                do_resolve_report(user, report)
        return redirect("governance:moderation")
    context = {
        "reports": report_queue(state=Report.State.OPEN)[:100],
        "resolved": report_queue(state=Report.State.RESOLVED)[:20],
        "awaiting": ModerationAction.objects.filter(emergency=True, state=ModerationAction.State.ACTIVE),
    }
    return render(request, "governance/moderation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_account(request: HttpRequest, account_id: int) -> HttpResponse:
    """Report an account to the moderators, citing the rules it breaks; a remote account's server may be told too."""
    reporter = Actor.objects.filter(user=_user(request)).first()
    target = Actor.objects.filter(pk=account_id).first()
    if reporter is None or target is None:
        raise Http404("Record not found")
    rules = rules_in_force()
    if request.method == "POST":
        cited = [int(value) for value in request.POST.getlist("rule") if value.isdigit()]
        with refusal_as_message(request):
            do_file_report(
                reporter,
                target,
                [],
                request.POST.get("comment", ""),
                request.POST.get("category", Report.Category.OTHER),
                cited,
                forward=request.POST.get("forward") == "1",
            )
            messages.success(request, _("Thank you. The moderators will look at your report."))
            return redirect("frontend:home")
    return render(
        request,
        "governance/report.html",
        {"target": target, "rules": rules, "categories": Report.Category.choices},
    )
