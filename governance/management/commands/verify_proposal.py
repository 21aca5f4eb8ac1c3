"""Recount a closed proposal from its published ballots."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.actions.closing import recount_proposal
from governance.models import Proposal


class Command(BaseCommand):
    help = "Recount a proposal from its published ballots and compare with the stored result and the log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("proposal_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        proposal = Proposal.objects.filter(pk=options["proposal_id"]).first()
        if proposal is None:
            raise CommandError(f"No proposal #{options['proposal_id']}.")
        recount = recount_proposal(proposal)
        self.stdout.write(json.dumps({"outcome": recount.outcome, "tally": recount.tally, "digest": recount.digest}))
        for problem in recount.problems:
            self.stderr.write(problem)
        if recount.problems:
            raise CommandError(f"Proposal #{proposal.pk} does not verify.")
        self.stdout.write(f"Proposal #{proposal.pk} verifies: {recount.outcome}.")
