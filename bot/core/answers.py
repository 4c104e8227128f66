"""Answers to follow-up questions asked in an alert's thread, from that story's facts only.

Pure: the conversation gathers the story's alerts and articles into a `StoryFacts`; this module
detects the question's language (from the words of each language pack) and intent (who, what was said,
how many killed or wounded, where, when, which source, what changed, what else), and writes the
answer in the question's language, citing the article and the sentence each fact comes from. A
question the sources cannot answer gets "not in the sources" and the closest sentences, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from bot.core import langpack
from bot.core.i18n import echo, label, t
from bot.core.links import web_link
from bot.core.models import Alert, Casualty, Fighting, Line, Message, Span, Statement, fold
from bot.core.render import casualty_figures, headline, reporter
from bot.core.tally import Reconciled, identity_of
from bot.core.tally_text import estimate_lines
from bot.core.translate import equivalents, localize, name_in, places_in, translate

PIVOT = langpack.FALLBACK  # story words are also matched in this language, through the glossary
SHORT = 3  # items an answer shows before "N more in this story"
Intent = Literal["changed", "else", "wounded", "killed", "casualties", "said", "source", "when", "where", "who"]
# The order intents are tried in: "how many wounded" is about the wounded before it is about figures.
INTENTS: tuple[Intent, ...] = ("changed", "else", "wounded", "killed", "casualties", "said", "source", "when", "where",
                               "who")


@dataclass(frozen=True, slots=True)
class Source:
    """An article as it is cited: title, outlet, and a link (URL) or the file it was read from."""

    article_id: int
    title: str | None
    outlet: str | None
    link: str | None
    lang: str | None
    text: str
    published: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Fact:
    alert_id: int
    alert: Alert
    source: Source
    created_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class StoryFacts:
    story_id: int
    title: str | None
    facts: tuple[Fact, ...]
    sources: tuple[Source, ...]
    root_alert_id: int | None = None  # the alert the thread started from, when known
    elsewhere: tuple[Fact, ...] = ()  # recent facts of other stories, for "what else happened"
    tally: Reconciled | None = None  # the story's reconciled figures (bot.service.tallies.story_view)


# --- language and intent -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class QuestionWords:
    """The words of follow-up questions, from every language pack's `questions.yaml` (see that file)."""

    words: dict[str, frozenset[str]]  # language -> words that tell it
    letters: dict[str, str]  # language -> letters that tell it (accents)
    stop: frozenset[str]  # every language's grammar words
    small_talk: tuple[str, ...]  # folded phrases, longest first
    intents: tuple[tuple[Intent, tuple[str, ...]], ...]
    where_marks: tuple[str, ...]
    where_alone: frozenset[str]
    or_words: tuple[str, ...]  # "ou" (or), which folds like "où" (where)


@lru_cache(maxsize=1)
def question_words() -> QuestionWords:
    langs: dict[str, dict[str, Any]] = {lang: langpack.section(lang, "questions") for lang in langpack.languages()}
    langs = {lang: spec for lang, spec in langs.items() if spec}
    small = {fold(str(p)) for spec in langs.values() for p in spec.get("small_talk") or ()} - {""}
    intents = tuple((name, tuple(str(k) for spec in langs.values() for k in (spec.get("intents") or {}).get(name, ())))
                    for name in INTENTS)
    return QuestionWords(
        words={lang: frozenset(str(spec.get("words") or "").split()) for lang, spec in langs.items()},
        letters={lang: str(spec.get("letters") or "") for lang, spec in langs.items()},
        stop=frozenset(w for spec in langs.values() for w in str(spec.get("stop") or "").split()),
        small_talk=tuple(sorted(small, key=lambda p: (-len(p), p))),
        intents=intents,
        where_marks=tuple(str(w) for spec in langs.values() for w in spec.get("where_marks") or ()),
        where_alone=frozenset(str(w) for spec in langs.values() for w in spec.get("where_alone") or ()),
        or_words=tuple(str(w) for spec in langs.values() for w in spec.get("or_words") or ()),
    )


langpack.on_reload(question_words.cache_clear)


def detect_lang(question: str, default: str = langpack.FALLBACK) -> str:
    """The language of the question's words (a pack's letters, e.g. accents, count twice); `default` on a tie."""
    words = fold(question).split()
    data = question_words()
    lowered = question.lower()
    scores = {lang: sum(1 for w in words if w in known) + 2 * sum(lowered.count(c) for c in data.letters[lang])
              for lang, known in data.words.items()}
    ranked = sorted(scores.values(), reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0] == ranked[1]):
        return default
    return next(lang for lang, score in scores.items() if score == ranked[0])


def detect_intent(question: str) -> Intent | None:
    """The first intent whose key words start a word of the question (accents and case ignored)."""
    data = question_words()
    q = f" {fold(question)} "
    where = any(mark in question.lower() for mark in data.where_marks) or q.strip() in data.where_alone
    for word in data.or_words:
        q = q.replace(f" {word} ", " | ")  # "ou" without an accent is "or"; "où" is marked above
    if where:
        q += "where "
    for intent, keys in data.intents:
        if any(f" {k}" in q for k in keys):
            return intent
    return None


# Slack writes emoji as :shortcodes: ("👍" arrives as ":+1:"); they are punctuation here, not words.
_SHORTCODE = re.compile(r":[a-z0-9_+\-]+:", re.IGNORECASE)
_QUESTION_MARKS = ("?", "？", "¿")


def is_small_talk(text: str) -> bool:
    """Thanks, acknowledgements, emoji: nothing the sources could answer ("merci", "ok 👍", ":+1:")."""
    rest = f" {fold(_SHORTCODE.sub(' ', text))} "
    for phrase in question_words().small_talk:
        rest = rest.replace(f" {phrase} ", " ")
        rest = rest.replace(f" {phrase} ", " ")  # twice: "merci merci" overlaps on the space
    return not rest.strip()


def is_question(text: str) -> bool:
    """A message in a thread worth an answer: a question mark or a known intent, and not just small talk."""
    if is_small_talk(text):
        return False
    return any(mark in text for mark in _QUESTION_MARKS) or detect_intent(_SHORTCODE.sub(" ", text)) is not None


# --- sentences and citations -------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?…»])\s+(?=[A-ZÀ-ÖØ-Þ«\"“])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]


def _stem(word: str) -> str:
    return langpack.singular_of(word)


def content_words(question: str) -> list[str]:
    """The question's words that are not grammar nor intent words, folded."""
    data = question_words()
    intent_words = {w for _, keys in data.intents for k in keys for w in k.split()}
    out = []
    for w in fold(question).split():
        if w in data.stop or w in intent_words or len(w) < 3 or w.isdigit():
            continue
        out.append(w)
    return out


def _word_set(text: str) -> set[str]:
    return {_stem(w) for w in fold(text).split()}


def _found(word: str, words: set[str]) -> bool:
    return any(all(_stem(p) in words for p in form.split()) for form in equivalents(word))


def closest_sentences(question: str, facts: StoryFacts, n: int = 2) -> list[tuple[str, Source]]:
    words = content_words(question)
    scored: list[tuple[float, int, str, Source]] = []
    order = 0
    for src in facts.sources:
        for sentence in sentences(src.text):
            have = _word_set(sentence)
            score = sum(1 for w in words if _found(w, have))
            if score:
                scored.append((-score / (1 + len(have) / 60), order, sentence, src))
            order += 1
    scored.sort(key=lambda x: (x[0], x[1]))
    return [(s, src) for _, _, s, src in scored[:n]]


def citation(src: Source, lang: str) -> Line:
    """"— Title, Outlet, https://…" (or the file the article was read from)."""
    spans: list[Span] = [Span("— ")]
    if src.title:
        spans.append(Span(src.title, "italic", lang=src.lang))
    if src.outlet:
        spans.append(Span(f", {src.outlet}"))
    if src.published:
        spans.append(Span(f", {src.published.isoformat()}"))
    if src.link:
        link = web_link(src.link)
        if link is not None:
            spans.extend([Span(", "), Span(link, href=link)])
        else:
            # A local file: its name says which article; the server's folders are nobody's business in chat.
            name = src.link.replace("\\", "/").rsplit("/", 1)[-1]
            spans.extend([Span(f", {t(lang, 'ans_file')}: "), Span(name, "code")])
    return Line(tuple(spans))


def evidence_of(fact: Fact) -> str:
    """The sentence a fact comes from: the alert's evidence, else the article sentence closest to it."""
    a = fact.alert
    if isinstance(a, Statement):
        keys = [a.speaker, a.quote[:40]]
    elif isinstance(a, Fighting):
        keys = [a.location]
    else:
        keys = [str(a.killed or ""), str(a.wounded or "")]
    # Evidence may span several sentences (a speaker's quotes joined): cite the one that names the fact.
    for sentence in sentences(a.evidence or fact.source.text):
        if any(k and k in sentence for k in keys):
            return sentence
    return a.evidence


def cite(fact: Fact, lang: str) -> list[Line]:
    lines = []
    sentence = evidence_of(fact)
    if sentence:
        lines.append(Line.of(Span(sentence, "quote", lang=fact.source.lang)))
    lines.append(citation(fact.source, lang))
    return lines


def _message(title: str, lines: Iterable[Line], lang: str, intent: str, facts: StoryFacts) -> Message:
    return Message(headline=title, lines=tuple(lines), lang=lang,
                   meta={"type": "answer", "intent": intent, "story_id": str(facts.story_id)})


# --- answers per intent ------------------------------------------------------------------------

def _of(facts: StoryFacts, kind: type[Statement] | type[Fighting] | type[Casualty]) -> list[Fact]:
    return [f for f in facts.facts if isinstance(f.alert, kind)]


def root_fact(facts: StoryFacts) -> Fact | None:
    """The alert the question was asked under (the thread's root, or `ask A12`), when known."""
    return next((f for f in facts.facts if f.alert_id == facts.root_alert_id), None)


def _root_first(facts: list[Fact], root: Fact | None) -> list[Fact]:
    return ([root] if root in facts else []) + [f for f in facts if f is not root]


def _more(lang: str, n: int) -> list[Line]:
    """What a short answer left out, and how to see it."""
    return [Line.of(Span(t(lang, "ans_more", n=n), "italic"))] if n > 0 else []


def _figures(c: Casualty, lang: str) -> str:
    """Figures inside a sentence: "at least 21 killed, 27 wounded" (not capitalised)."""
    text = casualty_figures(c, lang)
    return text[:1].lower() + text[1:]


def _speaker_line(s: Statement, lang: str) -> str:
    role = name_in(s.speaker_role, lang)
    speaker = name_in(s.speaker, lang) or s.speaker
    return f"{speaker} ({role})" if role else speaker


def _who_of(f: Fact, lang: str) -> tuple[list[Line], str | None]:
    """Who is behind one alert (the speaker, who gave the figure, the armed actors) and its citation; the
    folded name, to leave out of the others."""
    a = f.alert
    if isinstance(a, Statement):
        return [Line.of(Span(_speaker_line(a, lang), "bold")), *cite(f, lang)], fold(a.speaker)
    if isinstance(a, Casualty):
        source = Line.of(Span(label(lang, 'ans_figure_source'), "bold"), reporter(a, lang),
                         f" ({_figures(a, lang)})")
        return [source, *cite(f, lang)], fold(a.reported_by) or None
    local = localize(a, lang)
    assert isinstance(local, Fighting)
    actors = [Line.of(Span(label(lang, 'actors'), "bold"), ", ".join(local.actors))] if local.actors else []
    return [*actors, *cite(f, lang)], None


def _people(facts: StoryFacts, lang: str) -> list[tuple[str, str]]:
    """(folded name, name as shown) of every speaker and every source of a figure in the story, once."""
    out: dict[str, str] = {}
    for f in facts.facts:
        a = f.alert
        if isinstance(a, Statement):
            out.setdefault(fold(a.speaker), _speaker_line(a, lang))
        elif isinstance(a, Casualty) and a.reported_by:
            out.setdefault(fold(a.reported_by), reporter(a, lang))
    return list(out.items())


def answer_who(facts: StoryFacts, lang: str) -> Message:
    root = root_fact(facts)
    if root is not None:
        # Short: who is behind the alert asked about; the story's other voices in one line.
        lines, own = _who_of(root, lang)
        others = [name for key, name in _people(facts, lang) if key != own]
        if others:
            lines.append(Line.of(Span(label(lang, 'ans_also'), "bold"), ", ".join(others)))
        return _message(t(lang, "ans_who"), lines, lang, "who", facts)
    lines = []
    statements = _of(facts, Statement)
    if not statements:
        lines.append(Line.of(t(lang, "ans_no_speaker")))
    seen: set[str] = set()
    for f in statements:
        s = f.alert
        assert isinstance(s, Statement)
        if fold(s.speaker) in seen:
            continue
        seen.add(fold(s.speaker))
        lines.append(Line.of(Span(_speaker_line(s, lang), "bold")))
        lines.extend(cite(f, lang))
    reporters = [f for f in _of(facts, Casualty) if isinstance(f.alert, Casualty) and f.alert.reported_by]
    if reporters:
        parts = []
        for f in reporters:
            assert isinstance(f.alert, Casualty)
            parts.append(f"{reporter(f.alert, lang)} ({_figures(f.alert, lang)})")
        lines.append(Line.of(Span(label(lang, 'ans_figures_by'), "bold"), "; ".join(parts)))
    return _message(t(lang, "ans_who"), lines, lang, "who", facts)


def answer_said(facts: StoryFacts, lang: str, question: str) -> Message:
    statements = _of(facts, Statement)
    named = [f for f in statements if isinstance(f.alert, Statement)
             and any(part in _word_set(question) for part in fold(f.alert.speaker).split() if len(part) > 2)]
    root = root_fact(facts)
    chosen = named or _root_first(statements, root)
    lines: list[Line] = []
    if not chosen:
        lines.append(Line.of(t(lang, "ans_no_speaker")))
    if root is not None and not named and isinstance(root.alert, Statement):
        chosen, left = chosen[:1], len(chosen) - 1  # short: the statement asked about
    else:
        chosen, left = chosen[:SHORT], len(chosen) - SHORT
    for f in chosen:
        s = f.alert
        assert isinstance(s, Statement)
        date = f", {s.date.isoformat()}" if s.date else ""
        lines.append(Line.of(Span(f"{_speaker_line(s, lang)}{date}:", "bold")))
        lines.append(Line.of(Span(s.quote, "quote", lang=f.source.lang)))
        if s.evidence and fold(s.quote) not in fold(s.evidence):
            lines.append(Line.of(Span(s.evidence, "quote", lang=f.source.lang)))
        lines.append(citation(f.source, lang))
    lines.extend(_more(lang, left))
    return _message(t(lang, "ans_said"), lines, lang, "said", facts)


def _figure(c: Casualty, what: Literal["killed", "wounded"], lang: str) -> str:
    n = c.killed if what == "killed" else c.wounded
    qualifier = t(lang, c.qualifier)
    text = f"{qualifier} {n} {t(lang, what)}" if qualifier else f"{n} {t(lang, what)}"
    return text[:1].upper() + text[1:]


def _reporter_words(c: Casualty) -> set[str]:
    forms = (c.reported_by, *(translate(c.reported_by, lang) for lang in langpack.languages()))
    return _word_set(" ".join(f for f in forms if f))


def answer_casualties(facts: StoryFacts, lang: str, which: Intent, question: str = "") -> Message:
    cas = _root_first(_of(facts, Casualty), root_fact(facts))
    # "How many dead according to the ministry?": that source's figures first, the others after.
    asked = {_stem(w) for w in content_words(question)}
    focus = [f for f in cas if isinstance(f.alert, Casualty) and asked & _reporter_words(f.alert)]
    if focus:
        cas = focus + [f for f in cas if f not in focus]
    lines: list[Line] = []
    current: list[Line] = []  # stories: the story's reconciled figures, as the root and the digest show them
    if facts.tally is not None and not facts.tally.empty:
        measures = ("killed", "wounded") if which == "casualties" else (which,)
        current = [line for e in facts.tally.estimates if e.measure in measures for line in estimate_lines(e, lang)]
        current = [Line.of(Span(t(lang, "latest_figures"), "bold")), *current] if current else []
    if which == "casualties":
        title = t(lang, "ans_casualties")
        for i, f in enumerate(cas):
            assert isinstance(f.alert, Casualty)
            lines.append(Line.of(Span(headline(f.alert, lang), "bold")))
            if i == 0:  # short: the sentence of the first figure only
                lines.extend(cite(f, lang))
        if not cas:
            lines.append(Line.of(t(lang, "ans_none_figure", what=f"{t(lang, 'killed')}/{t(lang, 'wounded')}")))
        return _message(title, [*lines, *current], lang, which, facts)
    what: Literal["killed", "wounded"] = "wounded" if which == "wounded" else "killed"
    title = t(lang, "ans_wounded" if what == "wounded" else "ans_killed")
    with_figure: list[Fact] = []
    without: list[Fact] = []
    for f in cas:
        assert isinstance(f.alert, Casualty)
        value = f.alert.wounded if what == "wounded" else f.alert.killed
        (with_figure if value is not None else without).append(f)
    for i, f in enumerate(with_figure):
        c = f.alert
        assert isinstance(c, Casualty)
        where = f", {name_in(c.location, lang)}" if c.location else ""
        lines.append(Line.of(Span(_figure(c, what, lang), "bold"), f" ({reporter(c, lang)}{where})"))
        if i == 0:  # short: the sentence of the first figure only
            lines.extend(cite(f, lang))
    if not with_figure:
        lines.insert(0, Line.of(Span(t(lang, "ans_none_figure", what=t(lang, what)), "bold")))
    if without:
        who = "; ".join(f"{reporter(f.alert, lang)} ({_figures(f.alert, lang)})"
                        for f in without if isinstance(f.alert, Casualty))
        key = "ans_others_none" if with_figure else "ans_figures_by"
        text = t(lang, key, what=t(lang, what), who=who) if with_figure else f"{label(lang, key)}{who}"
        lines.append(Line.of(text))
    return _message(title, [*lines, *current], lang, which, facts)


def answer_where(facts: StoryFacts, lang: str) -> Message:
    lines: list[Line] = []
    named: list[str] = []
    for f in _root_first(list(facts.facts), root_fact(facts)):
        a = localize(f.alert, lang)
        if isinstance(a, Fighting):
            actors = f" ({', '.join(a.actors)})" if a.actors else ""
            country = f", {a.place.country}" if a.place and a.place.country else ""
            lines.append(Line.of(Span(f"{a.location}{country}", "bold"),
                                 f" — {t(lang, 'action_' + a.action)}{actors}"))
            lines.extend(cite(f, lang))
            named.append(a.location)
            named.extend(places_in(a.evidence or evidence_of(f), lang))  # every place of the fact
        elif isinstance(a, Casualty) and a.location:
            lines.append(Line.of(Span(a.location, "bold"), f" — {headline(f.alert, lang)}"))
            named.append(a.location)
            named.extend(places_in(a.evidence or evidence_of(f), lang))  # every place of the fact
    named = list(dict.fromkeys(named))
    if named:
        lines.insert(0, Line.of(Span(label(lang, 'ans_places_named'), "bold"), ", ".join(named)))
    else:
        lines.append(Line.of(t(lang, "ans_no_place")))
    return _message(t(lang, "ans_where"), lines, lang, "where", facts)


def answer_when(facts: StoryFacts, lang: str) -> Message:
    lines: list[Line] = []
    dated = 0
    for f in _root_first(list(facts.facts), root_fact(facts)):
        a = localize(f.alert, lang)
        if not ((isinstance(a, (Statement, Fighting)) and a.date) or (isinstance(a, Casualty) and a.since)):
            continue
        dated += 1
        if dated > SHORT:  # short: counted below
            continue
        if isinstance(a, Statement) and a.date:
            lines.append(Line.of(t(lang, "ans_spoke_on", who=a.speaker, date=a.date.isoformat())))
        elif isinstance(a, Fighting) and a.date:
            lines.append(Line.of(t(lang, "ans_fighting_on", where=a.location, date=a.date.isoformat())))
        elif isinstance(a, Casualty) and a.since:
            figures = f"{casualty_figures(a, lang)} ({reporter(a, lang)})"
            lines.append(Line.of(t(lang, "ans_toll_since", figures=figures, date=a.since.isoformat())))
        else:
            continue
        sentence = evidence_of(f)
        if sentence:
            lines.append(Line.of(Span(sentence, "quote", lang=f.source.lang)))
    lines.extend(_more(lang, dated - SHORT))
    root = root_fact(facts)
    published = [src for src in facts.sources if src.published]
    if root is not None and root.source in published:  # the article of the alert asked about
        published = [root.source]
    for src in published[:SHORT]:
        assert src.published is not None
        lines.append(Line.of(t(lang, "ans_published", date=src.published.isoformat())))
        lines.append(citation(src, lang))
    if not lines:
        lines.append(Line.of(t(lang, "ans_no_date")))
    return _message(t(lang, "ans_when"), lines, lang, "when", facts)


def answer_source(facts: StoryFacts, lang: str) -> Message:
    lines: list[Line] = []
    for src in facts.sources:
        n = sum(1 for f in facts.facts if f.source.article_id == src.article_id)
        lines.append(citation(src, lang))
        name = t(lang, "lang_" + src.lang) if src.lang else ""
        extra = f" ({name})" if name and not name.startswith("lang_") else ""
        lines.append(Line.of(f"   {t(lang, 'ans_alert_count', n=n)}{extra}"))
    return _message(t(lang, "ans_sources"), lines, lang, "source", facts)


def _fact_line(f: Fact, lang: str) -> Line:
    return Line.of(Span(headline(f.alert, lang), "bold"), Span(f"  [A{f.alert_id}]", "code"))


def answer_changed(facts: StoryFacts, lang: str) -> Message:
    lines: list[Line] = []
    ordered = sorted(facts.facts, key=lambda f: (f.created_at or dt.datetime.min.replace(tzinfo=dt.UTC), f.alert_id))
    first_article = ordered[0].source.article_id if ordered else None
    if len({s.article_id for s in facts.sources}) <= 1:
        lines.append(Line.of(t(lang, "ans_one_article")))
        lines.extend(_fact_line(f, lang) for f in ordered)
        return _message(t(lang, "ans_changed"), lines, lang, "changed", facts)
    by_reporter: dict[str, list[Fact]] = {}
    for f in ordered:
        if isinstance(f.alert, Casualty):
            by_reporter.setdefault(identity_of(f.alert)[0], []).append(f)  # one source, any spelling
    for group in by_reporter.values():
        if len(group) > 1:
            old, new = group[0].alert, group[-1].alert
            assert isinstance(old, Casualty) and isinstance(new, Casualty)
            lines.append(Line.of(Span(t(lang, "ans_figure_changed", who=reporter(new, lang),
                                       old=casualty_figures(old, lang), new=casualty_figures(new, lang)), "bold")))
            lines.extend(cite(group[-1], lang))
    newer = [f for f in ordered if f.source.article_id != first_article]
    for src in {f.source.article_id: f.source for f in newer}.values():
        lines.append(Line.of(Span(t(lang, "ans_new_in", title=src.title or src.outlet or "?"), "bold")))
        lines.extend(_fact_line(f, lang) for f in newer if f.source.article_id == src.article_id)
        lines.append(citation(src, lang))
    return _message(t(lang, "ans_changed"), lines, lang, "changed", facts)


def answer_else(facts: StoryFacts, lang: str) -> Message:
    others = [f for f in facts.facts if f.alert_id != facts.root_alert_id]
    lines: list[Line] = [Line.of(Span(t(lang, "ans_in_story"), "bold"))]
    lines.extend(_fact_line(f, lang) for f in others)
    if not others:
        lines.append(Line.of(t(lang, "ans_nothing_else")))
    if facts.elsewhere:
        lines.append(Line.of(Span(t(lang, "ans_elsewhere"), "bold")))
        lines.extend(_fact_line(f, lang) for f in facts.elsewhere)
    return _message(t(lang, "ans_else"), lines, lang, "else", facts)


def answer_unknown(facts: StoryFacts, lang: str, question: str, missing: list[str]) -> Message:
    lines: list[Line] = []
    if missing:
        lines.append(Line.of(t(lang, "ans_not_found_terms", terms=echo(", ".join(missing)))))
    else:
        lines.append(Line.of(t(lang, "ans_no_direct")))
    close = closest_sentences(question, facts)
    if close:
        lines.append(Line.of(Span(t(lang, "ans_closest"), "bold")))
        for sentence, src in close:
            lines.append(Line.of(Span(sentence, "quote", lang=src.lang)))
            lines.append(citation(src, lang))
    else:
        lines.append(Line.of(t(lang, "ans_no_close")))
    title = t(lang, "ans_not_found" if missing else "ans_no_direct_title")
    return _message(title, lines, lang, "unknown", facts)


def story_words(facts: StoryFacts) -> set[str]:
    words: set[str] = set()
    for src in facts.sources:
        words |= _word_set(f"{src.title or ''} {src.outlet or ''} {src.text}")
    for f in facts.facts:
        a = f.alert
        if isinstance(a, Statement):
            words |= _word_set(f"{a.speaker} {a.speaker_role or ''} {a.quote} {translate(a.speaker_role, PIVOT)}")
        elif isinstance(a, Fighting):
            words |= _word_set(f"{a.location} {' '.join(a.actors)} {translate(a.location, PIVOT)}")
        else:
            words |= _word_set(f"{a.reported_by or ''} {a.victims or ''} {a.location or ''} "
                               f"{translate(a.reported_by, PIVOT)} {translate(a.victims, PIVOT)}")
    return words


def answer(question: str, facts: StoryFacts, *, default_lang: str = langpack.FALLBACK) -> Message:
    """The answer to `question` from the story's facts, in the question's language."""
    lang = detect_lang(question, default_lang)
    intent = detect_intent(question)
    known = story_words(facts)
    missing_all = [w for w in content_words(question) if not _found(w, known)]
    # Names the sources never mention make an answer a guess: say so instead.
    names = {fold(w) for w in re.findall(r"[\w\-]+", question)[1:] if w[:1].isupper()}
    missing_names = [w for w in missing_all if w in names]
    if intent is None or missing_names:
        shown = missing_names or missing_all
        original = {fold(w): w for w in re.findall(r"[\w\-]+", question)}
        return answer_unknown(facts, lang, question, [original.get(w, w) for w in shown])
    if intent in ("who", "said"):
        # "Who is Ghassan Salame?", "What did Haftar say?": a name the sources mention but never quote.
        speakers = {w for f in facts.facts if isinstance(f.alert, Statement) for w in fold(f.alert.speaker).split()}
        unquoted = {w for w in names if w not in speakers and w in content_words(question) and not places_in(w, PIVOT)}
        if unquoted and not names & speakers:
            return answer_unknown(facts, lang, question, [])
    if intent == "who":
        return answer_who(facts, lang)
    if intent == "said":
        return answer_said(facts, lang, question)
    if intent in ("killed", "wounded", "casualties"):
        return answer_casualties(facts, lang, intent, question)
    if intent == "where":
        return answer_where(facts, lang)
    if intent == "when":
        return answer_when(facts, lang)
    if intent == "source":
        return answer_source(facts, lang)
    if intent == "changed":
        return answer_changed(facts, lang)
    return answer_else(facts, lang)
