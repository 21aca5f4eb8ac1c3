"""The poll that lets members vote on a proposal from any Mastodon app."""

from __future__ import annotations

from django.db import models


class ProposalPoll(models.Model):
    """Link between a proposal and the poll of the local-only status that puts it to the members.

    Votes in the poll are ballots on the proposal: the poll itself never
    stores a vote, so secret ballots and hidden results stay as the proposal
    requires.
    """

    proposal = models.OneToOneField("governance.Proposal", on_delete=models.CASCADE, related_name="poll_link")
    poll = models.OneToOneField("timeline.Poll", on_delete=models.CASCADE, related_name="proposal_link")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"poll {self.poll_id} of proposal {self.proposal_id}"
