"""Per-channel send queue: about one message per second per channel, in order, nothing dropped.

Slack allows roughly one chat.postMessage per second per channel (short bursts are tolerated,
sustained ones get HTTP 429). The Web API client already retries 429s after `Retry-After`; this
queue keeps us from provoking them in the first place when a digest and several alerts go to one
channel at once. Each channel has its own FIFO and worker, so a busy channel never delays another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[Any]]


@dataclass
class _Lane:
    queue: asyncio.Queue[tuple[Job, asyncio.Future[Any]]] = field(default_factory=asyncio.Queue)
    worker: asyncio.Task[None] | None = None
    next_at: float = 0.0


class ChannelSendQueue:
    """Run send jobs one at a time per channel, each starting at least `interval` seconds after the
    previous one ended.

    `await queue.submit(channel, job)` returns the job's result (or raises its exception) once it
    has run; callers that stop waiting do not cancel the send.
    """

    def __init__(self, interval: float = 1.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        if interval < 0:
            raise ValueError("interval must be >= 0")
        self.interval = interval
        self._clock = clock
        self._lanes: dict[str, _Lane] = {}
        self._closed = False

    def pending(self, channel: str | None = None) -> int:
        """Jobs waiting (not counting one being sent), for one channel or all."""
        if channel is None:
            return sum(lane.queue.qsize() for lane in self._lanes.values())
        lane = self._lanes.get(channel)
        return lane.queue.qsize() if lane else 0

    async def submit(self, channel: str, job: Callable[[], Awaitable[T]]) -> T:
        if self._closed:
            raise RuntimeError("send queue is closed")
        lane = self._lanes.get(channel)
        if lane is None:
            lane = self._lanes[channel] = _Lane()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        lane.queue.put_nowait((job, future))
        if lane.worker is None or lane.worker.done():
            lane.worker = asyncio.create_task(self._work(channel, lane), name=f"slack-send-{channel}")
        # shield: a caller giving up must not cancel a send that others are queued behind
        result: T = await asyncio.shield(future)
        return result

    async def _work(self, channel: str, lane: _Lane) -> None:
        while True:
            job, future = await lane.queue.get()
            try:
                delay = lane.next_at - self._clock()
                if delay > 0:
                    await asyncio.sleep(delay)
                try:
                    result = await job()
                except Exception as exc:  # delivered to the caller, the lane goes on
                    if not future.done():
                        future.set_exception(exc)
                    else:
                        log.warning("send to %s failed after its caller left: %r", channel, exc)
                else:
                    if not future.done():
                        future.set_result(result)
            except asyncio.CancelledError:
                if not future.done():
                    future.set_exception(RuntimeError("send queue closed before this message was sent"))
                raise
            finally:
                # Counted from the end of the send (a 429's Retry-After was waited out inside the job),
                # so a slow or rate-limited send never lets the next one go out right behind it.
                lane.next_at = self._clock() + self.interval
                lane.queue.task_done()

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every queued job has run; False if `timeout` ran out first."""
        waits = [lane.queue.join() for lane in self._lanes.values()]
        if not waits:
            return True
        try:
            await asyncio.wait_for(asyncio.gather(*waits), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self, timeout: float | None = 10.0) -> None:
        """Refuse new jobs, send what is queued (up to `timeout`), then stop the workers."""
        self._closed = True
        if not await self.drain(timeout):
            log.warning("slack send queue closed with %d message(s) unsent", self.pending())
        for lane in self._lanes.values():
            if lane.worker is not None:
                lane.worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await lane.worker
        for lane in self._lanes.values():
            while not lane.queue.empty():
                _, future = lane.queue.get_nowait()
                if not future.done():
                    future.set_exception(RuntimeError("send queue closed before this message was sent"))
        self._lanes.clear()
