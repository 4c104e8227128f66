"""Wiring: configuration in, store opened, adapters built, pipeline ready."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TextIO

from bot.chat.base import ChatAdapter, Conversation
from bot.chat.console import ConsoleAdapter
from bot.config import Config, ConfigError, require_secret
from bot.service.pipeline import Pipeline, RunReport
from bot.store import Store

log = logging.getLogger(__name__)


class StartupError(Exception):
    """A chat adapter could not start (rejected token, unreachable server): one line for the operator."""


@dataclass
class App:
    config: Config
    store: Store
    adapters: dict[str, ChatAdapter]
    pipeline: Pipeline


def build_adapters(
    config: Config, store: Store, conversation: Conversation, out: TextIO | None = None,
) -> dict[str, ChatAdapter]:
    """One adapter per enabled output. Secrets are read here, from the variables the config names."""
    adapters: dict[str, ChatAdapter] = {}
    if config.console.enabled:
        adapters["console"] = ConsoleAdapter(out, color=config.console.color, charts=config.console.charts)
    if config.slack.enabled:
        from bot.chat.slack import SlackAdapter

        sk = config.slack
        adapters["slack"] = SlackAdapter(
            bot_token=require_secret(config, "outputs.slack.bot_token_env", sk.bot_token_env),
            signing_secret=(require_secret(config, "outputs.slack.signing_secret_env", sk.signing_secret_env)
                            if sk.mode == "http" else config.secret(sk.signing_secret_env)),
            app_token=(require_secret(config, "outputs.slack.app_token_env", sk.app_token_env)
                       if sk.mode == "socket" else None),
            mode="socket" if sk.mode == "socket" else "http", host=sk.host, port=sk.port,
            base_url=sk.api_url, admin_user_ids=sk.admins, conversation=conversation,
            state=store,  # commands and events answered: remembered across restarts
            languages={ch.id: ch.language for ch in config.channels if ch.output == "slack"}, lang=config.language,
        )
    if config.matrix.enabled:
        from bot.chat.matrix import MatrixAdapter
        from bot.chat.matrix_crypto import crypto_settings  # [e2e]

        mx = config.matrix
        token, password = config.secret(mx.access_token_env), config.secret(mx.password_env)
        if not token and not password:
            raise ConfigError(f"{config.path}: outputs.matrix.access_token_env: neither {mx.access_token_env} "
                              f"nor {mx.password_env} is set in the environment")
        room_langs = {c.language for c in config.channels if c.output == "matrix"}
        adapters["matrix"] = MatrixAdapter(
            homeserver=mx.homeserver, user_id=mx.user_id, conversation=conversation, state=store,
            access_token=token, password=password, rooms=mx.rooms, command_prefix=mx.prefix,
            allowed_inviters=mx.admins, admin_user_ids=mx.admins, admin_power_level=mx.admin_power_level,
            # Rooms of mixed languages: the adapter leaves the default and the core reads each room's own.
            lang=room_langs.pop() if len(room_langs) == 1 else "en",
            # [e2e] keys beside the database; MATRIX_STORE_KEY (optional) encrypts the secrets in it
            crypto=crypto_settings(config.database, mx.trust, mx.trusted_devices, config.secret("MATRIX_STORE_KEY")),
        )
    return adapters


def settle_memory() -> None:
    """Once started, the lexicons, gazetteer and glossary (hundreds of thousands of objects) never change:
    frozen out of the collector, a full collection no longer walks them in the middle of a command
    (they made the slowest /news answers 100-250 ms slower)."""
    gc.collect()
    gc.freeze()


@contextlib.asynccontextmanager
async def open_app(config: Config, *, out: TextIO | None = None, serve: bool = False) -> AsyncIterator[App]:
    """The bot, assembled. With `serve`, chat adapters listen (commands, threads) and /healthz is up."""
    from bot.service.conversation import NewsConversation

    # Opening migrates the schema (and waits on a starting replica): not on the event loop.
    store = await asyncio.to_thread(Store.open, config.database)
    adapters: dict[str, ChatAdapter] = {}
    pipeline = Pipeline(config, store, adapters)
    health = None
    try:
        conversation = NewsConversation(store, config, process=pipeline.process)
        adapters.update(build_adapters(config, store, conversation, out))
        pipeline.adapters = dict(adapters)
        if serve:
            for adapter in adapters.values():
                start = getattr(adapter, "start", None)
                if start is not None:
                    try:
                        await start()
                    except Exception as exc:
                        raise StartupError(f"the {adapter.name} adapter: {exc}") from exc
            if config.health.enabled:
                from bot.service.health import start_health_server

                health = await start_health_server(store, config.health.host, config.health.port)
            settle_memory()
        yield App(config, store, adapters, pipeline)
    finally:
        # Every adapter is stopped, started or not: stopping flushes send queues and closes clients.
        for name, adapter in reversed(adapters.items()):
            stop = getattr(adapter, "stop", None)
            if stop is None:
                continue
            try:
                await stop()
            except Exception:
                log.exception("stopping the %s adapter failed", name)
        if health is not None:
            await health.cleanup()
        await pipeline.fetcher.aclose()
        await asyncio.to_thread(store.close)  # closes the pool's connections: network, on PostgreSQL


async def run_once(config: Config, *, out: TextIO | None = None) -> RunReport:
    from bot.service.scheduler import BotScheduler

    async with open_app(config, out=out) as app:
        # The scheduler's delivery, not started as a service: same filters, quiet hours and topics.
        scheduler = BotScheduler(config, app.store, app.adapters, app.pipeline)
        await scheduler.refresh_plans()
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
    async with open_app(config, out=out, serve=True) as app:
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
