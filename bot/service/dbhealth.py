"""Whether the database answers: while it does not, jobs pause and one probe runs per backoff step.

An outage (server stopped, file unwritable, disk full: see `bot.store.db.is_outage`) is logged once
when it starts and once when it ends, never per attempt: a bot whose database is down for an hour
would otherwise fill its log with the same traceback. Work skipped meanwhile is redone on recovery
(entries were not marked seen, so nothing is lost).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

FIRST_DELAY_S = 1.0
MAX_DELAY_S = 60.0


class DatabaseHealth:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic, first_delay: float = FIRST_DELAY_S,
                 max_delay: float = MAX_DELAY_S) -> None:
        self.clock = clock
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.down_since: float | None = None
        self.failures = 0
        self._delay = first_delay
        self._next_try = 0.0
        self._recovered_at: float | None = None  # when the last outage ended

    @property
    def up(self) -> bool:
        return self.down_since is None

    def ready(self) -> bool:
        """True when work may touch the database: it is up, or the next probe is due."""
        return self.down_since is None or self.clock() >= self._next_try

    def next_try_in(self) -> float:
        return 0.0 if self.down_since is None else max(0.0, self._next_try - self.clock())

    def failed(self, exc: BaseException, started: float | None = None) -> None:
        """Record a failure of work `started` at this clock's time. Work begun before the last outage
        ended (its session cut by it, its answer read after the recovery) does not start another one."""
        now = self.clock()
        if (self.down_since is None and started is not None and self._recovered_at is not None
                and started < self._recovered_at):
            log.debug("a failure of work begun before the database came back: %s", _reason(exc))
            return
        self.failures += 1
        if self.down_since is None:
            self.down_since, self._delay = now, self.first_delay
            log.error("database unavailable (%s); work paused, retrying with backoff", _reason(exc))
        else:
            self._delay = min(self._delay * 2, self.max_delay)
            log.debug("database still unavailable (%s); next try in %.0f s", _reason(exc), self._delay)
        self._next_try = now + self._delay

    def succeeded(self, started: float | None = None) -> bool:
        """Record a success; True when it ends an outage (the caller resumes what was skipped). A success
        of work `started` (this clock's time) before the outage was seen says nothing of the database
        now: a write done just before a failure, its answer read just after, is no recovery."""
        if self.down_since is None:
            return False
        if started is not None and started < self.down_since:
            return False
        now = self.clock()
        log.warning("database available again after %.0f s (%d failed attempt(s)); work resumes",
                    now - self.down_since, self.failures)
        self.down_since, self.failures, self._delay, self._recovered_at = None, 0, self.first_delay, now
        return True


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]
