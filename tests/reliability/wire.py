"""Wire stories copied by many outlets, served as RSS feeds from a local aiohttp server.

Shared by the service-mode tests and the benches (bench/bench_service.py): each event is one
dispatch; every outlet carrying it runs a light rewrite (its own closing line), which groups it with
the other copies (near-duplicates, not equal text) and gives the same facts to the extractor.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from aiohttp import web

from tests.conftest import free_port

TOWNS = ("Misrata", "Benghazi", "Sirte", "Derna", "Sabha", "Zawiya", "Tobruk", "Gharyan", "Ajdabiya", "Brega",
         "Zliten", "Khoms", "Murzuq", "Ghat", "Jufra", "Kufra", "Hun", "Nalut", "Yefren", "Zintan")
NAMES = ("Khalid Mansour", "Omar Saleh", "Youssef Amari", "Salem Bashir", "Adel Fathi", "Nabil Haddad")
OUTRO = ("", " More details to follow.", " This story is developing.", " Updated throughout the day.",
         " First published this morning.", " Corrections appended below.")

DISPATCH = (
    "At least {killed} people were killed and {wounded} wounded in {town} on Monday when shells hit a crowded "
    "market, the health ministry said. Fighting resumed in the southern districts of {town} after a night of "
    "heavy bombardment, the local council said by telephone. \"We will not surrender {town},\" said General "
    "{name}, the commander of the local forces, in a televised address. Aid agencies warned that hospitals in "
    "the area were running out of medicine and fuel as the clashes spread to the villages around {town}.{outro}")
LOCAL = (
    "The municipal council of {town} met on {day} to discuss the budget for the new school year, the "
    "repair of {n} roads and a plan for the covered market. Members agreed to publish the figures online "
    "before the end of the month and to hold a public meeting in the library of {town} next week.")


@dataclass(frozen=True, slots=True)
class Event:
    """One wire story: its town names it, its figures make its casualty alert."""

    n: int

    @property
    def town(self) -> str:
        return TOWNS[self.n % len(TOWNS)] + ("" if self.n < len(TOWNS) else f"-{self.n // len(TOWNS)}")

    @property
    def killed(self) -> int:
        return 20 + 3 * self.n

    def text(self, outlet: int) -> str:
        outro = " " + background(self.n) + OUTRO[outlet % len(OUTRO)]
        return DISPATCH.format(killed=self.killed, wounded=2 * self.killed + 7, town=self.town,
                               name=NAMES[self.n % len(NAMES)], outro=outro)

    @property
    def headline(self) -> str:
        return f"At least {self.killed} killed"


_SYLLABLES = ("ka", "lo", "mi", "ru", "te", "va", "no", "si", "pe", "du", "ra", "zo", "fi", "gu", "be", "ha")


def background(seed: int, words: int = 120) -> str:
    """Words of no language, the same for one seed: they tell stories apart (5-word shingles shared by
    two templates would otherwise make unrelated stories near-duplicates) and carry no fact."""
    rng = random.Random(seed)
    out = ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(words)]
    return " ".join(out).capitalize() + "."


def local_text(feed: int, item: int) -> str:
    return (LOCAL.format(town=f"Town{feed}x{item}", day=("Monday", "Tuesday", "Friday")[item % 3], n=feed + item)
            + " " + background(1_000_000 + 1000 * feed + item))


def rss(base: str, feed: int, items: Sequence[tuple[str, str, str]]) -> str:
    """An RSS document; items are (guid, title, text)."""
    body = "".join(
        f"<item><guid>{base}/{feed}/{escape(guid)}</guid><link>{base}/{feed}/{escape(guid)}</link>"
        f"<title>{escape(title)}</title><pubDate>Mon, 08 Apr 2019 {i % 24:02d}:00:00 GMT</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for i, (guid, title, text) in enumerate(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet {feed}</title>'
            f"<link>{base}/{feed}</link><description>outlet {feed}</description>{body}</channel></rss>")


@dataclass
class Wire:
    """`feeds` outlets; the first `sharing` carry a copy of each of `events`, every outlet has `local`
    stories of its own."""

    feeds: int
    sharing: int
    events: int
    local: int = 1

    def items(self, feed: int) -> list[tuple[str, str, str]]:
        out = [(f"local-{i}", f"Council of Town{feed}x{i}", local_text(feed, i)) for i in range(self.local)]
        if feed < self.sharing:
            out += [(f"event-{e}", f"Shelling in {Event(e).town}", Event(e).text(feed)) for e in range(self.events)]
        return out

    def expected_stories(self) -> int:
        return self.events + self.feeds * self.local


@dataclass
class FeedServer:
    """Serves `wire` at /feed/<n>.xml; records every request (path, monotonic time). A path in `hold`
    gets no answer until the event is set (a poll in flight, for crash tests)."""

    wire: Wire
    hits: list[tuple[str, float]] = field(default_factory=list)
    hold: dict[str, asyncio.Event] = field(default_factory=dict)
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, feed: int) -> str:
        return f"{self.base}/feed/{feed}.xml"

    def hits_of(self, feed: int) -> list[float]:
        return [t for p, t in self.hits if p == f"/feed/{feed}.xml"]

    async def _feed(self, request: web.Request) -> web.Response:
        self.hits.append((request.path, time.monotonic()))
        gate = self.hold.get(request.path)
        if gate is not None:
            await gate.wait()
        feed = int(request.match_info["n"])
        return web.Response(text=rss(self.base, feed, self.wire.items(feed)), content_type="application/rss+xml")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", self._feed)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        self.port = self.port or free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        for gate in self.hold.values():
            gate.set()
        if self._runner is not None:
            await self._runner.cleanup()


def config_data(database: str, server: FeedServer, *, interval: str = "1h", **extra: object) -> dict[str, object]:
    """A bot configuration reading every feed of `server`, alerts to the console."""
    return {
        "database": database, "language": "en",
        "sources": [{"name": f"outlet{n}", "type": "feed", "url": server.url(n), "lang": "en", "interval": interval,
                     "backfill": 100} for n in range(server.wire.feeds)],
        "fetch": {"allow_private": True, "concurrency": 32, "per_host": 32, "timeout": "20s"},
        "outputs": {"console": {"enabled": True, "color": "never"}},
        "channels": [{"output": "console", "id": "console", "language": "en", "alerts": True}],
        **extra,
    }
