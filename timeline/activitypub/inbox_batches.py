"""What the timeline does around each batch of inbox items: fan out its statuses, stream them together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from timeline.actions.fan_out import do_fan_out_statuses, fan_outs_collected

# Statuses stored by a batch are fanned out in its transaction up to this
# many home-timeline entries in all; bigger audiences go to the fan-out task.
INLINE_FAN_OUT_ENTRIES = 5000


@contextmanager
def statuses_fanned_out_together() -> Iterator[None]:
    """Collect the statuses the batch's handlers store and fan them out together, before the batch commits.

    When their audiences are small this happens in the batch's
    transaction, so they reach home timelines with the commit that records
    them. Should the batch fail, nothing is fanned out: recovery finds the
    statuses that were stored.
    """
    with fan_outs_collected() as statuses:
        yield
    do_fan_out_statuses(statuses, max_entries=INLINE_FAN_OUT_ENTRIES)
