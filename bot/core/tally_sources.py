"""Who gave a figure, and whom it counts, whatever the language or the spelling (pure).

The words live in each language pack's `tally.yaml` (bot/core/langpack.py); every language's words are
used for every article, since a French article names the WHO "OMS" and an English one may quote
"Médecins sans frontières".

Source identity (`source_identity`), tried in this order on the name the extractor gave, then on the
words just before that name in the figure's sentence ("the health ministry of the UN-backed GNA said"
gives the name "UN-backed GNA"):
1. an institution and its domain: "ministère de la Santé du gouvernement basé à Tripoli" = "health
   ministry of the UN-backed GNA" -> ministry:health (series are kept per story or topic, so the
   Tripoli ministry is not mixed with another country's);
2. an armed actor the name itself names ("the UN-backed GNA" is the GNA, not the UN);
3. an organisation known by several names: "OMS" = "WHO" = "World Health Organization" -> org:who;
4. a spokesman and the side he speaks for, the side itself: "porte-parole des forces de Haftar" =
   "LNA spokesman" = "the LNA" -> actor:lna; a named person the sentence ties to that role takes the
   side's key, so "Ahmed al-Mesmari" = "le porte-parole de l'ANL" (and, within a story, the same
   person named alone later, see `tally.SeriesBook`);
5. else the folded name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.core import langpack
from bot.core.models import fold

CONTEXT_WORDS = 8  # words before the name, in its sentence, that may say what the name speaks for


@dataclass(frozen=True)
class Words:
    organisations: dict[str, str]  # folded alias -> key
    institutions: dict[str, str]
    domains: dict[str, str]
    roles: dict[str, str]
    linkers: frozenset[str]
    articles: frozenset[str]
    names: dict[str, dict[str, str]]  # lang -> key -> display name
    generic: frozenset[str]
    groups: dict[str, str]
    determiners: frozenset[str]
    cuts: tuple[str, ...]
    months: dict[str, tuple[str, ...]]
    was_on: dict[str, str]
    was: dict[str, str]
    date: dict[str, str]


def _load(lang: str) -> dict[str, Any]:
    return langpack.section(lang, "tally")


@lru_cache(maxsize=1)
def words() -> Words:
    orgs: dict[str, str] = {}
    inst: dict[str, str] = {}
    domains: dict[str, str] = {}
    roles: dict[str, str] = {}
    linkers: set[str] = set()
    arts: set[str] = set()
    names: dict[str, dict[str, str]] = {}
    generic: set[str] = set()
    groups: dict[str, str] = {}
    dets: set[str] = set()
    cuts: list[str] = []
    months: dict[str, tuple[str, ...]] = {}
    was_on: dict[str, str] = {}
    was: dict[str, str] = {}
    date: dict[str, str] = {}
    for lang in langpack.languages():
        data = _load(lang)
        src = data.get("sources") or {}
        for key, aliases in (src.get("organisations") or {}).items():
            for alias in aliases:
                orgs[fold(str(alias))] = f"org:{key}"
        inst.update({fold(k): str(v) for k, v in (src.get("institutions") or {}).items()})
        domains.update({fold(k): str(v) for k, v in (src.get("domains") or {}).items()})
        roles.update({fold(k): str(v) for k, v in (src.get("roles") or {}).items()})
        linkers.update(fold(str(x)) for x in src.get("linkers") or ())
        arts.update(fold(str(x)) for x in src.get("articles") or ())
        names[lang] = {str(k): str(v) for k, v in (src.get("names") or {}).items()}
        pop = data.get("populations") or {}
        generic.update(fold(str(w)) for w in pop.get("generic") or ())
        groups.update({fold(str(k)): str(v) for k, v in (pop.get("groups") or {}).items()})
        dets.update(fold(str(w)) for w in pop.get("determiners") or ())
        cuts.extend(fold(str(w)) for w in pop.get("cuts") or ())
        ch = data.get("changes") or {}
        months[lang] = tuple(str(m) for m in ch.get("months") or ())
        was_on[lang] = str(ch.get("was_on") or "")
        was[lang] = str(ch.get("was") or "")
        date[lang] = str(ch.get("date") or "{day} {month}")
    return Words(orgs, inst, domains, roles, frozenset(linkers), frozenset(arts), names, frozenset(generic), groups,
                 frozenset(dets),
                 tuple(sorted(set(cuts), key=len, reverse=True)), months, was_on, was, date)


def _phrases(text: str, table: dict[str, str]) -> list[str]:
    """Values of the table's phrases found as whole words in folded text, longest phrases first."""
    padded = f" {text} "
    return [table[p] for p in sorted(table, key=len, reverse=True) if f" {p} " in padded]


def _institution(text: str) -> str | None:
    w = words()
    inst = _phrases(text, w.institutions)
    dom = _phrases(text, w.domains)
    if inst and dom:
        return f"{inst[0]}:{dom[0]}"
    return None


def _organisation(text: str) -> str | None:
    found = _phrases(text, words().organisations)
    return found[0] if found else None


def _role(text: str, sides: Iterable[str]) -> str | None:
    """The side a spokesman speaks for ("actor:lna"): he is that side's voice, one series with it.
    None without a role word or without a side (two spokesmen of unknown sides are not merged)."""
    if not _phrases(text, words().roles):
        return None
    return next(iter(sides), None)


def _before(name: str, sentence: str) -> str:
    """The words of the sentence just before the name, and the name (folded)."""
    folded, target = fold(sentence), fold(name)
    at = folded.find(target) if target else -1
    if at < 0:
        return ""
    head = folded[:at].split()[-CONTEXT_WORDS:]
    return " ".join([*head, target])


def _after(name: str, sentence: str) -> str:
    """The name and the few words after it ("Ahmed al-Mesmari, spokesman for the LNA, said")."""
    folded, target = fold(sentence), fold(name)
    at = folded.find(target) if target else -1
    if at < 0:
        return ""
    tail = folded[at + len(target):].split()[:CONTEXT_WORDS // 2 + 2]
    return " ".join([target, *tail])


def source_identity(reported_by: str | None, sentence: str = "", *, sides: Iterable[str] = (),
                    own: Iterable[str] = ()) -> str:
    """The series key of a source ("" for the article's own count). `own`: the armed actors the name
    itself names ("LNA", "les forces de Haftar"); `sides`: those named near it in the sentence, nearest
    first (the caller finds both), for a spokesman ("LNA spokesman Ahmed al-Mesmari" -> actor:lna)."""
    if not reported_by:
        return ""
    name = fold(reported_by)
    # The words before the name count when they govern it: "the health ministry OF the UN-backed GNA".
    before = _before(reported_by, sentence)
    head = before[: len(before) - len(name)].split()
    w = words()
    while head and head[-1] in w.articles:
        head.pop()
    governed = before if head and head[-1] in w.linkers else ""
    for text in (name, governed):
        key = _institution(text) if text else None
        if key:
            return key
    own = tuple(own)
    if own:  # "UN-backed GNA" is the GNA: a body named as a modifier is not the source
        return own[0]
    for text in (name, governed):
        key = _organisation(text) if text else None
        if key:
            return key
    for text in (name, _before(reported_by, sentence), _after(reported_by, sentence)):
        if text:
            side = _role(text, sides)
            if side:
                return side
    return name


def source_name(key: str, lang: str) -> str | None:
    """How a canonical source is named for the reader, None for a plain name."""
    names = words().names.get(lang) or words().names.get(langpack.FALLBACK) or {}
    if key in names:
        return names[key]
    head = key.split("/", 1)[0]
    return names.get(head)


@lru_cache(maxsize=16384)
def population_of(victims: str | None) -> str:
    """The group a figure counts: "" for everyone, else one canonical name ("soldiers", "civilians", …).
    Remembered: filing figures into series asks it for every series each figure is compared with."""
    w = words()
    text = f" {fold(victims)} "
    for cut in w.cuts:
        text = text.split(f" {cut} ", 1)[0] + " "
    tokens = [t for t in text.split() if t not in w.determiners and not t.isdigit()]
    if not tokens:
        return ""
    # "six morts parmi les soldats", "19 of its soldiers": the group named, wherever it stands.
    for token in tokens[:4]:
        stem = langpack.singular_of(token)
        for form in (token, stem):
            if form in w.groups:
                return w.groups[form]
    head = tokens[0]
    stem = langpack.singular_of(head)
    if head in w.generic or stem in w.generic:
        return ""
    return " ".join([stem, *tokens[1:3]])


def groups() -> tuple[str, ...]:
    return tuple(sorted(set(words().groups.values())))


def day_text(day: dt.date, lang: str) -> str:
    """"8 April" / "8 avril"."""
    w = words()
    months = w.months.get(lang) or w.months[langpack.FALLBACK]
    return (w.date.get(lang) or "{day} {month}").format(day=day.day, month=months[day.month - 1])


def was_on(old: str, day: dt.date | None, lang: str) -> str:
    """"was 21 on 8 April" in the reader's language ("was 21" without a date)."""
    w = words()
    if day is None:
        return (w.was.get(lang) or w.was[langpack.FALLBACK]).format(old=old)
    return (w.was_on.get(lang) or w.was_on[langpack.FALLBACK]).format(old=old, date=day_text(day, lang))


def phrase(key: str, lang: str, section: str = "changes") -> str:
    """A phrase of a section of the reader's language (English when it lacks one)."""
    for code in (lang, langpack.FALLBACK):
        value = (_load(code).get(section) or {}).get(key)
        if value:
            return str(value)
    return key


@lru_cache(maxsize=1)
def non_party_words() -> tuple[str, ...]:
    """Names of sources that are not parties to a conflict, folded, from every language's data."""
    found: list[str] = []
    for lang in langpack.languages():
        found += [fold(str(w)) for w in (_load(lang).get("sources") or {}).get("non_party") or ()]
    return tuple(dict.fromkeys(found))


langpack.on_reload(words.cache_clear)
langpack.on_reload(non_party_words.cache_clear)
langpack.on_reload(population_of.cache_clear)
