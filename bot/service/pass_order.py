"""The order of one pass over every source (`Pipeline.ingest_all`): asking comes before reading.

Asking a source is a request and a wait; reading its answer is CPU (parsing, extraction, filing).
When answers are read as they come, that CPU slows the asking of the sources still waiting for a
slot: a slow feed far down the list is asked only once most of the work before it is done, and its
wait then adds to that work (500 feeds of which 50 answer in 5 s: the last slow one was asked after
1.4 s, the pass took 6.8 s). Here answers wait unread while sources wait for a slot and slots keep
freeing up; once every source has had one, or once they stop freeing up (slow sources hold them),
answers are read while the slow ones wait (the last slow one asked after 0.4 s, the pass 5.5 s).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.ingest.sources import Answer

# Answers waiting unread hold their bodies in memory: past this many bytes, the pass stops asking and
# reads (500 feeds of 100 KB fit).
HOLD_BYTES = 64 * 1024 * 1024
# No slot freed for this long while sources wait for one: the slots are held by slow sources, and the
# answers already in are read meanwhile.
STALL_S = 0.2


def answer_size(answer: Answer) -> int:
    """The bytes an unread answer holds: a fetched body, or a local source's texts."""
    if answer.result is not None:
        return len(answer.result.content)
    if answer.listing is not None:
        return sum(len(entry.article.text) for entry in answer.listing.entries)
    return 0


class PassOrder:
    """`at_once` sources are asked at a time (`slot`). An answer is read (`turn`) once every source
    of the pass has had a slot (or was not due), when no slot has been freed for `stall_s` (slow
    sources hold them all), or when the answers waiting hold `hold_bytes` (asking then pauses until
    they fit again); `taking` answers are read at a time (their articles in memory until filed)."""

    def __init__(self, sources: int, *, at_once: int, taking: int, hold_bytes: int = HOLD_BYTES,
                 stall_s: float = STALL_S) -> None:
        self._slots = asyncio.Semaphore(max(1, at_once))
        self._taking = asyncio.Semaphore(max(1, taking))
        self._unasked = sources  # sources of the pass that have not had a slot (nor been let off)
        self._slotted: set[asyncio.Task[object] | None] = set()
        self._held = 0  # bytes of the answers in and not read yet
        self._flushes = 0  # times they reached `hold_bytes`
        self._hold = hold_bytes
        self._stall_s = stall_s
        self._stalled = False
        self._timer: asyncio.TimerHandle | None = None
        # Woken only when what they wait for may have come: answers may be read, asking may go on.
        self._readable = _Signal()
        self._room = _Signal()

    @asynccontextmanager
    async def asking(self) -> AsyncIterator[None]:
        """Around everything a source's poll does before its answer is in (its state read, whether it
        is due, `slot`): however it ends, the source no longer holds the others' answers back."""
        try:
            yield
        finally:
            task = asyncio.current_task()
            if task in self._slotted:
                self._slotted.discard(task)
            else:
                self._asked()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Held while a source is asked (inside `asking`)."""
        await self._slots.acquire()
        try:
            while self._held >= self._hold:  # checked with the slot in hand: asks queued before count too
                await self._room.wait()
        except BaseException:
            self._slots.release()
            raise
        self._slotted.add(asyncio.current_task())
        self._asked()
        try:
            yield
        finally:
            self._slots.release()
            self._freed()

    @asynccontextmanager
    async def turn(self, size: int) -> AsyncIterator[None]:
        """Around the reading of an answer of `size` bytes (`answer_size`): entered once it may be read."""
        flushes = self._flushes
        self._held += size
        if self._held >= self._hold:  # every answer waiting now is read, this one included
            self._flushes += 1
            self._readable.set()
        try:
            while not (self._unasked <= 0 or self._stalled or self._flushes != flushes):
                await self._readable.wait()
            await self._taking.acquire()
        finally:
            self._held -= size
            if self._held < self._hold:
                self._room.set()
        try:
            yield
        finally:
            self._taking.release()

    def close(self) -> None:
        """The pass is over: no stall to watch for."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _asked(self) -> None:
        self._unasked -= 1
        if self._unasked <= 0:
            self._readable.set()

    def _freed(self) -> None:
        self._stalled = False
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self._stall_s, self._stall)

    def _stall(self) -> None:
        self._timer = None
        self._stalled = True
        self._readable.set()


class _Signal:
    """Wakes every task waiting at the moment it is set; later waiters wait for the next time."""

    def __init__(self) -> None:
        self._future: asyncio.Future[None] | None = None

    async def wait(self) -> None:
        if self._future is None:
            self._future = asyncio.get_running_loop().create_future()
        await asyncio.wait({self._future})  # not `await`: a cancelled waiter must not cancel the others'

    def set(self) -> None:
        future, self._future = self._future, None
        if future is not None and not future.done():
            future.set_result(None)
