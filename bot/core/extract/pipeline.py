"""One pass over an article's sentences, feeding the statement, fighting and casualty rules."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from bot.core.extract.casualties import CasualtyBook, Figure, figures_in, pair_figures, since_for
from bot.core.extract.confidence import CasualtyEvidence, casualty_confidence
from bot.core.extract.dates import DateMention, count_windows, event_start_dates, find_dates, since_event
from bot.core.extract.fighting import FightingBook
from bot.core.extract.gazetteer import load_gazetteer
from bot.core.extract.lexicon import Lexicon, PhraseSet
from bot.core.extract.numbers import find_numbers
from bot.core.extract.speakers import Clause, find_clauses, is_name_word, person_mentions
from bot.core.extract.statements import Group, SpeakerBook, add_clause, to_statements
from bot.core.extract.text import Sentence, Token, fold_phrase, fold_word, quote_spans, split_sentences, tokenize
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


PAGE_END_AFTER = 400  # characters of body before a heading can close the article
PAGE_END_HEADING = 60  # a longer line is text, not a heading


COMMENT_MIN_LINES = 5  # fewer lines say nothing of a page's comments, or of the article before them
COMMENTS_AFTER_BOX = 0.25  # share of lines in a reader's voice after a box of other stories: comments follow
COMMENTS_SHARE = 0.3  # share of such lines that makes the end of a page its comments, with no heading
ARTICLE_SHARE = 0.15  # at most this share of them before: the plain article the comments are under
MAX_QUOTE_CHARS = 2000  # a quotation mark left open does not hide the rest of a long line
_QUOTED = re.compile(f"«[^»]{{0,{MAX_QUOTE_CHARS}}}»|\"[^\"]{{0,{MAX_QUOTE_CHARS}}}\"|“[^”]{{0,{MAX_QUOTE_CHARS}}}”")
_WORDS = re.compile(r"([^\W\d_]+)(['’]?)")


def _in_reader_voice(line: str, lex: Lexicon) -> bool:
    """A line that says "I" or "you", or exclaims, outside quotation marks (a question is as often an
    explainer's subheading: "What happened?"). A word cut by an apostrophe is one only when it is a
    letter elided ("j'ai"): "Ma'arouf" is a name."""
    bare = _QUOTED.sub(" ", line).strip()
    return bare.endswith("!") or any(
        w in lex.reader_voice and (not cut or len(w) == 1) for w, cut in _WORDS.findall(bare.lower()))


def _whole_heading(head: str, markers: PhraseSet) -> bool:
    """The line is one of these headings and nothing else (a count before it aside: "12 commentaires")."""
    toks = [t for t in tokenize(head) if not t.is_digit]
    m = markers.match(toks, 0) if toks else None
    return m is not None and m[0] == len(toks)


def page_body(text: str, lex: Lexicon) -> str:
    """The article without what follows it on its page (near the top, any line is left: the page's menu).

    - A line that is only the heading of reader comments ("Charte de modération", "12 commentaires") or
      that opens a blog's footer ends the article.
    - The heading of a box of other stories or of a share bar ("Dans la même rubrique", "Partager cet
      article") ends it in the second half of the page, or higher up when what follows reads as comments
      (`COMMENTS_AFTER_BOX`); otherwise it is a box inside the article.
    - With no heading, comments are read from the voice of the lines: the page ends where a run of lines
      in a reader's voice begins (`COMMENTS_SHARE` of the lines to the end) after a plain article
      (`ARTICLE_SHARE`). An interview or an explainer speaks that way from its top: it is left whole."""
    lines = text.splitlines(keepends=True)
    starts: list[int] = []  # offset of each non-empty line
    voiced: list[bool] = []
    pos = 0
    for line in lines:
        if line.strip():
            starts.append(pos)
            voiced.append(_in_reader_voice(line, lex))
        pos += len(line)
    n = len(voiced)
    after = [0] * (n + 1)  # voiced lines from line k to the end
    for k in range(n - 1, -1, -1):
        after[k] = after[k + 1] + voiced[k]
    end = _headed_end(text, starts, after, lex)  # the first line no more of the article, by a heading
    # then a run of comments with no heading before that line (the page's own furniture after it, which
    # also says "vous", is gone with it)
    for k in range(COMMENT_MIN_LINES, end):
        rest = end - k
        voices = after[k] - after[end]
        if voiced[k] and starts[k] >= PAGE_END_AFTER and rest >= COMMENT_MIN_LINES \
                and voices >= COMMENTS_SHARE * rest and after[0] - after[k] <= ARTICLE_SHARE * k:
            return text[:starts[k]]
    return text if end == n else text[:starts[end]]


def _headed_end(text: str, starts: list[int], after: list[int], lex: Lexicon) -> int:
    """The index of the first line that a heading or a blog's footer ends the article at (their count when
    none does): see `page_body`."""
    n = len(starts)
    half = len(text) // 2
    for k, at in enumerate(starts):
        if at < PAGE_END_AFTER:
            continue
        head = text[at : starts[k + 1] if k + 1 < n else len(text)].strip().rstrip(" :|/").strip()
        if len(head) <= PAGE_END_HEADING:
            if _whole_heading(head, lex.page_end_markers):
                return k
            rest = n - k - 1
            if _whole_heading(head, lex.other_stories_markers) and (at >= half or (
                    rest >= COMMENT_MIN_LINES and after[k + 1] >= COMMENTS_AFTER_BOX * rest)):
                return k
        first = head.split(None, 1)[0].strip(",.:;!?")
        if first and lex.page_end_openers.may_start_with(fold_word(first)) \
                and lex.page_end_openers.match(tokenize(head[:PAGE_END_HEADING * 2]), 0) is not None:
            return k  # "Vous pouvez suivre les réponses à cet article…": a blog's footer
    return n


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
