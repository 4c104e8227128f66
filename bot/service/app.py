"""Wiring: configuration in, store opened, adapters built, pipeline ready."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TextIO

from bot.chat.base import ChatAdapter
from bot.chat.console import ConsoleAdapter
from bot.config import Config
from bot.service.pipeline import Pipeline, RunReport
from bot.store import Store

log = logging.getLogger(__name__)


@dataclass
class App:
    config: Config
    store: Store
    adapters: dict[str, ChatAdapter]
    pipeline: Pipeline


def build_adapters(config: Config, out: TextIO | None = None) -> dict[str, ChatAdapter]:
    adapters: dict[str, ChatAdapter] = {}
    if config.console.enabled:
        adapters["console"] = ConsoleAdapter(out, color=config.console.color)
    return adapters


@contextlib.asynccontextmanager
async def open_app(config: Config, *, out: TextIO | None = None) -> AsyncIterator[App]:
    store = Store.open(config.database)
    try:
        adapters = build_adapters(config, out)
        yield App(config, store, adapters, Pipeline(config, store, adapters))
    finally:
        store.close()


async def run_once(config: Config, *, out: TextIO | None = None) -> RunReport:
    from bot.service.scheduler import BotScheduler

    async with open_app(config, out=out) as app:
        # The scheduler's delivery, not started as a service: same filters, quiet hours and topics.
        scheduler = BotScheduler(config, app.store, app.adapters, app.pipeline)
        scheduler.refresh_plans()
        report = await app.pipeline.ingest_all()
        report.delivered = (await scheduler.deliver()).sent
        for channel in config.channels:
            if channel.output == "console":
                await app.pipeline.send_digest(channel)
        return report


async def run_forever(
    config: Config, *, out: TextIO | None = None, stop: asyncio.Event | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> None:
    """Run the scheduler until `stop` is set, SIGTERM arrives or the task is cancelled (Ctrl-C)."""
    from bot.service.scheduler import BotScheduler

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows, nor off the main thread
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with open_app(config, out=out) as app:
        if clock is not None:
            app.pipeline.clock = clock
        scheduler = BotScheduler(config, app.store, app.adapters, app.pipeline)
        try:
            await scheduler.start()
            log.info("running: %s", ", ".join(scheduler.job_ids()))
            await stop.wait()
        finally:
            await scheduler.stop()
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGTERM)
