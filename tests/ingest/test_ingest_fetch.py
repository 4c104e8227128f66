"""The fetcher against a real local HTTP server: caps on size, time, redirects and concurrency."""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
import zlib
from typing import Any

import pytest
from aiohttp import web

from bot.config import FetchConfig
from bot.ingest import guard
from bot.ingest.fetch import Fetcher, FetchError
from tests.ingest.ingest_helpers import LocalServer


def fetcher(**kw: Any) -> Fetcher:
    kw.setdefault("allow_private", True)
    kw.setdefault("timeout_s", 5.0)
    return Fetcher(FetchConfig(**kw))


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """200 MB of zeros, gzip-compressed to about 200 KB."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [comp.compress(block) for _ in range(200)]
    parts.append(comp.flush())
    return b"".join(parts)


async def test_get_sends_user_agent_and_returns_body(server: LocalServer) -> None:
    url = server.static("/hello", "<p>bonjour</p>")
    f = fetcher(user_agent="newsalert-test/1.0 (+tests)")
    try:
        result = await f.get(url)
    finally:
        await f.aclose()
    assert result.status == 200 and result.content == b"<p>bonjour</p>" and not result.truncated
    assert server.headers_of("/hello")[0]["User-Agent"] == "newsalert-test/1.0 (+tests)"


async def test_conditional_get_returns_304(server: LocalServer) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        return web.Response(text="feed", headers={"ETag": '"v1"', "Last-Modified": "Wed, 25 Nov 2026 10:00:00 GMT"})

    url = server.route("/cond", handler)
    f = fetcher()
    try:
        first = await f.get(url)
        second = await f.get(url, etag=first.etag, last_modified=first.last_modified)
    finally:
        await f.aclose()
    assert first.etag == '"v1"' and not first.not_modified
    assert second.not_modified and second.content == b""
    sent = server.headers_of("/cond")[1]
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"].startswith("Wed, 25 Nov 2026")


async def test_endless_body_is_cut_at_max_bytes_without_loading_it(server: LocalServer) -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        chunk = b"<item>" + b"x" * 65536
        try:
            for _ in range(100_000):  # ~6.5 GB if nobody stops reading
                await response.write(chunk)
        except (ConnectionError, RuntimeError):
            pass
        return response

    url = server.route("/endless", endless)
    f = fetcher(max_bytes=1_000_000)
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = await f.get(url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await f.aclose()
    assert result.truncated and len(result.content) == 1_000_000
    assert peak < 16_000_000, peak
    assert time.monotonic() - started < 5


async def test_gzip_bomb_is_cut_after_decompression(server: LocalServer, gzip_bomb: bytes) -> None:
    url = server.static("/bomb", gzip_bomb, content_type="text/html", headers={"Content-Encoding": "gzip"})
    f = fetcher(max_bytes=1_000_000)
    tracemalloc.start()
    try:
        result = await f.get(url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await f.aclose()
    assert result.truncated and len(result.content) == 1_000_000 and set(result.content) == {0}
    assert peak < 16_000_000, peak


async def test_small_gzip_body_is_decoded(server: LocalServer) -> None:
    url = server.static("/gz", gzip.compress(b"hello " * 100), content_type="text/plain",
                        headers={"Content-Encoding": "gzip"})
    f = fetcher()
    try:
        result = await f.get(url)
    finally:
        await f.aclose()
    assert result.content == b"hello " * 100 and not result.truncated


async def test_redirect_loop_ends_with_a_clear_error(server: LocalServer) -> None:
    server.static("/loop/a", "", status=302, headers={"Location": "/loop/b"})
    url = server.static("/loop/b", "", status=302, headers={"Location": "/loop/a"})
    f = fetcher()
    try:
        with pytest.raises(FetchError, match="redirect loop"):
            await f.get(url)
    finally:
        await f.aclose()
    assert server.hits["/loop/a"] == 1 and server.hits["/loop/b"] == 1


async def test_too_many_redirects(server: LocalServer) -> None:
    for i in range(10):
        server.static(f"/hop/{i}", "", status=301, headers={"Location": f"/hop/{i + 1}"})
    server.static("/hop/10", "done")
    f = fetcher(max_redirects=3)
    try:
        with pytest.raises(FetchError, match="too many redirects"):
            await f.get(server.url("/hop/0"))
        g = fetcher(max_redirects=10)
        ok = await g.get(server.url("/hop/0"))
        await g.aclose()
    finally:
        await f.aclose()
    assert ok.content == b"done" and ok.url.endswith("/hop/10")


async def test_slow_server_times_out(server: LocalServer) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(5)
        return web.Response(text="late")

    url = server.route("/slow", slow)
    f = fetcher(timeout_s=0.3)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match="timed out"):
            await f.get(url)
    finally:
        await f.aclose()
    assert time.monotonic() - started < 2


async def test_trickling_server_hits_the_total_deadline(server: LocalServer) -> None:
    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        try:
            for _ in range(100):
                await response.write(b"x")
                await asyncio.sleep(0.1)
        except (ConnectionError, RuntimeError):
            pass
        return response

    url = server.route("/trickle", trickle)
    f = fetcher(timeout_s=0.5)
    try:
        with pytest.raises(FetchError, match="timed out"):
            await f.get(url)
    finally:
        await f.aclose()


async def test_http_error_status_is_an_error(server: LocalServer) -> None:
    url = server.static("/boom", "oops", status=500)
    f = fetcher()
    try:
        with pytest.raises(FetchError, match="HTTP 500"):
            await f.get(url)
    finally:
        await f.aclose()


class Busy:
    """A handler that answers after 50 ms, counting the requests in flight at once (`most`) and the
    client port of each request (`peers`: one port, one connection)."""

    def __init__(self) -> None:
        self.active = 0
        self.most = 0
        self.peers: list[int] = []

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        self.peers.append(request.transport.get_extra_info("peername")[1] if request.transport else 0)
        self.active += 1
        self.most = max(self.most, self.active)
        await asyncio.sleep(0.05)
        self.active -= 1
        return web.Response(text="ok")


async def test_per_host_and_overall_caps(server: LocalServer) -> None:
    busy = Busy()
    url = server.route("/busy", busy)
    f = fetcher(per_host=2, concurrency=8)
    try:
        await asyncio.gather(*(f.get(url) for _ in range(8)))
        assert busy.most == 2
        busy.most = 0
        g = fetcher(per_host=8, concurrency=3)
        await asyncio.gather(*(g.get(url) for _ in range(9)))
        await g.aclose()
        assert busy.most == 3
    finally:
        await f.aclose()


async def test_requests_at_once_beyond_one_clients_connections(server: LocalServer) -> None:
    """Requests are spread over several small clients (their pools slow down with many connections):
    twelve at once are still twelve at once, and requests made one after the other keep using one
    kept-alive connection."""
    busy = Busy()
    url = server.route("/lanes", busy)
    f = fetcher(per_host=12, concurrency=12)
    try:
        assert [r.content for r in await asyncio.gather(*(f.get(url) for _ in range(12)))] == [b"ok"] * 12
        assert busy.most == 12
        busy.peers.clear()
        for _ in range(5):
            assert (await f.get(url)).content == b"ok"
        assert len(busy.peers) == 5 and len(set(busy.peers)) == 1
    finally:
        await f.aclose()


async def test_every_redirect_hop_is_guarded(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    real = guard.forbidden_reason
    # Let the test server's 127.0.0.1 through, keep every other rule.
    monkeypatch.setattr(guard, "forbidden_reason", lambda a: None if str(a) == "127.0.0.1" else real(a))
    url = server.static("/to-metadata", "", status=302,
                        headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    f = fetcher(allow_private=False)
    try:
        with pytest.raises(FetchError, match=r"169\.254\.169\.254.*metadata"):
            await f.get(url, guard=True)
    finally:
        await f.aclose()
    assert server.hits["/to-metadata"] == 1


async def test_fetcher_survives_a_new_event_loop(server: LocalServer) -> None:
    url = server.static("/x", "x")
    f = fetcher()
    assert (await f.get(url)).content == b"x"
    state = f._state
    assert state is not None
    other = asyncio.new_event_loop()
    state.loop = other  # as if the client had been made under another `asyncio.run`
    assert (await f.get(url)).content == b"x"
    assert f._state is not state and f._state is not None and f._state.lanes[0].client is not state.lanes[0].client
    await state.lanes[0].client.aclose()
    other.close()
    await f.aclose()
