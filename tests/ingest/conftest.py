"""Fixtures for the ingestion tests: a real HTTP server on 127.0.0.1 (aiohttp.web, random port),
a controllable clock and a pipeline built from them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.ingest.ingest_helpers import SEED, Clock, Harness, LocalServer


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    state = LocalServer()

    async def dispatch(request: web.Request) -> web.StreamResponse:
        path = request.path
        state.hits[path] += 1
        state.requests.append((path, dict(request.headers)))
        handler = state.routes.get(path)
        if handler is None:
            return web.Response(status=404, text="not found")
        return await handler(request)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", dispatch)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state.base = f"http://127.0.0.1:{port}"
    try:
        yield state
    finally:
        await runner.cleanup()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
async def harness(sqlite_url: str, clock: Clock) -> AsyncIterator[Harness]:
    h = Harness(sqlite_url, clock)
    yield h
    for p in h.pipelines:
        await p.fetcher.aclose()
    for s in h.stores:
        s.close()
