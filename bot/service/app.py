"""Wiring: configuration in, store opened, adapters built, pipeline ready."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
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
    async with open_app(config, out=out) as app:
        report = await app.pipeline.run_once()
        for channel in config.channels:
            if channel.output == "console":
                await app.pipeline.send_digest(channel)
        return report


async def run_forever(config: Config, *, out: TextIO | None = None) -> None:
    async with open_app(config, out=out) as app:
        interval = min((s.interval_s for s in config.sources), default=900)
        while True:
            report = await app.pipeline.run_once()
            log.info("poll: %d new articles, %d new alerts, %d delivered",
                     report.articles_new, report.alerts_new, report.delivered)
            await asyncio.sleep(interval)
