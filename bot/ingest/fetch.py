"""The one HTTP client: conditional GET, caps on time, size, redirects and concurrency.

Every page and feed goes through `Fetcher.get`, which wraps one shared `httpx.AsyncClient` (its
transport can be injected: the seam tests and alternative transports use). What it guarantees:

- bodies are streamed and cut at `max_bytes`, counted *after* decompression: an endless body or a
  gzip bomb costs at most `max_bytes` of memory (gzip/deflate are inflated here, bounded per step);
- redirects are followed by hand, at most `max_redirects`, a loop ends with a clear error, and with
  `guard=True` every hop is checked by the URL guard;
- each hop has a total deadline of `timeout_s` (a server trickling bytes cannot hold a poll);
- requests at once are capped overall (`concurrency`) and per host (`per_host`);
- a clear User-Agent; ETag / Last-Modified sent back as If-None-Match / If-Modified-Since.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx

from bot.config import FetchConfig
from bot.ingest.guard import BlockedURL, guard_url
from bot.ingest.urls import host_of

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A fetch that failed; the message names the URL and what went wrong."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # after redirects
    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)
    truncated: bool = False

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class _Inflater:
    """gzip/deflate decoding that never produces more than asked for in one step."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(wbits)
        self._raw_deflate_tried = encoding not in ("deflate",)

    def feed(self, data: bytes, limit: int) -> tuple[bytes, bytes]:
        """Decompress at most `limit` bytes of `data`: (output, input still to feed)."""
        try:
            out = self._obj.decompress(data, limit)
        except zlib.error:
            if self._raw_deflate_tried:
                raise
            # Some servers send raw deflate without the zlib header.
            self._raw_deflate_tried = True
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._obj.decompress(data, limit)
        return out, self._obj.unconsumed_tail


@dataclass
class _LoopState:
    loop: asyncio.AbstractEventLoop
    client: httpx.AsyncClient
    overall: asyncio.Semaphore
    hosts: dict[str, asyncio.Semaphore]


class Fetcher:
    """Shared client with the fetch policy of `FetchConfig`. `transport` is the httpx seam."""

    def __init__(
        self, config: FetchConfig, *, transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.transport = transport
        self._state: _LoopState | None = None

    def _make_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self.transport,
            timeout=httpx.Timeout(self.config.timeout_s),
            follow_redirects=False,
            headers={"User-Agent": self.config.user_agent, "Accept-Encoding": "gzip, deflate",
                     "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                               "text/html;q=0.9, text/xml;q=0.8, */*;q=0.5"},
        )

    def _current(self) -> _LoopState:
        # A client and semaphores belong to one event loop; `asyncio.run` twice means two loops.
        loop = asyncio.get_running_loop()
        if self._state is None or self._state.loop is not loop:
            self._state = _LoopState(loop, self._make_client(),
                                     asyncio.Semaphore(max(1, self.config.concurrency)), {})
        return self._state

    @property
    def client(self) -> httpx.AsyncClient:
        """The shared client of the running event loop."""
        return self._current().client

    async def aclose(self) -> None:
        if self._state is not None:
            state, self._state = self._state, None
            await state.client.aclose()

    def _host_lock(self, state: _LoopState, host: str) -> asyncio.Semaphore:
        lock = state.hosts.get(host)
        if lock is None:
            lock = state.hosts[host] = asyncio.Semaphore(max(1, self.config.per_host))
        return lock

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None, guard: bool = False,
        allow_private: bool | None = None, max_bytes: int | None = None,
    ) -> FetchResult:
        """GET `url` under the fetch policy. Raises FetchError (BlockedURL's message when refused).

        With `guard`, the URL guard checks every hop; `allow_private` defaults to the config's."""
        private = self.config.allow_private if allow_private is None else allow_private
        state = self._current()
        limit = self.config.max_bytes if max_bytes is None else max_bytes
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        visited: list[str] = []
        current = url
        async with state.overall:
            while True:
                if current in visited:
                    chain = " -> ".join([*visited[visited.index(current):], current])
                    raise FetchError(f"{url}: redirect loop ({chain})")
                if len(visited) > self.config.max_redirects:
                    raise FetchError(f"{url}: too many redirects (more than {self.config.max_redirects})")
                visited.append(current)
                if guard:
                    try:
                        await guard_url(current, private)
                    except BlockedURL as exc:
                        raise FetchError(str(exc)) from None
                async with self._host_lock(state, host_of(current)):
                    result, location = await self._hop(state.client, current, headers, limit)
                if location is None:
                    return result
                current = location

    async def _hop(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str], limit: int,
    ) -> tuple[FetchResult, str | None]:
        timeout = self.config.timeout_s
        try:
            async with asyncio.timeout(timeout), client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                kept = {k.lower(): v for k, v in response.headers.items()}
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(f"{url}: HTTP {status} redirect without a Location")
                    target = response.url.join(location)
                    if target.scheme not in ("http", "https"):
                        raise FetchError(f"{url}: redirect to a non-http URL {str(target)!r}")
                    return FetchResult(str(response.url), status, b"", kept), str(target)
                if status == 304:
                    return FetchResult(str(response.url), status, b"", kept), None
                if status >= 400:
                    raise FetchError(f"{url}: HTTP {status} {response.reason_phrase}".rstrip())
                body, truncated = await _read_capped(response, limit)
                return FetchResult(str(response.url), status, body, kept, truncated), None
        except TimeoutError:
            raise FetchError(f"{url}: timed out after {timeout:g}s") from None
        except httpx.TimeoutException:
            raise FetchError(f"{url}: timed out after {timeout:g}s") from None
        except httpx.InvalidURL as exc:
            raise FetchError(f"{url}: invalid URL ({exc})") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: {exc.__class__.__name__} ({exc})") from None
        except zlib.error as exc:
            raise FetchError(f"{url}: broken compressed body ({exc})") from None


async def _read_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """The body, decoded, cut at `limit` bytes: (bytes, True when cut). Never holds more than that."""
    try:
        # Transports may hand back a response already read (httpx.MockTransport does): cap it as is.
        content = response.content
    except httpx.ResponseNotRead:
        pass
    else:
        return (content[:limit], True) if len(content) > limit else (content, False)
    encoding = response.headers.get("content-encoding", "").strip().lower()
    parts: list[bytes] = []
    size = 0
    truncated = False
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflater = _Inflater(encoding)
        raw: AsyncIterator[bytes] = response.aiter_raw()
        async for chunk in raw:
            pending = chunk
            while pending:
                out, pending = inflater.feed(pending, limit - size + 1)
                parts.append(out)
                size += len(out)
                if size > limit:
                    truncated = True
                    break
            if truncated:
                break
    else:
        # identity: the raw bytes are the body; br, zstd…: httpx decodes, and what comes out is counted.
        chunks = response.aiter_raw() if encoding in ("", "identity") else response.aiter_bytes()
        async for chunk in chunks:
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                truncated = True
                break
    body = b"".join(parts)
    return (body[:limit], True) if truncated else (body, False)
