"""Institution, role, victim and place words in the reader's language, from a small data glossary.

Alerts keep facts as the article wrote them ("ministère de la Santé", "secrétaire d'Etat"); this
module writes them in the reader's language ("Health Ministry", "Secretary of State") by replacing
known phrases, longest first, and leaving everything else — person names above all — as it is.
The same glossary lets topics, speakers and places match in either language ("Libya" ≈ "Libye").
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.core import langpack
from bot.core.models import Alert, Casualty, Fighting, Place, Statement, fold

GLOSSARY_FILE = Path(__file__).with_name("data") / "glossary.yaml"
HOLE = "{x}"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str
    forms: dict[str, tuple[str, ...]]  # language -> spellings, the first is the one the bot writes
    plural: bool = False  # several people or bodies ("G7 ministers"): verbs agree with it
    the: dict[str, str] = dataclasses.field(default_factory=dict)  # language -> its definite article ("le")

    def preferred(self, lang: str) -> str | None:
        forms = self.forms.get(lang)
        return forms[0] if forms else None


@dataclass(frozen=True, slots=True)
class _Pattern:
    tokens: tuple[str, ...]  # folded words; HOLE matches one capitalised word
    lang: str
    entry: Entry


@dataclass(frozen=True, slots=True)
class Glossary:
    entries: tuple[Entry, ...]
    patterns: tuple[_Pattern, ...]  # longest first
    # The patterns that can start at a word, in the order above: those starting with that folded word,
    # merged with those starting with a hole; `holes` alone for any other word. Without it every word
    # of a text was tried against every pattern (a fifth of the delivery's time).
    starting: dict[str, tuple[_Pattern, ...]] = dataclasses.field(default_factory=dict)
    holes: tuple[_Pattern, ...] = ()

    @staticmethod
    def of(entries: Iterable[Entry]) -> Glossary:
        entries = tuple(entries)
        patterns: list[_Pattern] = []
        for entry in entries:
            for lang, forms in entry.forms.items():
                for form in forms:
                    tokens = tuple(HOLE if w == "x" and HOLE in form else w for w in _fold_words(form))
                    if tokens:
                        patterns.append(_Pattern(tokens, lang, entry))
        patterns.sort(key=lambda p: (-len(p.tokens), p.tokens.count(HOLE)))
        holes = [(rank, p) for rank, p in enumerate(patterns) if p.tokens[0] == HOLE]
        own: dict[str, list[tuple[int, _Pattern]]] = {}
        for rank, p in enumerate(patterns):
            if p.tokens[0] != HOLE:
                own.setdefault(p.tokens[0], []).append((rank, p))
        # Merged by rank: each list keeps the patterns' priority.
        starting = {first: tuple(p for _, p in heapq.merge(found, holes, key=lambda x: x[0]))
                    for first, found in own.items()}
        return Glossary(entries, tuple(patterns), starting, tuple(p for _, p in holes))


def _fold_words(text: str) -> list[str]:
    return fold(text.replace(HOLE, " x ")).split()


@lru_cache(maxsize=1)
def _entries() -> list[dict[str, Any]]:
    data = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))
    return list(data["entries"])


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    """The shared entries with every language pack's column (`glossary.yaml`: key -> spellings)."""
    columns = langpack.each("glossary", "column")
    entries: list[Entry] = []
    for item in _entries():
        forms: dict[str, tuple[str, ...]] = {}
        the: dict[str, str] = {}
        for lang, column in columns.items():
            cell = column.get(item["key"])
            spellings = cell.get("forms") if isinstance(cell, dict) else cell
            if spellings:
                forms[lang] = tuple(str(v) for v in spellings)
            if isinstance(cell, dict) and cell.get("the") is not None:
                the[lang] = str(cell["the"])
        entries.append(Entry(kind=str(item.get("kind", "term")), forms=forms, plural=item.get("number") == "plural",
                             the=the))
    return Glossary.of(entries)


@dataclass(frozen=True, slots=True)
class _Match:
    start: int  # index of the first word
    end: int  # index after the last word
    pattern: _Pattern
    hole: str | None


def _words(text: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(text))


def _match_at(words: list[re.Match[str]], folded: list[str], i: int, pattern: _Pattern) -> _Match | None:
    n = len(pattern.tokens)
    if i + n > len(words):
        return None
    hole: str | None = None
    for k, token in enumerate(pattern.tokens):
        if token == HOLE:
            word = words[i + k].group()
            if not word[:1].isupper():
                return None
            hole = word
        elif folded[i + k] != token:
            return None
    return _Match(i, i + n, pattern, hole)


def _matches(text: str, kinds: frozenset[str] | None = None) -> tuple[list[re.Match[str]], list[_Match]]:
    words = _words(text)
    folded = [fold(w.group()) for w in words]
    found: list[_Match] = []
    known = glossary()
    i = 0
    while i < len(words):
        hit = None
        for pattern in known.starting.get(folded[i], known.holes):
            if kinds is not None and pattern.entry.kind not in kinds:
                continue
            hit = _match_at(words, folded, i, pattern)
            if hit is not None:
                break
        if hit is None:
            i += 1
        else:
            found.append(hit)
            i = hit.end
    return words, found


def translate(text: str | None, lang: str) -> str | None:
    """`text` with every glossary phrase written in `lang`; unknown words (names) kept as they are."""
    if not text:
        return text
    words, found = _matches(text)
    out: list[str] = []
    pos = 0
    for m in found:
        target = m.pattern.entry.preferred(lang)
        if target is None or m.pattern.lang == lang:
            continue
        start, end = words[m.start].start(), words[m.end - 1].end()
        # A hole is a name; an elided article glued to the phrase ("l'armée") goes with it.
        replacement = target.replace(HOLE, translate(m.hole, lang) or "") if m.hole else target
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    result = "".join(out)
    # "l'" or "d'" left dangling before a translated phrase reads as French in an English text.
    dangling = _dangling(lang)
    if dangling is not None:
        result = dangling.sub("", result)
    return result


@lru_cache(maxsize=16)
def _dangling(lang: str) -> re.Pattern[str] | None:
    """Elided articles of other languages ("l'", "d'") that read as foreign left before a translated name."""
    own = {str(w).lower() for w in langpack.section(lang, "glossary").get("elisions") or ()}
    other = sorted({str(w).lower() for words in langpack.each("glossary", "elisions").values() for w in words} - own)
    if not other:
        return None
    return re.compile(r"(?<!\w)(?i:" + "|".join(map(re.escape, other)) + r")[’'](?=[A-Z])")


@lru_cache(maxsize=1)
def _articles() -> dict[str, tuple[tuple[str, ...], str]]:
    """Per language: the articles a name may start with (folded) and the one written before a translated name."""
    data = langpack.each("glossary", "articles")
    return {lang: (tuple(fold(w) for w in spec.get("leading", ())), str(spec.get("write") or ""))
            for lang, spec in data.items()}


def _all_articles() -> frozenset[str]:
    return frozenset(w for leading, _ in _articles().values() for w in leading)


def covered(text: str) -> bool:
    """Whether every word of `text` (a leading article aside) belongs to a glossary phrase: only then can
    it be written in another language without mixing the two word by word."""
    words, found = _matches(text)
    if not words:
        return False
    start = 1 if fold(words[0].group()) in _all_articles() and len(words) > 1 else 0
    inside = {i for m in found for i in range(m.start, m.end)}
    return all(i in inside for i in range(start, len(words)))


@functools.lru_cache(maxsize=8192)
def name_in(text: str | None, lang: str) -> str | None:
    """A name (a source, a body, a role, victims, a place) in `lang` when the glossary knows the whole
    phrase ("ministère de la Santé" -> "Health Ministry"); otherwise as the article wrote it, never a
    word-for-word mix ("Health Ministry of the UN-backed government" stays English in a French channel)."""
    if not text or not covered(text):
        return text
    words = _words(text)
    lead = fold(words[0].group()) in _all_articles() and len(words) > 1
    body = text[words[1].start():] if lead else text
    out = translate(body, lang) or body
    if out == body:  # already in `lang`: the article stays as written ("le Conseil de sécurité")
        return text
    if lead:
        # The article of the reader's language: English has one; French's depends on the noun.
        _, found = _matches(body)
        head = found[0].pattern.entry if found and found[0].start == 0 else None
        article = (head.the.get(lang) if head else None) or _articles().get(lang, ((), ""))[1]
        has_one = fold(out).split()[:1] and fold(out).split()[0] in _articles().get(lang, ((), ""))[0]
        if article and not has_one:  # some glossary forms carry their article already ("l'armée")
            out = f"{article}{'' if article.endswith(chr(39)) else ' '}{out}"
    return out


def translated(text: str | None, lang: str) -> bool:
    """Whether `name_in` writes `text` in `lang` (rather than keeping it as written)."""
    return bool(text) and name_in(text, lang) != text


def plural(text: str | None) -> bool:
    """Whether a speaker is several people or bodies: two joined by a conjunction ("le Conseil de sécurité
    et les ministres du G7"), or a phrase the glossary marks plural ("G7 ministers", "witnesses")."""
    if not text:
        return False
    words, found = _matches(text)
    folded = [fold(w.group()) for w in words]
    if any(w in _conjunctions() for w in folded[1:-1]):
        return True
    start = 1 if folded and folded[0] in _all_articles() and len(words) > 1 else 0
    head = next((m for m in found if m.start == start), None)
    return head is not None and head.pattern.entry.plural and head.end == len(words)


@lru_cache(maxsize=1)
def _conjunctions() -> frozenset[str]:
    data = langpack.each("glossary", "conjunctions")
    return frozenset(fold(w) for words in data.values() for w in words)


def localize(alert: Alert, lang: str) -> Alert:
    """The alert with its names in `lang` where the glossary knows the whole phrase (see `name_in`);
    quotes, person names and phrases it does not know are kept as written."""
    if isinstance(alert, Casualty):
        return dataclasses.replace(
            alert, reported_by=name_in(alert.reported_by, lang), victims=name_in(alert.victims, lang),
            location=name_in(alert.location, lang))
    if isinstance(alert, Fighting):
        place = alert.place
        if place is not None:
            place = Place(name_in(place.name, lang) or place.name, name_in(place.country, lang), place.lat,
                          place.lon)
        return dataclasses.replace(
            alert, location=name_in(alert.location, lang) or alert.location,
            actors=tuple(name_in(a, lang) or a for a in alert.actors), place=place)
    assert isinstance(alert, Statement)
    # A speaker is a person (no glossary word: kept) or a body ("ministère de la Santé": translated).
    return dataclasses.replace(alert, speaker=name_in(alert.speaker, lang) or alert.speaker,
                               speaker_role=name_in(alert.speaker_role, lang))


@functools.lru_cache(maxsize=4096)
def equivalents(term: str) -> frozenset[str]:
    """Folded forms of `term` in every language the glossary knows ("Libya" -> {"libya", "libye"}).

    Cached: a filtered `/news` command asks this for every alert it looks at, and the glossary is fixed.
    """
    key = fold(term)
    out = {key} if key else set()
    for entry in glossary().entries:
        forms = [f for fs in entry.forms.values() for f in fs if HOLE not in f]
        if any(fold(f) == key for f in forms):
            out.update(fold(f) for f in forms)
    return frozenset(out)


def places_in(text: str, lang: str) -> list[str]:
    """Places the glossary knows that `text` names, written in `lang`, in order of appearance."""
    words, found = _matches(text, frozenset({"place"}))
    out: list[str] = []
    for m in found:
        target = m.pattern.entry.preferred(lang) or " ".join(w.group() for w in words[m.start:m.end])
        if m.hole:
            target = target.replace(HOLE, translate(m.hole, lang) or m.hole)
        if target not in out:
            out.append(target)
    return out


for _cached in (glossary, _dangling, _articles, _conjunctions, name_in, equivalents):
    langpack.on_reload(_cached.cache_clear)
