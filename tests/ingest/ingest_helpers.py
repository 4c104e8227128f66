"""Feed builders and rewrites of the seed article for the ingestion tests."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

from bot.config import Config, FetchConfig, SourceConfig
from bot.core.models import Alert, Article, Casualty, Fighting
from bot.service.pipeline import Pipeline
from bot.store import Store
from tests.conftest import SEEDS

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SEED = SEEDS / "000_eb2ed1d0cd4a9010.txt"


@dataclass
class LocalServer:
    base: str = ""
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def static(self, path: str, body: bytes | str, *, content_type: str = "text/html; charset=utf-8",
               status: int = 200, headers: dict[str, str] | None = None) -> str:
        data = body.encode() if isinstance(body, str) else body

        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(body=data, status=status, headers={"Content-Type": content_type, **(headers or {})})

        return self.route(path, handler)

    def headers_of(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]


class Clock:
    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> dt.datetime:
        self.now += dt.timedelta(seconds=seconds)
        return self.now


def casualty_extractor(article: Article) -> list[Alert]:
    """A stand-in for the real extractor: the seed's '35 killed' figure and its fighting near Tripoli."""
    out: list[Alert] = []
    if "35 personnes" in article.text:
        out.append(Casualty(article_id=article.id, killed=35, qualifier="at_least", evidence="Au moins 35 personnes"))
    if "Tripoli" in article.text:
        out.append(Fighting(article_id=article.id, location="Tripoli", action="clashes", evidence="combats"))
    return out


def pipeline_config(db_url: str, sources: list[SourceConfig] | tuple[SourceConfig, ...] = (), **fetch: Any) -> Config:
    """The config a pipeline under test polls with: private addresses allowed (the local server is one), a 5 s
    timeout, no channels. (Tests that want a config in their own folder use the shared `make_config`.)"""
    fetch.setdefault("allow_private", True)
    fetch.setdefault("timeout_s", 5.0)
    return Config(path="test.yaml", database=db_url, sources=tuple(sources), fetch=FetchConfig(**fetch), channels=())


@dataclass
class Harness:
    db_url: str
    clock: Clock
    stores: list[Store] = field(default_factory=list)
    pipelines: list[Pipeline] = field(default_factory=list)

    def pipeline(self, sources: list[SourceConfig], *, extractor: Callable[[Article], list[Alert]] = casualty_extractor,
                 **fetch: Any) -> Pipeline:
        """A new Store on the same SQLite file and a new Pipeline: what a restart gives."""
        store = Store.open(self.db_url)
        pipeline = Pipeline(pipeline_config(self.db_url, sources, **fetch), store, {}, extractor=extractor,
                            clock=self.clock)
        self.stores.append(store)
        self.pipelines.append(pipeline)
        return pipeline

    @property
    def store(self) -> Store:
        return self.stores[-1]




def rss(items: list[dict[str, str]], *, title: str = "Test feed", encoding: str = "utf-8",
        lang: str | None = "fr") -> str:
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>',
             '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
             f"<title>{escape(title)}</title><link>http://example.org/</link><description>d</description>"]
    if lang:
        parts.append(f"<language>{lang}</language>")
    for it in items:
        parts.append("<item>")
        for tag in ("title", "link", "guid", "pubDate", "description"):
            if tag in it:
                parts.append(f"<{tag}>{escape(it[tag])}</{tag}>")
        if "content" in it:
            parts.append(f"<content:encoded><![CDATA[{it['content']}]]></content:encoded>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts)


def atom(entries: list[dict[str, str]], *, title: str = "Atom feed") -> str:
    parts = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
             f"<title>{escape(title)}</title><id>urn:feed</id><updated>2026-11-26T10:00:00Z</updated>"]
    for e in entries:
        parts.append("<entry>")
        parts.append(f"<title>{escape(e['title'])}</title>")
        if "id" in e:
            parts.append(f"<id>{escape(e['id'])}</id>")
        if "link" in e:
            parts.append(f'<link rel="alternate" href="{escape(e["link"])}"/>')
        if "updated" in e:
            parts.append(f"<updated>{e['updated']}</updated>")
        if "content" in e:
            parts.append(f'<content type="html">{escape(e["content"])}</content>')
        if "summary" in e:
            parts.append(f"<summary>{escape(e['summary'])}</summary>")
        parts.append("</entry>")
    parts.append("</feed>")
    return "\n".join(parts)


def article_page(title: str, text: str, *, lang: str = "fr", date: str = "2019-04-08") -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta property="article:published_time" content="{date}T08:00:00Z"></head><body>'
            f'<nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav>'
            f"<article><h1>{escape(title)}</h1>{paragraphs}</article>"
            f"<footer>Tous droits réservés</footer></body></html>")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?»])\s+(?=[A-ZÀ-Ý«\"])", text) if s.strip()]


def rewrites(seed: str) -> list[str]:
    """Five outlets' versions of one dispatch: as is, reordered, a new intro and a cut ending, a new
    intro with sentences moved, and a version with words swapped for synonyms."""
    s = sentences(seed)
    n = len(s)
    v1 = seed
    v2 = " ".join(s[n // 2:] + s[: n // 2])  # second half first
    v3 = ("TRIPOLI (Correspondance) - La pression internationale s'accentue sur le camp du maréchal Haftar. "
          + " ".join(s[:-1]))
    v4 = ("Washington hausse le ton. Dans un communiqué publié tard dimanche, la diplomatie américaine a réagi "
          "à l'escalade militaire en Libye. " + " ".join(s[1:3] + s[0:1] + s[3:]))
    swaps = {"a déclaré": "a affirmé", "combats": "affrontements", "capitale libyenne": "ville de Tripoli",
             "Dimanche,": "Ce dimanche,", "insisté": "souligné", "négociations": "discussions",
             "Vendredi,": "Le vendredi précédent,", "secrétaire d'Etat": "chef de la diplomatie"}
    v5 = " ".join(s[2:] + s[:2]) + " Plus d'informations à suivre dans nos prochaines éditions."
    for old, new in swaps.items():
        v5 = v5.replace(old, new)
    v5 = v5.replace("affrontements depuis jeudi", "combats depuis jeudi")  # the casualty sentence survives
    return [v1, v2, v3, v4, v5]


_VOCAB = ("le la les un une des combats forces gouvernement capitale ville armée civils ministère santé "
    "porte-parole offensive négociations conseil sécurité nations unies région frontière village "
    "route aéroport hôpital blessés soldats accord trêve réunion président ministre sud nord est ouest "
    "matin soir semaine mois bilan rapport témoins habitants réfugiés aide convoi port pétrole")


def filler(seed: int, words: int = 120) -> str:
    """A distinct, article-length French-looking text per seed (no two share many 5-word shingles)."""
    import random

    vocab = _VOCAB.split()
    rng = random.Random(seed)
    out = []
    for i in range(words):
        out.append(rng.choice(vocab))
        if i % 15 == 14:
            out[-1] += "."
    return " ".join(out).capitalize()


def item(n: int, *, day: int = 1, **extra: str) -> dict[str, str]:
    """An RSS item with its own full text (longer than FULL_TEXT_BELOW: no page fetch)."""
    data = {"title": f"Dépêche {n}", "link": f"https://news.example.org/{n}?utm_source=rss", "guid": f"urn:item:{n}",
            "pubDate": f"{['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][day % 7]}, {day:02d} Apr 2019 10:00:00 GMT",
            "content": filler(n)}
    data.update(extra)
    return data


INTERVAL = 600


def feed_source(url: str, *, name: str = "wire", backfill: int = 0, **kw: Any) -> SourceConfig:
    return SourceConfig(name=name, type="feed", url=url, lang="fr", tags=("libya",), interval_s=INTERVAL,
                        backfill=backfill, **kw)
