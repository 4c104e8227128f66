"""The Matrix sync batches being answered, and which sync token may be saved.

The adapter syncs again as soon as a batch is handed out, so that a long command (a search over the whole
store) in one room never delays another room's `help`. Batches are then answered out of order, but the token
saved (`next_batch`, where a restarted bot resumes) only moves past a batch once it and every batch before
it were fully answered: after a restart, nothing unanswered is skipped; what was answered is recognised by
the handled-event log and not answered twice.

A batch with an answer that could not be sent for now (rate limit, 5xx) is synced again from where it
started; the batches after it are superseded (synced again too, their answered events skipped). A batch cut
short by a stop saves nothing either: the next start syncs it again.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(eq=False)
class Batch:
    since: str  # where its sync started: synced again from here when it is not fully answered
    token: str  # its `next_batch`: saved once it, and every batch before it, was fully answered
    done: bool = False
    cut: bool = False  # a stop ended it before all its events were handled
    unanswered: bool = False  # an answer failed for now: sync again from `since`
    superseded: bool = False  # an earlier batch is synced again, and this one with it


@dataclass(frozen=True, slots=True)
class Settled:
    save: str | None = None  # the token to save now
    rewind: str | None = None  # sync again from here


class Batches:
    """The open batches, oldest first."""

    def __init__(self) -> None:
        self._open: list[Batch] = []

    def __len__(self) -> int:
        return len(self._open)

    def open(self, since: str, token: str) -> Batch:
        batch = Batch(since, token)
        self._open.append(batch)
        return batch

    def close(self, batch: Batch) -> Settled:
        """`batch` was handled (fully, or not: see its flags): what to save, and where to sync from again."""
        batch.done = True
        save: str | None = None
        rewind: str | None = None
        while self._open and self._open[0].done:
            first = self._open.pop(0)
            if first.superseded:
                continue
            if first.cut or first.unanswered:
                for later in self._open:
                    later.superseded = True
                if first.unanswered and not first.cut:
                    rewind = first.since
                continue
            save = first.token
        return Settled(save, rewind)
