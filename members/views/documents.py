"""Printable documents: a holder's share certificate and their statement as of a date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from members.exports import certificate_for, holder_entries
from members.models import DuesPayment, PatronageStatement, User
from members.selectors import payment_instructions
from members.standing import standing_at


def _viewer(request: HttpRequest) -> User:
    viewer = request.user
    assert isinstance(viewer, User)  # noqa: S101 (login_required lets only users through)
    return viewer


def _as_of(request: HttpRequest) -> date | None:
    text = request.GET.get("as_of", "").strip()
    if not text:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@login_required
def certificate(request: HttpRequest) -> HttpResponse:
    """Show the signed-in holder's share certificate, ready to print."""
    as_of = _as_of(request)
    if as_of is None:
        return HttpResponseBadRequest("as_of must be a date such as 2026-01-31")
    return render(request, "members/certificate.html", {"certificate": certificate_for(_viewer(request), as_of)})


@login_required
def statement(request: HttpRequest) -> HttpResponse:
    """Show the signed-in member's statement as of a date: holdings, operations, dues and patronage."""
    as_of = _as_of(request)
    if as_of is None:
        return HttpResponseBadRequest("as_of must be a date such as 2026-01-31")
    viewer = _viewer(request)
    context = {
        "certificate": certificate_for(viewer, as_of),
        "entries": holder_entries(viewer, as_of),
        "payments": DuesPayment.objects.filter(user=viewer, paid_on__lte=as_of).order_by("period"),
        "statements": PatronageStatement.objects.filter(user=viewer, allocation__period_end__lte=as_of)
        .select_related("allocation")
        .order_by("allocation__period_end", "pool"),
        "standing": standing_at(viewer.pk, min(timezone.now(), datetime.combine(as_of, time.max, tzinfo=UTC))),
        "payment_instructions": payment_instructions(),
    }
    return render(request, "members/statement.html", context)
