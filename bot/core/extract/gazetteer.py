"""Offline gazetteer (`gazetteer.tsv`): countries, major cities and regions of conflict areas.

A name shared by several places (Tripoli in Libya and in Lebanon) is settled by the countries the
article itself mentions, by name or by adjective ("libyenne"), then by file order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from bot.core.extract.text import Token, fold_phrase
from bot.core.models import Place

MAX_NAME = 5  # tokens in a gazetteer name


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # country, city, region
    country: str
    lat: float
    lon: float
    name: str  # the first name listed, as written


@dataclass(frozen=True)
class Gazetteer:
    names: dict[tuple[str, ...], tuple[Entry, ...]]
    adjectives: dict[str, str]  # folded adjective -> country
    lower_starts: frozenset[tuple[str, ...]]  # lower-case first words of names ("province d'Idleb")

    def match(self, tokens: tuple[Token, ...], i: int) -> tuple[int, tuple[Entry, ...]] | None:
        """Longest gazetteer name starting at token i (case-sensitive start: a capital)."""
        if i >= len(tokens) or (not tokens[i].is_cap and (tokens[i].low,) not in self.lower_starts):
            return None
        for n in range(min(MAX_NAME, len(tokens) - i), 0, -1):
            key = tuple(t.low for t in tokens[i : i + n])
            hit = self.names.get(key)
            if hit:
                return n, hit
        return None

    def countries_in(self, tokens: list[Token]) -> Counter[str]:
        seen: Counter[str] = Counter()
        i = 0
        while i < len(tokens):
            country = self.adjectives.get(tokens[i].low)
            if country:
                seen[country] += 1
            m = self.match(tokens, i) if tokens[i].is_cap else None  # type: ignore[arg-type]
            if m is not None:
                for e in m[1]:
                    if e.kind == "country":
                        seen[e.country] += 1
                # a town only one country has places the article there too ("Misrata": Libya);
                # a name several countries share (Tripoli) says nothing by itself
                if len({e.country for e in m[1]}) == 1 and m[1][0].kind != "country":
                    seen[m[1][0].country] += 1
                i += m[0]
                continue
            i += 1
        return seen

    @staticmethod
    def choose(entries: tuple[Entry, ...], countries: Counter[str]) -> Entry:
        return max(entries, key=lambda e: (countries.get(e.country, 0), -entries.index(e)))

    def place(self, name: str, entries: tuple[Entry, ...], countries: Counter[str]) -> Place:
        e = self.choose(entries, countries)
        return Place(name=name, country=e.country, lat=e.lat, lon=e.lon)

    def lookup(self, name: str, countries: Counter[str] | None = None) -> Place | None:
        entries = self.names.get(fold_phrase(name))
        if not entries:
            return None
        return self.place(name, entries, countries or Counter())


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    raw = (resources.files("bot.core.extract") / "gazetteer.tsv").read_text(encoding="utf-8")
    names: dict[tuple[str, ...], list[Entry]] = {}
    adjectives: dict[str, str] = {}
    lower: set[tuple[str, ...]] = set()
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 5:
            continue
        kind, country, lat, lon, alts = cols[:5]
        variants = [a.strip() for a in alts.split("|") if a.strip()]
        entry = Entry(kind, country, float(lat), float(lon), variants[0])
        for v in variants:
            key = fold_phrase(v)
            if 0 < len(key) <= MAX_NAME:
                names.setdefault(key, []).append(entry)
                if v[:1].islower() and len(key) > 1:
                    lower.add(key[:1])  # "province d'Idleb", "bande de Gaza": written in lower case
        if len(cols) > 5:
            for adj in cols[5].split("|"):
                words = fold_phrase(adj)
                # one word only: "South African" keyed by its first word made every "south" South Africa
                if len(words) == 1:
                    adjectives[words[0]] = country
    return Gazetteer({k: tuple(v) for k, v in names.items()}, adjectives, frozenset(lower))
