"""The store's async face: store work runs in the store's own worker threads, never on the event loop.

In the manner of datasette's `execute_fn`: a coroutine hands a synchronous function (a `Store` method,
or a function of the `*_db` modules taking the store) to `await store.run(fn, *args)`, and awaits its
result. The threads are the store's own, so a slow extraction or page read in the default executor
never queues a store call behind it, and a long `search` in one room does not delay `help` in another.

`NEWSBOT_LOOP_GUARD=1` (set by the test suite, inherited by the processes it starts) makes any SQL
statement issued from the thread running an event loop raise `BlockingStoreCall`: the promise "no
store call blocks the loop" is checked by every test that runs service code, not by reading it. Only
calls made by bot code count: a test reading the store directly to assert on it is not the bot blocking.
A broad `except` in the bot could swallow the exception, so each refusal is also written down, when
`NEWSBOT_LOOP_GUARD_REPORT` names a file, to that file (one line each, from this process or from a
`python -m bot run` it started); the test suite fails the test that caused it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Engine, event

LOOP_GUARD_ENV = "NEWSBOT_LOOP_GUARD"
LOOP_GUARD_REPORT_ENV = "NEWSBOT_LOOP_GUARD_REPORT"
# Enough for the adapters, the scheduler's jobs and the handlers at once; SQLite serialises writes
# anyway (busy_timeout), PostgreSQL's pool holds 5 + 10 overflow connections.
WORKERS = 8

P = ParamSpec("P")
T = TypeVar("T")


class BlockingStoreCall(RuntimeError):
    """A store statement ran on the event loop's thread (only raised under NEWSBOT_LOOP_GUARD=1)."""


def loop_guarded() -> bool:
    return os.environ.get(LOOP_GUARD_ENV) in ("1", "record")


def guard_engine(engine: Engine) -> None:
    """Under NEWSBOT_LOOP_GUARD=1, refuse statements issued from a thread that runs an event loop.
    `NEWSBOT_LOOP_GUARD=record` writes them down without refusing them: a survey of every such call
    in one run, where refusing stops each test at its first."""
    if not loop_guarded():
        return
    refuse = os.environ.get(LOOP_GUARD_ENV) == "1"

    @event.listens_for(engine, "before_cursor_execute")
    def _off_loop(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread, or synchronous code with no loop: fine
        if not _from_bot_code():
            return  # a test reading the store to assert on it: not the bot blocking its own loop
        error = BlockingStoreCall(f"store call on the event loop (use `await store.run(...)`): {statement[:80]!r}")
        _record(error)
        if refuse:
            raise error


_BOT = Path(__file__).resolve().parent.parent
_STORE = _BOT / "store"


_ASYNC = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | inspect.CO_ITERABLE_COROUTINE


def _from_bot_code() -> bool:
    """True when a coroutine of the bot (outside the store) is on the stack: the bot itself, running on
    the loop, made the blocking call. A test calling a synchronous bot function (say `pipeline.process`)
    from its own coroutine blocks its own loop, not the bot's."""
    frame = sys._getframe(2)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if frame.f_code.co_flags & _ASYNC and path.is_relative_to(_BOT) and not path.is_relative_to(_STORE):
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def _record(error: BlockingStoreCall) -> None:
    line = f"{error} at {_bot_caller()}"
    report = os.environ.get(LOOP_GUARD_REPORT_ENV)
    if report:
        with open(report, "a", encoding="utf-8") as out:  # one short append: the process is failing anyway
            out.write(f"pid {os.getpid()}: {line}\n")


def _bot_caller() -> str:
    """The innermost bot frame outside the store (the code that should have used `store.run`), and the
    outermost frame of the bot code that led there (its entry: a coroutine, or the test that called it)."""
    frame = sys._getframe(1)
    where: list[str] = []
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.is_relative_to(_BOT) and not path.is_relative_to(_STORE):
            where.append(f"{path.relative_to(_BOT.parent)}:{frame.f_lineno} in {frame.f_code.co_name}")
        elif where:
            where.append(f"called from {path.name}:{frame.f_lineno} in {frame.f_code.co_name}")
            break
        frame = frame.f_back  # type: ignore[assignment]
    if len(where) > 3:  # the innermost, the entry into bot code, and who called it
        where[1:-2] = ["..."]
    return " <- ".join(where) or "?"


class StoreRunner:
    """The store's worker threads, started on first use and stopped with the store."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._guard = threading.Lock()

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        with self._guard:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="store")
            pool = self._pool
        # Like asyncio.to_thread: the caller's context variables (log context) go with the call.
        call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(pool, call)

    def close(self) -> None:
        with self._guard:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
