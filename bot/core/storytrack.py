"""Event stories: which story an article is about, by what it names (pure: no store, no I/O).

Two levels are kept. An article *cluster* is copies and rewrites of one wire story (MinHash, see
`bot.ingest.neardup`). A *story* is one event followed over days, across outlets and languages:
the offensive on Tripoli. This module decides the second level, in the manner of EMM's story
tracking: an article and a story are compared by the entities they name, not by their words.

Entities (`entities_of`), language-neutral keys:
- places of the gazetteer (`bot.core.extract.gazetteer`: "Tripoli" resolved to Libya by the
  countries the article names, "Alep" = "Aleppo") and of `storydata/entities.yaml` (districts,
  airports: "Mitiga" = "aéroport de Mitiga"), each with coordinates;
- countries, named or by adjective ("libyenne");
- armed actors and people of `storydata/entities.yaml` ("ANL" = "LNA", "Haftar" = "Hafter").

Weights: a place 3, a person 2, an actor 1, a country 0.5; a name in the title counts twice.
A story's profile is the union of the entities of its recent articles (those within `WINDOW` of the
new one), so the story can drift as the event does.

Decision (`best_story`): the *coverage* of an article by a story is the share of the article's entity
weight that the story also names; two places match when they are the same or within `NEAR_KM`
(Ain Zara is Tripoli; Aleppo is not Deraa). An article joins the best-covered story when
- the coverage is at least `THRESHOLD`, and
- they share a place (a country alone never makes a story: two events in Syria on one day are two
  stories), or, for an article naming no place at all, a person.
Ties go to the story reported on most recently.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from bot.core.extract.gazetteer import Entry as GazetteerEntry
from bot.core.extract.gazetteer import load_gazetteer
from bot.core.extract.text import Token, fold_phrase, tokenize

Kind = Literal["place", "country", "actor", "person"]
WEIGHTS: Mapping[Kind, float] = {"place": 3.0, "person": 2.0, "actor": 1.0, "country": 0.5}
TITLE_BOOST = 2.0
MENTIONS = 1.0  # weight of further mentions: w * (1 + MENTIONS * ln(mentions))
NEAR_KM = 35.0  # places this close are one place for a story (a city and its districts, its airport)
NEAR_DEG = NEAR_KM / 111.0  # the same distance in degrees of latitude: a cheap test before the exact one
THRESHOLD = 0.4
ANCHOR = 0.3  # share of a story's articles that must name the shared place
WINDOW = dt.timedelta(days=7)  # a story stays open while it was reported within this many days
MAX_NAME = 6


@dataclass(frozen=True, slots=True)
class Entity:
    key: str  # "place:libya/tripoli", "country:libya", "actor:lna", "person:haftar"
    kind: Kind
    country: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class _Known:
    entity: Entity
    short: bool  # three letters or fewer: matched only when written in capitals


@lru_cache(maxsize=1)
def _names() -> dict[tuple[str, ...], _Known]:
    raw = (resources.files("bot.core.storydata") / "entities.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(raw)
    names: dict[tuple[str, ...], _Known] = {}
    for section, kind in (("places", "place"), ("actors", "actor"), ("people", "person")):
        for item in data.get(section) or ():
            country = item.get("country")
            key = f"{kind}:{item['key']}"
            entity = Entity(key, kind, country, item.get("lat"), item.get("lon"))  # type: ignore[arg-type]
            for name in item["names"]:
                folded = fold_phrase(str(name))
                if 0 < len(folded) <= MAX_NAME:
                    names[folded] = _Known(entity, len(str(name)) <= 3)
    return names


@cache
def _first_words() -> frozenset[str]:
    """The first folded word of every known name and gazetteer name: a token starting none is skipped
    at once (most tokens of an article name nothing)."""
    return frozenset(k[0] for k in (*_names(), *load_gazetteer().names))


@lru_cache(maxsize=4096)  # names of the gazetteer's countries: built once each
def _country(name: str) -> Entity:
    return Entity(f"country:{'-'.join(fold_phrase(name))}", "country", name)


@cache  # one per gazetteer entry
def _place(e: GazetteerEntry) -> Entity:
    return Entity(f"place:{country_key(e.country)}/{'-'.join(fold_phrase(e.name))}", "place", e.country, e.lat, e.lon)


@lru_cache(maxsize=4096)
def country_key(name: str) -> str:
    """The topic a country gives: "libya" for Libya (its English name, folded)."""
    return "-".join(fold_phrase(name))


def entities_of(title: str | None, text: str) -> dict[Entity, float]:
    """The entities an article names, each with its weight (title names count `TITLE_BOOST` times).

    A place of another country than the one the article mostly names (far fewer mentions) stands for
    its government ("Washington demands…", "Moscou dément…"): it counts as that country only."""
    parts = ((tokenize(title or ""), TITLE_BOOST), (tokenize(text), 1.0))  # each tokenized once
    countries = _countries_in(parts[0][0] + parts[1][0])  # the countries the whole article names
    mentions: list[tuple[Entity, float]] = []
    for tokens, boost in parts:
        mentions += [(e, boost) for e in _scan(tokens, countries=countries)]
    by_country = Counter(e.country for e, _ in mentions if e.kind == "place" and e.country)
    top = by_country.most_common(1)[0][1] if by_country else 0
    best: dict[Entity, float] = {}
    times: Counter[Entity] = Counter()
    for entity, boost in mentions:
        if entity.kind == "place" and entity.country and by_country[entity.country] * 3 <= top:
            entity = _country(entity.country)
        best[entity] = max(best.get(entity, 0.0), WEIGHTS[entity.kind] * boost)
        times[entity] += 1
    # What a long article keeps coming back to is what it is about: each further mention adds (log).
    return {e: w * (1.0 + MENTIONS * math.log(times[e])) for e, w in best.items()}


def _scan(tokens: list[Token], *, countries: Counter[str]) -> list[Entity]:
    gaz = load_gazetteer()
    known = _names()
    firsts = _first_words()
    lows = [t.low for t in tokens]
    whole = tuple(tokens)
    out: list[Entity] = []
    i = 0
    while i < len(tokens):
        low = lows[i]
        adjective = gaz.adjectives.get(low)
        if adjective:
            out.append(_country(adjective))
        if low not in firsts:
            i += 1
            continue
        hit = _known_at(known, tokens, i, lows)
        if hit is not None:
            n, entity = hit
            out.append(entity)
            if entity.country:
                out.append(_country(entity.country))
            i += n
            continue
        m = gaz.match(whole, i)
        if m is not None:
            n, entries = m
            e = gaz.choose(entries, countries)
            if e.kind == "country":
                out.append(_country(e.country))
            else:
                out.append(_place(e))
                out.append(_country(e.country))
            i += n
            continue
        i += 1
    return out


def _countries_in(tokens: list[Token]) -> Counter[str]:
    return load_gazetteer().countries_in(tokens)


def _known_at(known: dict[tuple[str, ...], _Known], tokens: list[Token], i: int,
              lows: list[str]) -> tuple[int, Entity] | None:
    """The known name starting at token `i` (`lows`: the tokens' lowered forms), with its length."""
    for n in range(min(MAX_NAME, len(tokens) - i), 0, -1):
        hit = known.get(tuple(lows[i : i + n]))
        if hit is None:
            continue
        if hit.short and not tokens[i].text.isupper():
            continue
        return n, hit.entity
    return None


def country_of(entities: Iterable[Entity]) -> str | None:
    """The country an article is mostly about: of its places first, else of anything it names."""
    places = Counter(e.country for e in entities if e.kind == "place" and e.country)
    if not places:
        places = Counter(e.country for e in entities if e.kind == "country" and e.country)
    if not places:
        return None
    return places.most_common(1)[0][0]


# --- stories --------------------------------------------------------------------------------------

@dataclass(slots=True)
class StoryProfile:
    """What a story names: for each entity, the share of its recent articles naming it (its centroid,
    so that a place one article named in passing does not become the story's)."""

    story_id: int
    last: dt.date
    articles: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    entities: dict[str, Entity] = field(default_factory=dict)
    # Articles naming a place or one within NEAR_KM, by place: each new article is scored against the
    # same open stories, naming the same few places, so the scan of the story's places is done once
    # per place until the story changes.
    _near: dict[Entity, int] = field(default_factory=dict, repr=False, compare=False)

    def add(self, entities: Iterable[Entity], day: dt.date) -> None:
        self.articles += 1
        for e in set(entities):
            self.entities.setdefault(e.key, e)
            self.counts[e.key] += 1
        self.last = max(self.last, day)
        self._near.clear()

    def share(self, entity: Entity) -> float:
        """How much the story is about this entity (0 to 1); a place counts what lies within NEAR_KM."""
        if not self.articles:
            return 0.0
        if entity.kind != "place" or entity.lat is None or entity.lon is None:
            return self.counts.get(entity.key, 0) / self.articles
        best = self._near.get(entity)
        if best is None:
            best = self.counts.get(entity.key, 0)
            for key, other in self.entities.items():
                if (other.kind == "place" and other.lat is not None and other.lon is not None
                        and abs(other.lat - entity.lat) <= NEAR_DEG and self.counts[key] > best
                        and km(entity.lat, entity.lon, other.lat, other.lon) <= NEAR_KM):
                    best = self.counts[key]
            self._near[entity] = best
        return best / self.articles

    def names(self, entity: Entity) -> bool:
        return self.share(entity) > 0


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True, slots=True)
class Match:
    story_id: int
    score: float


def best_story(article: Mapping[Entity, float], day: dt.date, stories: Sequence[StoryProfile], *,
               threshold: float = THRESHOLD, window: dt.timedelta = WINDOW) -> Match | None:
    """The story an article is about, or None when it opens a new one."""
    best: tuple[float, dt.date, int] | None = None
    total = sum(article.values())
    if total <= 0:
        return None
    # The score is how much of the article's entity weight the story is about (each entity counted by
    # the share of the story's articles naming it); a link must be anchored: a shared place that at
    # least `ANCHOR` of the story's articles name (or a person, for an article naming no place). The
    # anchor is tested first: most candidates share only a country or a passing place with the
    # article, and are dropped before the rest of its entities are weighed.
    places = [e for e in article if e.kind == "place"]
    anchors = places or [e for e in article if e.kind == "person"]
    # Each entity of the article once: its weight, its place among the anchors (their shares are
    # known by then), else whether its share is a plain count (`StoryProfile.share` without a place's
    # neighbours), taken inline: this loop runs for every open story near the article.
    at = {e: i for i, e in enumerate(anchors)}
    plan = [(w, at.get(e, -1), e.key, e.kind != "place" or e.lat is None or e.lon is None, e)
            for e, w in article.items()]
    oldest = day - window
    for story in stories:
        if story.last < oldest:
            continue
        n = story.articles
        if not n:  # every share is 0
            continue
        # `share`, with a place's count already weighed (`_near`) taken inline.
        share, near = story.share, story._near.get
        anchored = [b / n if (b := near(e)) is not None else share(e) for e in anchors]
        if not anchored or max(anchored) < ANCHOR:
            continue
        counts = story.counts
        score = sum([w * (anchored[i] if i >= 0 else counts.get(key, 0) / n if plain else share(e))
                     for w, i, key, plain, e in plan]) / total
        if score < threshold:
            continue
        rank = (score, story.last, story.story_id)
        if best is None or rank > best:
            best = rank
    return Match(best[2], best[0]) if best is not None else None


def encode(entities: Mapping[Entity, float]) -> list[dict[str, Any]]:
    """Entities as JSON-ready records, for the store."""
    return [{"key": e.key, "kind": e.kind, "country": e.country, "lat": e.lat, "lon": e.lon, "w": w}
            for e, w in entities.items()]


def decode(records: Iterable[Mapping[str, Any]]) -> dict[Entity, float]:
    return {Entity(str(r["key"]), r["kind"], r.get("country"), r.get("lat"), r.get("lon")): float(r.get("w", 1.0))
            for r in records}


def named_near(sentence: str, name: str, kind: Kind) -> list[str]:
    """Keys of the entities of one kind a sentence names, nearest to `name` first (the side a
    spokesman speaks for, the person a source's name is)."""
    tokens = tokenize(sentence)
    target = fold_phrase(name)
    at = next((i for i in range(len(tokens)) if tuple(t.low for t in tokens[i:i + len(target)]) == target), 0)
    known = _names()
    lows = [t.low for t in tokens]
    hits: list[tuple[int, str]] = []
    i = 0
    while i < len(tokens):
        hit = _known_at(known, tokens, i, lows)
        if hit is None:
            i += 1
            continue
        n, entity = hit
        if entity.kind == kind:
            hits.append((abs(i - at), entity.key))
        i += n
    return list(dict.fromkeys(key for _, key in sorted(hits)))
