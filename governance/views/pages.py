"""Web pages of the assembly and of moderation; they call the same actions as the APIs."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from config.web_refusals import refusal_as_message, refusal_on_form
from governance.access import (
    ProposalNotFound,
    access_proposal_by_id,
    access_proposal_summary_by_id,
    access_report_by_id,
    can_view_proposal,
    is_moderator,
)
from governance.actions.ballots import check_cast_ballot, do_cast_ballot
from governance.actions.closing import published_ballots, recount_proposal
from governance.actions.proposals import (
    MAX_OPEN_DAYS,
    ProposalDraft,
    check_add_comment,
    check_create_proposal,
    do_add_comment,
    do_open_proposal,
)
from governance.actions.reports import do_reopen_report, do_resolve_report
from governance.api.entities import proposal_entity, published_ballots_document
from governance.charts import participation_by_day, quorum_progress, runoff_rows, tally_bars
from governance.models import ModerationAction, Proposal, ProposalKind, Report
from governance.payload_forms import PAYLOAD_FORMS
from governance.payloads import (
    ProposalPayload,
    diff_against_in_force,
    read_payload,
)
from governance.rules import OpeningRules, explain_rules, opening_rules, outcome_reason
from governance.selectors import proposals_for_members, report_queue
from governance.tally.methods import (
    BINARY_METHODS,
    MAX_OPTIONS,
    MIN_OPTIONS,
    DecisionMethod,
    fixed_options,
    option_labels,
)
from governance.tally.outcome import Outcome, ThresholdBasis
from governance.views.bylaws_values import shown_setting_value
from members.eligibility import eligible_voter_ids, is_eligible_voter
from members.models import MembershipStatus, User
from members.selectors import bylaws_in_force, membership_status


def _user(request: HttpRequest) -> User:
    """Return the signed-in user of a view behind login_required."""
    return cast(User, request.user)


# The format of an HTML datetime-local input.
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class ProposalForm(forms.Form):
    """A new proposal's question, closing time and ballot; what it changes is in its kind's payload form."""

    kind = forms.ChoiceField(choices=ProposalKind.choices, widget=forms.HiddenInput)
    method = forms.ChoiceField(choices=DecisionMethod.choices, widget=forms.HiddenInput)
    count = forms.IntegerField(min_value=MIN_OPTIONS, max_value=MAX_OPTIONS, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Proposal"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    options = forms.CharField(label=_("Options, one a line"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    threshold_basis = forms.ChoiceField(
        label=_("The pass threshold is a share of"),
        choices=ThresholdBasis.choices,
        initial=ThresholdBasis.VOTES_CAST,
        required=False,
        help_text=_("The whole electorate is stricter: members who do not vote count as not agreeing."),
    )
    secret = forms.BooleanField(label=_("Secret ballot"), required=False)
    hide_results = forms.BooleanField(label=_("Hide results until close"), required=False)

    def __init__(self, *args: Any, opening: OpeningRules, carries_options: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        method = self["method"].value()
        now = timezone.now()
        earliest = now + timedelta(days=opening.min_open_days)
        latest = now + timedelta(days=MAX_OPEN_DAYS)
        closes_at = self.fields["closes_at"]
        # The typed time is read in the member's time zone, which the middleware activated.
        closes_at.label = _("Closes at (%(zone)s)") % {"zone": timezone.get_current_timezone_name()}
        closes_at.widget.attrs.update({"min": f"{earliest:{DATETIME_LOCAL}}", "max": f"{latest:{DATETIME_LOCAL}}"})
        # The dates end the sentences in brackets: a format such as "2:35 a.m." ends with its own full stop.
        closes_at.help_text = _(
            "Leave empty for the earliest. The bylaws keep this proposal open at least %(days)s days "
            "(no earlier than %(earliest)s) and at most %(max)s days (no later than %(latest)s)."
        ) % {
            "days": opening.min_open_days,
            "earliest": date_format(timezone.localtime(earliest), "SHORT_DATETIME_FORMAT"),
            "max": MAX_OPEN_DAYS,
            "latest": date_format(timezone.localtime(latest), "SHORT_DATETIME_FORMAT"),
        }
        if method not in BINARY_METHODS:
            # The threshold applies to agreement; a method that picks among options needs a winner instead.
            del self.fields["threshold_basis"]
        if fixed_options(str(method)) is not None or carries_options:
            del self.fields["options"]


class OptionForm(forms.Form):
    """The name of an option whose payload says what it changes."""

    label = forms.CharField(label=_("Name of this option (on the ballot)"), max_length=200)


def _choice_in(value: str | None, choices: list[str], default: str) -> str:
    return value if value in choices else default


def _prefixed(values: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {key.removeprefix(f"{prefix}-"): value for key, value in values.items() if key.startswith(f"{prefix}-")}


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    """List open and closed proposals to members; tell anyone else why they may not, and where decisions are public."""
    user = _user(request)
    if not (is_eligible_voter(user.pk, timezone.now()) or is_moderator(user)):
        context = {"applicant": membership_status(user) == MembershipStatus.APPLICANT}
        return render(request, "governance/proposals_members_only.html", context, status=403)
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
def new_proposal(request: HttpRequest) -> HttpResponse:
    """Write a proposal in its kind's form (`?kind=`, fields prefilled from the query), preview it, then open it.

    A method that picks among options gives each option its own payload
    form, prefixed `option<n>-`; the winning option's payload is enacted.
    Posting with `confirm=switch` (the "Show the form" button, or htmx when
    the kind or method changes) shows the chosen kind's form again with
    everything already typed in it, unchecked.
    """
    user = _user(request)
    source = request.POST if request.method == "POST" else request.GET
    switching = request.method == "POST" and request.POST.get("confirm") == "switch"
    kind = _choice_in(source.get("kind"), [k for k in ProposalKind.values if k in PAYLOAD_FORMS], ProposalKind.TEXT)
    method = _choice_in(source.get("method"), DecisionMethod.values, DecisionMethod.CONSENT)
    count_text = source.get("count", "")
    count = min(max(int(count_text), MIN_OPTIONS), MAX_OPTIONS) if count_text.isdigit() else MIN_OPTIONS
    carries_options = kind != ProposalKind.TEXT and method not in BINARY_METHODS
    bound = request.POST if request.method == "POST" and not switching else None
    files = request.FILES if bound is not None else None
    prefill = {**source.dict(), "kind": kind, "method": method, "count": count}
    opening = opening_rules(kind, bylaws_in_force())
    form = ProposalForm(bound, initial=prefill, opening=opening, carries_options=carries_options)
    payload_class = PAYLOAD_FORMS[kind]
    if carries_options:
        option_forms = [
            (
                OptionForm(bound, prefix=f"option{number}", initial=_prefixed(prefill, f"option{number}")),
                payload_class(bound, files, prefix=f"option{number}", initial=_prefixed(prefill, f"option{number}")),
            )
            for number in range(1, count + 1)
        ]
        payload_forms = []
    else:
        option_forms = []
        payload_forms = [payload_class(bound, files, initial=prefill)]
    preview: list[dict[str, Any]] | None = None
    previewed = ""
    every_form = [form, *payload_forms, *(f for pair in option_forms for f in pair)]
    # Every form is validated, so that each shows its errors at once.
    valid = [f.is_valid() for f in every_form]
    if request.method == "POST" and all(valid):
        data = form.cleaned_data
        text_options = [line.strip() for line in data.get("options", "").splitlines() if line.strip()]
        with refusal_on_form(form):
            draft = check_create_proposal(
                user,
                kind=kind,
                title=data["title"],
                body=data["body"],
                payload=payload_forms[0].payload() if payload_forms else None,
                method=method,
                options=[label.cleaned_data["label"] for label, _ in option_forms] or text_options or None,
                option_payloads=[payload.payload() for _, payload in option_forms] or None,
                secret=data["secret"],
                hide_results=data["hide_results"],
                closes_at=data["closes_at"],
                threshold_basis=data.get("threshold_basis") or ThresholdBasis.VOTES_CAST,
            )
            previewed = _draft_digest(draft)
            # Open only what the member saw previewed; a change since shows the new preview first.
            if request.POST.get("confirm") == "open" and request.POST.get("previewed") == previewed:
                proposal = do_open_proposal(user, draft)
                return redirect("governance:proposal", proposal_id=proposal.pk)
            preview = _draft_preview(draft)
    context = {
        "form": form,
        "kind": kind,
        "method": method,
        "count": count,
        "kinds": [(value, label) for value, label in ProposalKind.choices if value in PAYLOAD_FORMS],
        "methods": DecisionMethod.choices,
        "carries_options": carries_options,
        "payload_forms": payload_forms,
        "option_forms": option_forms,
        "preview": preview,
        "previewed": previewed if preview is not None else "",
        "rules": explain_rules(
            method=method,
            quorum=opening.quorum,
            pass_threshold=opening.pass_threshold,
            block_override=opening.block_override,
            threshold_basis=str(form["threshold_basis"].value()) if "threshold_basis" in form.fields else "",
            electorate=len(eligible_voter_ids(timezone.now())),
        ),
    }
    return render(request, "governance/proposal_new.html", context, status=400 if bound and preview is None else 200)


def _draft_digest(draft: ProposalDraft) -> str:
    """Return a digest of what the draft would change and how it is put, to tell a previewed draft from another."""
    shown = [
        draft.kind,
        draft.method,
        draft.options,
        draft.payload.to_json(),
        [option.to_json() for option in draft.option_payloads],
        draft.threshold_basis,
        draft.closes_at.isoformat() if draft.closes_at else "",
    ]
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


def _draft_preview(draft: ProposalDraft) -> list[dict[str, Any]]:
    """Return what the proposal would change: one entry, or one per option, each with its lines and diff."""
    if draft.option_payloads:
        return [
            {"label": label, "lines": payload.preview(), "diff": _diff_shown(payload)}
            for label, payload in zip(draft.options, draft.option_payloads, strict=True)
        ]
    return [{"label": "", "lines": draft.payload.preview(), "diff": _diff_shown(draft.payload)}]


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
    try:
        proposal = access_proposal_by_id(user, proposal_id)
    except ProposalNotFound:
        return _proposal_for_members_only(request, user, proposal_id)
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
    labels = option_labels(proposal.method, proposal.options)
    context = {
        "proposal": proposal,
        "entity": entity,
        "banner": _outcome_banner(proposal),
        "winner_note": _winner_note(proposal),
        "quorum": quorum_progress(proposal, int(tally.get("ballots") or 0)) if tally else None,
        "published": _published_ballots(user, proposal, entity, labels),
        "changes": _changes(proposal, entity, labels),
        "diff": _diff_shown(read_payload(proposal.kind, proposal.payload)) if entity["diff"] else [],
        "rules": explain_rules(
            method=proposal.method,
            quorum=proposal.quorum,
            pass_threshold=proposal.pass_threshold,
            block_override=proposal.block_override,
            threshold_basis=proposal.threshold_basis,
            electorate=proposal.electorate_size,
            tally=tally or None,
            closed=proposal.state == Proposal.State.CLOSED,
        ),
        "tally_bars": tally_bars(labels, tally) if tally else [],
        "runoff": runoff_rows(labels, tally) if tally else [],
        "participation": participation_by_day(proposal),
        "comments": proposal.comments.select_related("author"),
        "options": list(enumerate(labels)),
        "ballot": _ballot_fields(labels, (entity.get("own_ballot") or {}).get("choice")),
    }
    return render(request, "governance/proposal.html", context)


def _proposal_for_members_only(request: HttpRequest, user: User, proposal_id: int) -> HttpResponse:
    """Answer 403 with what the public log shows of the proposal and why the rest is for members; 404 if none.

    A ballot post links every reader here, applicants included: the
    proposal's title and outcome are public anyway, so saying it exists
    reveals nothing, while a bare 404 reads as a broken link.
    """
    proposal = access_proposal_summary_by_id(proposal_id)
    context = {"proposal": proposal, "applicant": membership_status(user) == MembershipStatus.APPLICANT}
    return render(request, "governance/proposal_members_only.html", context, status=403)


def _ballot_fields(options: list[str], choice: Any) -> list[dict[str, Any]]:
    """Return each option with the member's own recorded choice in it, so the ballot shows what was cast.

    `choice` is as the ballot stores it: an option index (single choice),
    a list of indexes (approval), indexes in order of preference (ranked) or
    a score per option.
    """
    fields = []
    for index, label in enumerate(options):
        field: dict[str, Any] = {"index": index, "label": label, "checked": False, "rank": "", "score": 0}
        if isinstance(choice, int) and not isinstance(choice, bool):
            field["checked"] = choice == index
        elif isinstance(choice, list):
            field["checked"] = index in choice
            field["rank"] = choice.index(index) + 1 if index in choice else ""
            field["score"] = choice[index] if index < len(choice) and isinstance(choice[index], int) else 0
        fields.append(field)
    return fields


def _outcome_banner(proposal: Proposal) -> dict[str, str] | None:
    """Return how a closed proposal ended, in a word and the reason, for the banner atop its page (None if open)."""
    if proposal.state == Proposal.State.OPEN:
        return None
    if proposal.outcome == Outcome.PASSED:
        word = _("Passed")
    elif proposal.outcome == Outcome.NO_QUORUM:
        word = _("Failed quorum")
    else:
        word = _("Rejected")
    return {
        "outcome": proposal.outcome,
        "word": str(word),
        "reason": outcome_reason(proposal),
    }


def _winner_note(proposal: Proposal) -> str:
    """Return what the highlighted bar says: leading while open, won if the proposal passed, else most votes.

    A consent proposal's most-voted option can be "agree" while a block or
    the threshold rejects it; "won" would then contradict the outcome.
    """
    if proposal.state == Proposal.State.OPEN:
        return str(_("leading"))
    if proposal.outcome == Outcome.PASSED:
        return str(_("won"))
    return str(_("most votes"))


def _choice_text(method: str, options: list[str], choice: Any) -> str:
    """Return a published choice in words: an option, the approved options, a ranking or a score per option.

    `options` are the options' names as the reader sees them (`option_labels`).
    """

    def label(index: Any) -> str:
        return options[index] if isinstance(index, int) and 0 <= index < len(options) else str(index)

    if not isinstance(choice, list):
        return label(choice)
    if method == DecisionMethod.RANKED_CHOICE:
        return ", ".join(f"{rank}. {label(index)}" for rank, index in enumerate(choice, start=1))
    if method == DecisionMethod.SCORE:
        return ", ".join(f"{label(index)}: {score}" for index, score in enumerate(choice))
    return ", ".join(label(index) for index in choice)


def _published_ballots(
    user: User, proposal: Proposal, entity: dict[str, Any], labels: list[str]
) -> dict[str, Any] | None:
    """Return a closed proposal's published ballots as rows, and a recount of exactly those rows.

    Shown to whoever may read the ballots through the co-op API (the same
    access rule), never to a reader of the page who may not. Options are
    named by `labels`, in the reader's language as the result bars name
    them; the downloadable ballots keep them as stored.
    """
    if proposal.state != Proposal.State.CLOSED or not can_view_proposal(user, proposal):
        return None
    ballots = published_ballots(proposal)
    own = (entity.get("own_ballot") or {}).get("tracker")
    recount = recount_proposal(proposal, rows=[(ballot.tracker, ballot.choice) for ballot in ballots])
    counts = recount.tally.get("counts") or []
    return {
        "rows": [
            {
                "tracker": ballot.tracker,
                "voter": ballot.voter,
                "choice": _choice_text(proposal.method, labels, ballot.choice),
                "own": ballot.tracker == own,
            }
            for ballot in ballots
        ],
        "named": not proposal.secret,
        "recount": [{"label": label, "count": count} for label, count in zip(labels, counts, strict=False)],
        "winner": _choice_text(proposal.method, labels, recount.tally.get("winner"))
        if recount.tally.get("winner") is not None
        else "",
        "matches": not recount.problems,
        "problems": recount.problems,
    }


@login_required
@require_GET
def proposal_ballots_json(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """Return a closed proposal's published ballots as JSON, as the co-op API does, to a signed-in member."""
    proposal = access_proposal_by_id(_user(request), proposal_id)
    if proposal.state != Proposal.State.CLOSED:
        return JsonResponse({"error": "Ballots are published when the proposal closes"}, status=422)
    response = JsonResponse(published_ballots_document(proposal), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="proposal-{proposal.pk}-ballots.json"'
    return response


def _diff_shown(payload: ProposalPayload | None) -> list[dict[str, str]]:
    """Return a payload's changes against what is in force, a bylaws amendment's values written for the reader."""
    return diff_against_in_force(payload, value_shown=shown_setting_value)


def _changes(proposal: Proposal, entity: dict[str, Any], labels: list[str]) -> dict[str, Any]:
    """Return what the proposal changes, changed or would have changed, headed to match its state.

    Each option that carries a change is named by `labels`, as the ballot and the results name it.
    """
    enactment = proposal.enactment or {}
    if proposal.state == Proposal.State.OPEN:
        heading = _("If it passes")
    elif proposal.outcome == Outcome.PASSED and "error" not in enactment:
        heading = _("What it changed")
    elif proposal.outcome == Outcome.PASSED:
        heading = _("What it was to change (not applied: %s)") % enactment["error"]
    else:
        heading = _("What it proposed (nothing was changed)")
    winner = enactment.get("option")
    options = [
        {"label": label, "lines": lines, "enacted": index == winner and proposal.outcome == Outcome.PASSED}
        for index, (label, lines) in enumerate(zip(labels, entity["option_previews"], strict=False))
    ]
    return {
        "heading": heading,
        "lines": entity["preview"],
        "options": options,
        "log_entry": enactment.get("log_entry"),
        "result_entry": enactment.get("result_entry"),
    }


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
