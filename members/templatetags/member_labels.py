"""Filters that show membership codes by their names in the reader's language, never as raw codes."""

from __future__ import annotations

from django import template

from members.models import MembershipStatus

register = template.Library()


@register.filter
def status_label(status: str) -> str:
    """Return a membership status's name ("member" becomes "Member", translated); an unknown code as is."""
    return str(MembershipStatus(status).label) if status in MembershipStatus.values else status
