"""One pass over an article's sentences, feeding the statement, fighting and casualty rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.core.extract.casualties import CasualtyBook, Figure, figures_in, pair_figures, since_for
from bot.core.extract.confidence import CasualtyEvidence, casualty_confidence
from bot.core.extract.dates import DateMention, count_windows, event_start_dates, find_dates, since_event
from bot.core.extract.fighting import FightingBook
from bot.core.extract.gazetteer import load_gazetteer
from bot.core.extract.lexicon import Lexicon
from bot.core.extract.numbers import find_numbers
from bot.core.extract.page import page_body
from bot.core.extract.speakers import Clause, find_clauses, is_name_word, person_mentions
from bot.core.extract.statements import Group, SpeakerBook, add_clause, to_statements
from bot.core.extract.text import Sentence, Token, fold_phrase, quote_spans, split_sentences
from bot.core.models import Alert, Article, Casualty, fold

ATTRIBUTION_REACH = 22  # tokens before "selon X" that it still vouches for
# characters read from one article: the longest live blogs run to ~150,000; a page of 2 MB is a dump
# of reader comments, and reading all of it costs seconds for no news
MAX_TEXT = 400_000


def article_text(article: Article) -> str:
    """The body, with the title in front unless the body already opens with it."""
    text = article.text[:MAX_TEXT]
    title = (article.title or "").strip()
    if title and fold(title) not in fold(text[: len(title) * 3 + 200]):
        return f"{title}.\n{text}"
    return text


def _is_headline(sent: Sentence, article: Article) -> bool:
    """The first sentence is the headline: the title, or a first line without a full stop."""
    if article.title and fold(article.title) == fold(sent.text):
        return True
    line = sent.text.rstrip()
    return "\n" not in line and not line.endswith((".", "!", "?", "»", "\"", "”"))


def _source(
    pos: int, clauses: list[tuple[Clause, Group | None]], quotes: list[tuple[int, int]], alone: bool = False,
    figures: tuple[int, ...] = (),
) -> str | None:
    """Who gives the figure at token `pos`.

    An attribution ("selon l'OSDH") covers its whole sentence; otherwise the clause whose
    reported content holds the figure; a figure inside a quotation belongs to the clause nearest
    to that quotation.
    """
    # "5.000 morts selon l'ONU, ... cinq civils tombés ... à Douma, selon l'OSDH": the first
    # attribution after a figure vouches for it however far, when no other figure stands between
    # (then it is that figure's)
    after = min(((clause.start, group.name) for clause, group in clauses
                 if clause.attribution and group is not None and clause.start > pos), default=None)
    if after is not None and not any(pos < f < after[0] for f in figures):
        return after[1]
    # "..., selon l'OSDH" vouches for the figures just before it (or anywhere after "Selon X,");
    # of several, the nearest
    vouching = [(abs(clause.start - pos), group.name) for clause, group in clauses
                if clause.attribution and group is not None and (
                    clause.start <= 1 or pos >= clause.end or 0 <= clause.start - pos <= ATTRIBUTION_REACH)]
    if vouching:
        return min(vouching)[1]
    best: tuple[int, str] | None = None
    for clause, group in clauses:
        c0, c1 = clause.content
        holds = group is not None and not clause.attribution and c0 <= pos < c1
        if group is not None and holds and (best is None or c1 - c0 < best[0]):
            best = (c1 - c0, group.name)
    inside = any(a <= pos < b for a, b in quotes)
    if best is None and inside:
        near = [(min(abs(c.start - pos), abs(pos - c.end)), g.name) for c, g in clauses if g is not None]
        if near:
            return min(near)[1]
    if best is None and not inside and alone:
        # the sentence's only figure, one attribution and no one else speaking: it vouches however
        # far it is (with several figures, a far attribution is the last one's)
        sources = {g.name for c, g in clauses if c.attribution and g is not None}
        if len(sources) == 1 and all(c.attribution for c, _ in clauses):
            return sources.pop()
    return best[1] if best else None


AGENT_REACH = 7  # tokens from a figure to the participle naming its source ("tués annoncés ... par")
PLACE_AFTER = 6  # tokens after a figure within which a place is the figure's own ("12 killed in X")
CARRY_REACH = 4  # sentences a figure "of others" still takes the last figure's source from


def _agent_source(sent: Sentence, end: int, lex: Lexicon) -> str | None:
    """"les 20.000 tués annoncés le mois dernier par la rébellion", "a toll of 40 given by the
    ministry": a passive participle of reporting after the figure names its source."""
    toks = sent.tokens
    n = len(toks)
    for i in range(end, min(n, end + AGENT_REACH)):
        t = toks[i]
        if t.text in ",;:.()" or t.low in lex.clause_boundaries:
            return None
        # the participles of giving a figure only: "claimed by Daesh" is who claims the attack
        if not t.is_word or t.is_cap or t.low not in lex.toll_givers:
            continue
        for j in range(i + 1, min(n, i + 5)):
            if toks[j].text in ",;:.()":
                return None
            if toks[j].low in lex.agent_markers:
                s = j + 1
                while s < n and (toks[s].low in lex.determiners or toks[s].low in lex.articles
                                 or toks[s].text in "'’"):
                    s += 1
                e = s
                while e < n and e - s < 6 and (toks[e].is_word or toks[e].text in "'’-") \
                        and toks[e].low not in lex.np_breakers and toks[e].low not in lex.clause_boundaries:
                    e += 1
                while e > s and (toks[e - 1].low in lex.articles or toks[e - 1].low in lex.genitives
                                 or toks[e - 1].text in "'’"):
                    e -= 1
                return sent.span(s, e) if e > s and not toks[s].is_digit else None
        return None
    return None


def _carried(clauses: list[tuple[Clause, Group | None]], filed: list[Casualty]) -> str | None:
    """The source a figure in the next sentence without a source of its own still comes from
    ("Selon l'ONG, 12 civils ... . Près de Hama, sept autres villageois ont péri."): the one
    source of the sentence's figures, or else its one attribution ("selon X", "according to X")."""
    sources = {c.reported_by for c in filed if c.reported_by}
    if filed:
        return sources.pop() if len(sources) == 1 else None
    names = {g.name for c, g in clauses if g is not None and c.attribution}
    return names.pop() if len(names) == 1 else None


def _nearest_place(pos: int, places: list[str], starts: list[int]) -> str | None:
    """The sentence's place closest to the figure, one after it first ("killed two civilians in
    Kherson" after "attacks around Bakhmut")."""
    if not places:
        return None
    if len(starts) != len(places):
        return places[0]
    # "2 killed in Katsiro and 2 killed in the Bishusha area": the place the figure's own phrase
    # goes on to name comes first
    after = [(st, pl) for st, pl in zip(starts, places, strict=True) if pos < st <= pos + PLACE_AFTER]
    if after:
        return min(after)[1]
    return min(zip(starts, places, strict=True), key=lambda sp: (abs(sp[0] - pos), sp[0] < pos))[1]


def _casualties(sent: Sentence, lex: Lexicon, article: Article, clauses: list[tuple[Clause, Group | None]],
                book: CasualtyBook, dates: list[DateMention], places: list[str],
                quotes: list[tuple[int, int]], continues: bool, figures: list[Figure],
                headline: bool, carried: str | None = None, place_starts: list[int] | None = None) -> None:
    for _, group in clauses:
        if group is not None and group.role:
            book.roles[fold(group.name)] = group.role
    pairs = pair_figures(figures)
    # a sentence that goes on from the one before ("d'autres", "another") keeps its source
    follows = lex.continuation.occurs_in(sent.tokens)
    if len(pairs) == 1 and pairs[0].killed is None and pairs[0].wounded is not None and continues:
        w = pairs[0].wounded
        toks = sent.tokens
        near = range(max(0, w.number.start - 2), min(len(toks), w.number.end + 1))
        if any(lex.continuation.match(toks, k) for k in near) and book.add_wounded(w):
            return
    # a figure that goes on from the one before ("et six autres", "and five more") shares its source
    toks = sent.tokens
    starts = tuple(f.number.start for f in figures if not any(
        lex.continuation.match(toks, k) for k in range(f.number.end, min(len(toks), f.number.end + 2))))
    for p in pairs:
        first = p.killed or p.wounded
        if first is None:
            continue
        reported_by = _source(first.number.start, clauses, quotes, len(pairs) == 1, starts) \
            or _agent_source(sent, max(f.number.end for f in (p.killed, p.wounded) if f is not None), lex) or (
            carried if not clauses and not headline and follows else None)
        parts = [f for f in (p.killed, p.wounded) if f is not None]
        confidence = casualty_confidence(CasualtyEvidence(
            noun_after=any(f.noun_after for f in parts), victims=any(f.counted for f in parts),
            verb_before=any(f.verb_before for f in parts),
            digits=sent.tokens[first.number.start].is_digit, sourced=reported_by is not None,
            headline=headline, ranged=first.ranged, toll=first.toll))
        book.add(headline=headline, c=Casualty(
            article_id=article.id,
            killed=p.killed.number.value if p.killed else None,
            wounded=p.wounded.number.value if p.wounded else None,
            qualifier=first.qualifier,
            victims=first.victims,
            reported_by=reported_by,
            since=since_for(dates, first.number.start),
            location=_nearest_place(first.number.start, places, place_starts or []),
            evidence=sent.text,
            confidence=confidence,
        ))


def run(article: Article, lex: Lexicon) -> list[Alert]:
    book = SpeakerBook(lex)
    casualties = CasualtyBook(article.id)
    gaz = load_gazetteer()
    fighting = FightingBook(article.id, gaz, article.published)
    all_tokens: list[Token] = []
    had_figure = False  # the sentence before filed a figure (a following "another 8 wounded" completes it)
    carried: str | None = None  # the one source the sentence before named
    last_source: tuple[int, str] | None = None  # the sentence and source of the last sourced figure
    previous: Sentence | None = None
    sentences = split_sentences(page_body(article_text(article), lex), lex.abbreviations)
    # the days the article says its events began, for "since the start of the offensive" anywhere
    starts: dict[str, dt.date] = {}
    # words the article writes in lower case ("al-Reshdia" is a name, however it starts)
    fighting.common = frozenset(t.low for s in sentences for t in s.tokens if t.text[:1].islower()
                                and ("-" not in t.text or not is_name_word(t, lex)))
    for sent in sentences:
        if lex.event_launch.occurs_in(sent.tokens) and lex.event_nouns.occurs_in(sent.tokens):
            event_start_dates(sent.tokens, lex, find_dates(sent.tokens, lex, article.published), starts)
    for sent in sentences:
        lead = next((k for k, t in enumerate(sent.tokens) if not t.is_digit), 0)
        if lex.link_markers.match(sent.tokens, lead) is not None:
            continue  # "Lire aussi : ...", "0 85 Related ...": a link to another story (after share counts)
        all_tokens.extend(sent.tokens)
        book.note_titles(sent)
        quotes = quote_spans(sent)
        dates = find_dates(sent.tokens, lex, article.published)
        events_since = since_event(sent.tokens, lex, starts, dates)
        if events_since:
            # a date the clause counts from replaces the same date read as the day of the event
            at = {d.start for d in events_since}
            dates = sorted([d for d in dates if d.start not in at] + events_since, key=lambda d: d.start)
        # a disaster or an accident ("a boat capsized", "un séisme") kills no one by violence
        disaster = lex.disasters.occurs_in(sent.tokens)
        numbers = find_numbers(sent.tokens, lex)
        figures = [] if disaster else figures_in(sent, numbers, lex, dates,
                                                   article.published.year if article.published else None)
        # "en deux jours", "in the past 24 hours": where a count runs from, after any date it names
        windows = count_windows(sent.tokens, numbers, lex, article.published) if figures else []
        # a source known only by its place after "selon" vouches for figures, and says nothing else
        clauses = [c for c in find_clauses(sent, lex, quotes, dates) if figures or not c.speaker.plain]
        # "celui-ci", "the latter": the last person named, in this sentence or the one before
        for i, c in enumerate(clauses):
            if c.speaker.pronoun and fold_phrase(c.speaker.name) in lex.demonstratives.labels:
                here = [spk for k, spk in person_mentions(sent, lex) if k < c.start]
                prior = person_mentions(previous, lex) if previous is not None else []
                latest = here[-1] if here else (prior[-1][1] if prior else None)
                if latest is not None:
                    clauses[i] = replace(c, speaker=latest)
        previous = sent
        # each quotation goes to the nearest clause of its sentence
        mine: dict[int, list[tuple[int, int]]] = {i: [] for i in range(len(clauses))}
        for q in quotes:
            if clauses:
                best = min(range(len(clauses)), key=lambda i: min(abs(clauses[i].start - q[1]),
                                                                  abs(q[0] - clauses[i].end)))
                mine[best].append(q)
        # (speech) a headline reads as speech without saying who said what: its statements count less
        said_in_headline = sent.index == 0 and _is_headline(sent, article)
        resolved = [(c, add_clause(book, c, mine[i], sent.index * 10 + i, bool(figures), said_in_headline))
                    for i, c in enumerate(clauses)]
        speaking = {fold(c.speaker.name) for c in clauses}
        fighting.note_people(sent, lex)
        for c in clauses:
            if c.speaker.person:
                fighting.note_person(c.speaker.name)
        places = fighting.add_sentence(sent, lex, [disaster] * len(sent.tokens), dates, speaking,
                                       tuple((c.start, c.end) for c in clauses))
        before = len(casualties.alerts)
        headline = sent.index == 0 and _is_headline(sent, article)
        # "Dans d'autres secteurs, 16 civils ont été tués": figures "of others" after sentences
        # without any still come from the last figures' source
        if carried is None and not had_figure and last_source is not None \
                and sent.index - last_source[0] <= CARRY_REACH:
            carried = last_source[1]
        _casualties(sent, lex, article, resolved, casualties, dates + windows, places, quotes, had_figure, figures,
                    headline, carried, fighting.place_starts)
        carried = _carried(resolved, casualties.alerts[before:])
        sourced = [c.reported_by for c in casualties.alerts[before:] if c.reported_by]
        if sourced:
            last_source = (sent.index, sourced[-1])
        had_figure = len(casualties.alerts) > before
    alerts: list[Alert] = []
    alerts.extend(to_statements(book, article.id, article.published))
    alerts.extend(fighting.alerts(gaz.countries_in(all_tokens)))
    alerts.extend(casualties.alerts)
    return alerts
