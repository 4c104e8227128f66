"""Casualty figures: numbers of people killed or wounded, with qualifier, source and start date.

A number counts when the words around it say people died or were hurt: a casualty noun right
after it ("35 morts", "23 dead"), a victim noun and then a casualty verb in the same stretch of
clause ("21 personnes ... ont été tuées"), or a casualty verb just before it ("killing five").
Units after the number (years, kilometres, vehicles, months) and four-digit years rule it out.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, replace

from bot.core.extract.dates import DateMention
from bot.core.extract.lexicon import Lexicon
from bot.core.extract.numbers import Number, year_value
from bot.core.extract.speechwords import speech_words
from bot.core.extract.text import Sentence, Token, quote_spans
from bot.core.models import Casualty, Qualifier, fold

WINDOW_WITH_VICTIM = 14  # tokens between "21 personnes" and "tuées"
WINDOW_BARE = 5  # tokens between a bare number and its verb ("Another 8 were wounded")
BACK_WINDOW = 4  # tokens between "killing" and "five"
TOLL_REACH = 20  # tokens between "the death toll" and "has risen to 40"
SUBSET_REACH = 4  # tokens a listed part adds to the reach of its total's verb (the number, its victims, a comma)
OWN_VERB_REACH = 3  # tokens between a listed part's victims and a casualty verb of its own ("ont été blessées")
OWN_NOUN_WORDS = 6  # words of its noun phrase between a figure and its own casualty word ("of the same family")
_HARD_STOP = frozenset(";:.!?()")  # quote marks are transparent: 12 « terroristes » tués


@dataclass(frozen=True, slots=True)
class Figure:
    number: Number
    kind: str  # "killed" or "wounded"
    victims: str | None
    qualifier: Qualifier
    noun_after: bool = False  # the casualty word right after the number ("35 morts")
    counted: bool = False  # a noun of people is counted ("21 civils")
    toll: bool = False  # "the death toll rose to 40"
    ranged: bool = False  # one bound of a range
    verb_before: bool = False  # a casualty verb right before the number ("killing 40", "a tué 8")


def _casualty_at(tokens: tuple[Token, ...], k: int, lex: Lexicon) -> tuple[int, str] | None:
    m = lex.killed.match(tokens, k)
    if m is not None:
        return m[0], "killed"
    m = lex.wounded.match(tokens, k)
    if m is not None:
        return m[0], "wounded"
    return None


def _victims_own_word(tokens: tuple[Token, ...], j: int, lex: Lexicon) -> bool:
    """A victim noun at j with a casualty word right after it: "two people killed", "12 others injured"."""
    m = lex.victims.match(tokens, j)
    return m is not None and _casualty_at(tokens, j + m[0], lex) is not None


def _unit_after(tokens: tuple[Token, ...], j: int, lex: Lexicon) -> bool:
    """A unit after the number: "30 kilomètres", "60 ans", "a 25-year-old man", "12 vehicles"."""
    k = j
    while k < len(tokens) and k - j < 3 and (tokens[k].low in lex.articles or tokens[k].text in "'’-"):
        k += 1
    if k + 1 < len(tokens) and tokens[k].is_cap and tokens[k + 1].low in lex.non_people_units:
        k += 1  # "4 Syrian towns", "3 Israeli tanks"
    return k < len(tokens) and (tokens[k].low.split("-")[0] in lex.non_people_units or tokens[k].text in "%/")


def _is_candidate(num: Number, tokens: tuple[Token, ...], lex: Lexicon, date_tokens: set[int]) -> bool:
    if num.start in date_tokens or num.year_like:
        return False
    k = num.start
    # "0 85 12 Daesh terrorists": numbers side by side are page furniture (share counts) but
    # the last one, which the noun after it counts
    if num.end < len(tokens) and tokens[num.end].is_digit:
        return False
    if k > 0 and tokens[k - 1].low in lex.label_nouns:
        return False  # "Route 5", "Resolution 2231", "la brigade 47": a label, not a count
    if lex.coding_notes.match_end(tokens, k - lex.qualifiers.match_end(tokens, k)):
        return False  # "(coded as 7 fatalities)": a dataset's note, not a report
    for gap in (2, 1):  # "two of the three attackers", "deux des trois assaillants"
        g = k - gap
        if g < 1 or tokens[g].low not in lex.genitives:
            continue
        joined = all(tokens[x].low in lex.articles or tokens[x].low in lex.genitives for x in range(g, k))
        if joined and (tokens[g - 1].is_digit or tokens[g - 1].low in lex.number_starts):
            # the count the figure is taken from, unless its own casualty word follows its victims: then
            # it is the toll and the number before is one of it ("one of three people killed")
            m = lex.victims.match(tokens, num.end)
            if _casualty_at(tokens, num.end + (m[0] if m is not None else 0), lex) is None:
                return False
    # "14 children and a woman were among those killed": a part of a toll told elsewhere
    for a in range(num.end, min(len(tokens), num.end + 6)):
        if lex.subset_after.match(tokens, a) is not None:
            return False
        if not tokens[a].is_word:
            break
    # "five civilians of one family", "trois membres d'une même famille": whom the victims belong to
    if k >= 2 and tokens[k - 1].low in lex.genitives and lex.victims.match_end(tokens, k - 1) > 0 \
            and tokens[k - 2].low not in lex.death_nouns and _casualty_at(tokens, k - 2, lex) is None \
            and lex.victims.match(tokens, num.end) is not None:
        return False  # ("la mort de 128 personnes", "a family of six killed" are figures)
    # "Cinquante-huit des 360 enfants blessés", "58 of the 360 wounded", "one of two people killed": a
    # part of the count after it; "14 of the dead were rebels", "five of those killed": a part of a toll
    # told elsewhere ("three of the wounded died" says a new toll but reads as one of the wounded: none)
    e = num.end
    if e < len(tokens) and tokens[e].low in lex.genitives:
        e += 1
        while e < len(tokens) and (tokens[e].low in lex.articles or tokens[e].low in lex.determiners
                                   or tokens[e].text in "'’") and e - num.end < 3:
            e += 1
        if e < len(tokens) and tokens[e].is_digit:
            return False
        if e < len(tokens) and tokens[e].low in lex.number_starts:
            # "one of two people killed" (the toll is the total) but "two of the three attackers were
            # killed" (the part is): a total in words counts when its casualty word follows its victims
            while e < len(tokens) and tokens[e].low in lex.number_starts:
                e += 1
            if _victims_own_word(tokens, e, lex):
                return False
        if e < len(tokens) and e - num.end >= 2 and _casualty_at(tokens, e, lex) is not None:
            return False
        # "12 people, 4 of them children": who some of them were ("five of them were killed" is a toll)
        if e + 1 < len(tokens) and tokens[e].low in lex.group_pronouns and lex.victims.match(tokens, e + 1) is not None:
            return False
    return not _unit_after(tokens, num.end, lex)


def _qualifier(tokens: tuple[Token, ...], num: Number, lex: Lexicon, kill_before: int | None) -> Qualifier:
    start = num.start
    while num.approx and start > 0 and tokens[start - 1].text in "'’":
        start -= 1  # "plus d'une centaine"
    n = lex.qualifiers.match_end(tokens, start)
    if n:
        label = lex.qualifiers.match(tokens, start - n)
        # an explicit bound outweighs an approximate number word: "plus d'une centaine", "at least a dozen"
        if label is not None and (label[1] in ("at_least", "more_than", "up_to")
                                  or (label[1] == "about" and not num.approx)):
            return label[1]  # type: ignore[return-value]
    return "about" if num.approx else "exact"


def _backward(toks: tuple[Token, ...], num: Number, lex: Lexicon, reach: int,
              date_tokens: set[int]) -> str | None:
    """A casualty verb or death noun just before the number: "killing five", "la mort de 7"."""
    b = num.start - 1
    while b >= 0 and num.start - b <= reach:
        t = toks[b]
        # "was killed and six others were injured": a conjunction right after the verb opens another
        # clause ("killed two policemen and four civilians" coordinates its objects)
        if t.text in _HARD_STOP or t.text == "," or (
                t.low in lex.num_connectors and b > 0 and _casualty_at(toks, b - 1, lex) is not None):
            return None
        hit = _casualty_at(toks, b, lex)
        if hit is not None:
            return hit[1]
        if t.low in lex.death_nouns:
            return "killed"
        if b not in date_tokens and not (t.low in lex.articles or t.low in lex.auxiliaries or t.text in "'’"
                                         or lex.qualifiers.match(toks, b) is not None or t.is_word):
            return None
        b -= 1
    return None


def _death_of(toks: tuple[Token, ...], num: Number, lex: Lexicon) -> bool:
    """A death noun and a genitive right before the number: "the death of one civilian", "la mort
    de 7 soldats"."""
    b = num.start - lex.qualifiers.match_end(toks, num.start)
    while b > 0 and (toks[b - 1].low in lex.articles and toks[b - 1].low not in lex.genitives):
        b -= 1
    return b >= 2 and toks[b - 1].low in lex.genitives and toks[b - 2].low in lex.death_nouns


def _toll_before(toks: tuple[Token, ...], num: Number, lex: Lexicon, date_tokens: set[int]) -> bool:
    """A death toll said to stand at the number: "the death toll has risen to 40", "le bilan s'élève à 40"."""
    b = num.start - lex.qualifiers.match_end(toks, num.start)
    while b > 0 and b - 1 in date_tokens:
        b -= 1
    m = lex.toll_verbs.match_end(toks, b)
    if not m:
        return False
    a = b - m
    while a > 0 and b - a < TOLL_REACH:
        if toks[a - 1].text in _HARD_STOP:
            return False
        if lex.toll_nouns.match_end(toks, a):
            return True
        a -= 1
    return False


def _is_subset(toks: tuple[Token, ...], num: Number, lex: Lexicon) -> bool:
    """"dont 4 enfants", "including 3 children": a part of the figure before, not a figure."""
    return lex.subset_markers.match_end(toks, num.start - (lex.qualifiers.match_end(toks, num.start))) > 0


def _coordinated(toks: tuple[Token, ...], prev: Number, num: Number, lex: Lexicon, *, closed: bool,
                 told: bool) -> bool:
    """`num` is joined to `prev` as the next item of one list of parts: "four women and two children",
    "3 enfants, 2 femmes et un vieillard" (its victims and a comma or conjunction between, nothing else).
    `closed`: the list already ended on a conjunction, so a comma after it opens something else
    ("Including four women and two children, 25 people were killed"); `told`: the total had its casualty
    word before the parts, so a part with a verb of its own is a figure ("killed 12 people including three
    children and 40 people were wounded")."""
    end = num.start - lex.qualifiers.match_end(toks, num.start)
    gap = toks[prev.end : end]
    after = num.end
    if after < len(toks) and (_casualty_at(toks, after, lex) is not None or toks[after].low in lex.continuation):
        return False  # "… and more than 30 wounded", "… and 43 others were injured": a figure of its own
    m = lex.victims.match(toks, prev.end)
    bare = m is not None and prev.end + m[0] == end  # "seven women three children": a comma lost
    if not gap or len(gap) > 6 or not (bare or gap[-1].low in lex.num_connectors
                                       or (gap[-1].text == "," and not closed)):
        return False
    if told:  # the part's own verb: an auxiliary and a casualty word after its victims ("ont été blessées";
        # a bare participle is the part's description: "two women killed in their homes")
        m = lex.victims.match(toks, after)
        v = after + (m[0] if m is not None else 0)
        finite = False
        for a in range(v, min(len(toks), v + OWN_VERB_REACH)):
            if finite and _casualty_at(toks, a, lex) is not None:
                return False
            if not toks[a].is_word or toks[a].low in lex.num_connectors:
                break
            finite = finite or toks[a].low in lex.auxiliaries
    return all(t.is_word and t.low not in lex.clause_boundaries and _casualty_at(toks, prev.end + i, lex) is None
               and not lex.is_reporting_word(t.low) for i, t in enumerate(gap if bare else gap[:-1]))


def _date_like(toks: tuple[Token, ...], j: int, lex: Lexicon) -> bool:
    """"3 and 9 May": a number joined to a day of a month."""
    for k in range(j, min(len(toks), j + 4)):
        if toks[k].low in lex.months:
            return True
        if not (toks[k].is_digit or toks[k].low in lex.num_connectors):
            return False
    return False


_OPENERS = {"(": ")", ",": ",", "-": "-", "—": "—", "–": "–", ":": None}


def _breakdown(toks: tuple[Token, ...], k: int, starts: dict[int, Number], lex: Lexicon) -> tuple[int, int] | None:
    """A list of parts in apposition after a total ("17 personnes, quatre policiers, six assaillants
    et sept passants, ont péri"; "64 people -- 30 civilians and 34 guards -- died"): the span of the
    list, from its opening mark to just after its closing one, or None."""
    n = len(toks)
    if k >= n or toks[k].text not in _OPENERS:
        return None
    opener = toks[k].text
    closer = _OPENERS[opener]
    a = k + 1
    while a < n and toks[a].text == opener and opener in "-":
        a += 1  # "--"
    parts = 0
    while a < n and a - k < 40:
        num = starts.get(a)
        if num is None:
            return None
        parts += 1
        a = num.end
        m = lex.victims.match(toks, a)
        if m is None:
            return None
        a += m[0]
        while a < n and toks[a].is_word and toks[a].low not in lex.num_connectors \
                and _casualty_at(toks, a, lex) is None and a not in starts:
            a += 1  # "76 civils syriens"
        if a >= n:
            return None
        t = toks[a]
        if closer is not None and t.text == closer and (parts >= 2 and (a + 1 >= n or starts.get(a + 1) is None)):
            e = a + 1
            while e < n and toks[e].text == closer and closer in "-":
                e += 1
            return (k, e)
        if closer is None and t.text in ".;" and parts >= 2:
            return (k, a)
        if t.text == "," or t.low in lex.num_connectors:
            a += 1
            if a < n and toks[a].low in lex.num_connectors:
                a += 1  # ", et"
            continue
        return None
    return None


def _history(toks: tuple[Token, ...], lex: Lexicon, dates: list[DateMention], year: int | None) -> bool:
    """The sentence tells of a time long past ("les attentats de 1997 (62 morts)", "Verdun ... 1916"):
    a year or a dated day before last year, unless a count runs from it ("since 2011", "depuis mars
    2011"), which makes it a toll up to now."""
    if year is None:
        return False
    if any(d.since for d in dates):
        return False
    in_date = {i for d in dates for i in range(d.start, d.end)}
    if any(d.date.year < year - 1 for d in dates):
        return not any(lex.since.match_end(toks, d.start) for d in dates)
    for i, t in enumerate(toks):
        if len(t.text) != 4:
            continue
        unit = i + 1 < len(toks) and toks[i + 1].low in lex.non_people_units  # "1801mm", "1500 km"
        past = i not in in_date and not unit and 1800 < (year_value(t) or 0) < year - 1
        # "depuis 2011", "depuis mars 2011", "since early 2011" count from the year; a "since"
        # elsewhere in the sentence does not ("des" folds like "dès")
        if past and not any(lex.since.match_end(toks, b) for b in range(max(0, i - 2), i + 1)):
            return True
    return False


def _next_figure_verb(toks: tuple[Token, ...], a: int, lex: Lexicon, starts: set[int]) -> bool:
    """The casualty word at `a` governs the number right after it: "killing 5 terrorists injuring 15
    others", "kills 12 wounds 50" (the comma between two figures lost): it is the next figure's verb,
    not a word of the figure before it."""
    hit = _casualty_at(toks, a, lex)
    if hit is None:
        return False
    b = a + hit[0]
    q = lex.qualifiers.match(toks, b)
    return (b + q[0] if q is not None else b) in starts


def _own_predicate(toks: tuple[Token, ...], b: int, a: int, lex: Lexicon) -> bool:
    """Nothing but auxiliaries and the words of its own noun phrase between a figure (ending at b) and the
    casualty word at a: "14 people were killed 25 wounded", "2 Turkish troopers killed 4 wounded", "14
    members of the same family were killed 6 injured" (the word is the figure's own); not a clause of
    its own, "8 people were taken to hospital after the blast killed two"."""
    k, words = b, 0
    while k < a:
        m = lex.auxiliaries.match(toks, k)
        if m is not None:
            k += m[0]
            continue
        t = toks[k]
        if t.low not in lex.passive and t.text not in "'’-":
            if not t.is_word or t.low in lex.clause_boundaries or t.low in lex.num_connectors:
                return False  # (a clause or a verb of its own: "destroyed two vehicles and killed 10")
            prev = toks[k - 1] if k > b else None
            if t.low in lex.determiners and not (prev is not None and (
                    prev.low in lex.prepositions or prev.low in lex.genitives or prev.text in "'’"
                    or lex.subset_markers.match_end(toks, k) > 0)):  # ("including a child")
                return False  # a new noun phrase, not a complement ("of the same family", "d'une famille")
            words += 1
        k += 1
    return words <= OWN_NOUN_WORDS


def _right_before(toks: tuple[Token, ...], num: Number, lex: Lexicon, date_tokens: set[int]) -> int:
    """The token before the number, past its qualifier and dates ("killing on Monday at least 12")."""
    b = num.start - 1 - lex.qualifiers.match_end(toks, num.start)
    while b >= 0 and b in date_tokens:
        b -= 1
    return b


def _verb_right_before(toks: tuple[Token, ...], num: Number, lex: Lexicon, date_tokens: set[int]) -> str | None:
    """The kind of the casualty verb right before the number ("killing at least 12"), or None."""
    return _verb_at_before(toks, _right_before(toks, num, lex, date_tokens), lex)


def _verb_at_before(toks: tuple[Token, ...], b: int, lex: Lexicon) -> str | None:
    """The kind of the casualty verb at b, the token right before a number (`_right_before`), or None."""
    if b < 0:
        return None
    hit = _casualty_at(toks, b, lex)
    if hit is None and lex.killed.match_end(toks, b + 1) > 1:
        hit = (1, "killed")  # "claimed the lives of five", "coûté la vie à cinq"
    return hit[1] if hit is not None and toks[b].low not in lex.death_nouns else None


def _joint_fate(toks: tuple[Token, ...], a: int, lex: Lexicon) -> bool:
    """The casualty word at `a` is joined to another fate with no number of its own: "48 killed and
    injured", "50 were wounded or missing", "killed or wounded 48 people", "48 morts et blessés". One
    number counts both together: it is a figure of neither. A fate before a killing with "and" is what
    happened first ("kidnapped and killed 12"): the number is of the killed."""
    hit = _casualty_at(toks, a, lex)
    if hit is None:
        return False
    e = a + hit[0]
    second = (_casualty_at(toks, e + 1, lex) or lex.other_fates.match(toks, e + 1)) \
        if e + 1 < len(toks) and toks[e].low in lex.joint_links else None
    if second is not None and second[1] != hit[1]:  # ("killed and executed 270" are 270 killed)
        # not a verb with an object of its own ("left 210,000 dead and displaced half the population") nor
        # an adjective of the next clause's subject ("12 were killed and injured civilians were evacuated")
        f = e + 1 + second[0]
        return not (f < len(toks) and (toks[f].is_digit or toks[f].low in lex.determiners
                                       or lex.qualifiers.match(toks, f) is not None
                                       or lex.victims.match(toks, f) is not None))
    other = lex.wounded if hit[1] == "killed" else lex.killed
    if a >= 1 and other.match_end(toks, a) > 0:
        return True  # "Attack Kills Injures over 70": the "and" lost between them
    if a < 2 or toks[a - 1].low not in lex.joint_links:
        return False
    first = other.match_end(toks, a - 1)
    if first > 0:
        # ("left 12 people dead and wounded 30 others": the first word has its own figure)
        p = a - 1 - first
        return not (p > 0 and (toks[p - 1].is_digit or lex.victims.match_end(toks, p) > 0))
    return toks[a - 1].low in lex.alternative_links and lex.other_fates.match_end(toks, a - 1) > 0


def _before_opening(toks: tuple[Token, ...], num: Number, lex: Lexicon, openers: set[int],
                    date_tokens: set[int]) -> bool:
    """The number stands before a capitalised qualifier and a number ("9427 At least 10 civilians"):
    a share count or other furniture, the sentence opening after it lost its full stop. Not when a
    casualty verb comes right before it: "killed 12 At least 30 others were wounded" lost its full stop
    after a figure (a toll before it is left out: what follows would take it for its own)."""
    e = num.end
    if e >= len(toks) or not toks[e].is_cap:
        return False
    q = lex.qualifiers.match(toks, e)
    return q is not None and e + q[0] in openers and _verb_right_before(toks, num, lex, date_tokens) is None


def figures_in(sent: Sentence, numbers: list[Number], lex: Lexicon, dates: list[DateMention],
               year: int | None = None) -> list[Figure]:
    """The casualty figures of a sentence; `year` (of publication) rules out tolls of the past."""
    toks = sent.tokens
    n = len(toks)
    if _history(toks, lex, dates, year):
        return []
    gerunds = speech_words(lex.lang).gerunds
    quotes = quote_spans(sent)
    date_tokens = {k for d in dates for k in range(d.start, d.end)}
    # "Get short URL 2440 Over 100 civilians were killed": a number before a capitalised qualifier and
    # another number is page furniture glued to the sentence the qualifier opens
    openers = {x.start for x in numbers if not x.ambiguous}
    cands = [num for num in numbers if _is_candidate(num, toks, lex, date_tokens)
             and not _date_like(toks, num.end, lex) and not _before_opening(toks, num, lex, openers, date_tokens)]
    subsets = {num.start for num in cands if _is_subset(toks, num, lex)}
    # "including four women and two children": a figure coordinated with a part is a part too
    closed = told = False
    pending: set[int] = set()  # parts joined by a comma alone: parts only if the list goes on to its conjunction
    for i, (prev, num) in enumerate(itertools.pairwise(cands)):
        if prev.start not in subsets:
            continue
        if _is_subset(toks, prev, lex):  # a new list of parts: did its total have its verb before it?
            subsets -= pending
            pending, closed = set(), False
            since = cands[i - 1].start - BACK_WINDOW if i > 0 else prev.start
            told = any(_casualty_at(toks, a, lex) is not None for a in range(max(0, since), prev.start))
        if not _coordinated(toks, prev, num, lex, closed=closed, told=told):
            subsets -= pending  # "Including two children, 12 people were killed": the comma ended the list
            pending = set()
            continue
        subsets.add(num.start)
        if toks[num.start - lex.qualifiers.match_end(toks, num.start) - 1].low in lex.num_connectors:
            pending, closed = set(), True
        else:
            pending.add(num.start)
    subsets -= pending
    # the parts listed in apposition after a total are no figures of their own
    by_start = {num.start: num for num in cands}
    apposed: dict[int, tuple[int, int]] = {}  # victim phrase end of a total -> its list's span
    for num in cands:
        if num.start in subsets:
            continue
        m = lex.victims.match(toks, num.end)
        span = _breakdown(toks, num.end + m[0], by_start, lex) if m is not None else None
        if span is not None:
            apposed[num.end + m[0]] = span  # type: ignore[index]
            subsets |= {k for k in range(span[0], span[1]) if k in by_start}
    starts = {num.start for num in cands if not num.ambiguous and num.start not in subsets}
    cand_starts = {num.start for num in cands}
    out: list[Figure] = []
    for num in cands:
        if num.start in subsets:
            continue
        j = num.end
        rb = _right_before(toks, num, lex, date_tokens)  # the token before the number (a verb of it?)
        kind: str | None = None
        victims: str | None = None
        hit = _casualty_at(toks, j, lex)
        if hit is not None and num.ambiguous and toks[j].low not in lex.victims and toks[j].low not in lex.death_nouns:
            hit = None  # "une blessure", "un mort" is one dead but "une blessure" is no one
        # "kills 12 wounds 50": the word after the number is the next figure's verb, the one before is its own
        # (and "kill 10 injure scores": the word after the number governs the vague count after it)
        next_verb = _next_figure_verb(toks, j, lex, cand_starts) or (
            hit is not None and lex.vague.match(toks, j + hit[0]) is not None)
        if hit is not None and next_verb and _verb_at_before(toks, rb, lex) is not None:
            hit = None
        noun_after = hit is not None
        counted = False
        toll = False
        verb_before = False
        word_at: int | None = None  # the casualty word the figure was read from
        own_end = j  # where the figure's own words end (past its victims)
        if hit is not None:
            kind = hit[1]
            word_at = j
            victims = toks[j].text
        elif _death_of(toks, num, lex):
            # "causing the death of one civilian and injury of 13 others", "la mort de 30 civils"
            kind = "killed"
            m = lex.victims.match(toks, j)
            victims = sent.span(j, j + m[0]) if m is not None else None
            counted = m is not None
        elif num.ambiguous:
            # "un soldat a été tué": an article-like "one" counts only before a victim noun with the
            # casualty verb close after, no other figure or clause in between
            m = lex.victims.match(toks, j)
            if m is None:
                continue
            a = j + m[0]
            while a < n and a - j < 8 and kind is None:
                t = toks[a]
                listed = (a in starts and toks[a - 1].low not in lex.num_connectors) or t.is_digit
                if t.text in _HARD_STOP or t.text == "," or t.low in lex.clause_boundaries or listed \
                        or lex.is_reporting_word(t.low):
                    break
                hit = _casualty_at(toks, a, lex)
                if hit is not None:
                    kind, word_at = hit[1], a
                a += 1
            if kind is None:
                continue
            victims = sent.span(j, j + m[0])
            counted = True
        else:
            after = toks[j] if j < n else None
            plain_after = (after is None or not after.is_word or after.low in lex.stopwords or next_verb
                           or after.low in lex.articles or lex.victims.match(toks, j) is not None)
            # "Three civilians killed 12 others injured": a victim noun and its own casualty word
            # after the number outweigh the verb before it
            v = lex.victims.match(toks, j) if j < n else None
            # (unless that word governs the next number, "killing 5 terrorists injuring 15 others", or is a
            # gerund of its own, "killing 4 citizens injuring many others")
            own_word = v is not None and _victims_own_word(toks, j, lex) \
                and not _next_figure_verb(toks, j + v[0], lex, cand_starts) \
                and not toks[j + v[0]].low.endswith(gerunds)
            # a verb right before the number is the strongest sign: "a tué 8 civils et blessé 23"
            before = None if own_word else _verb_at_before(toks, rb, lex)
            if plain_after and before is not None:
                kind = before
                verb_before = True
                word_at = rb
            elif plain_after and _toll_before(toks, num, lex, date_tokens):
                # "the death toll has reached 20 people in addition to tens of others injured"
                kind = "killed"
                toll = True
            k = j
            while k < n and k - j < 3 and (toks[k].low in lex.articles or toks[k].text in "'’"):
                k += 1
            v_at = None
            for a in range(k, min(n, k + 5)):
                if _casualty_at(toks, a, lex) is not None:
                    break
                m = lex.victims.match(toks, a)
                if m is not None:
                    v_at = a + m[0]
                    victims = sent.span(k, v_at).strip(" ,") or None
                    counted = True
                    break
                if toks[a].text in _HARD_STOP or toks[a].text == ",":
                    break
            # where the figure's own words end (past its victims); the scan below starts there
            a = own_end = scan_from = v_at if v_at is not None else j
            if kind is None and before is not None and v_at is not None and _casualty_at(toks, v_at, lex) is None:
                # "killed 15 ISIS terrorists and injured others": the verb before the number and its
                # victims governs it, not a casualty word of the next coordinated verb
                kind = before
                verb_before = True
                word_at = rb
            limit = WINDOW_WITH_VICTIM if v_at is not None else WINDOW_BARE
            # a number inside a quotation finds its verb inside it too
            q_end = next((q1 for q0, q1 in quotes if q0 <= num.start < q1), n)
            passed_fate = False  # another fate read on the way ("20 people rescued from the rubble and ...")
            coord_after_fate = False  # ... and a coordinated figure after it ("... and 5 killed")
            coord_named = False  # ... which has a noun of its own ("... and three medics were killed")
            while kind is None and a < min(n, q_end) and a - j < limit:
                if a in apposed:
                    limit += apposed[a][1] - a
                    a = scan_from = apposed[a][1]  # over the parts to the total's verb
                    continue
                if toks[a].text in _HARD_STOP:
                    break
                if a in subsets and a > num.start:
                    limit += SUBSET_REACH  # "19 people, including seven women, three children and …, were killed"
                if a in starts and a != num.start:
                    if passed_fate:
                        # a coordinated figure with a noun of its own shares the verb ("and three medics were
                        # killed"); a bare one or "others" is a clause of its own ("and five were killed")
                        m = lex.victims.match(toks, by_start[a].end) if a in by_start else None
                        coord_after_fate = True
                        coord_named = m is not None and lex.continuation.match(toks, by_start[a].end) is None
                    # "3 police and 12 civilians killed", "3 soldiers, 2 police and 4 civilians killed":
                    # coordinated figures share the verb
                    listed = toks[a - 1].text == "," and any(
                        toks[x].low in lex.num_connectors and x + 1 in starts for x in range(a, min(n, a + 8)))
                    if not (a > 0 and (toks[a - 1].low in lex.num_connectors or listed)):
                        break
                    limit += WINDOW_WITH_VICTIM
                if v_at is None and toks[a].low in lex.clause_boundaries:
                    break
                fate = lex.other_fates.match(toks, a)
                passed_fate = passed_fate or fate is not None
                if fate is not None and a > 0 and (toks[a - 1].low in lex.passive or toks[a - 1].low
                                                   in lex.finite_verbs or toks[a - 1].low in lex.fate_verbs) \
                        and not any(toks[x].low in lex.relatives for x in range(j, a)) \
                        and not (a + fate[0] + 1 < n and toks[a + fate[0]].low in lex.joint_links
                                 and toks[a + fate[0]].low not in lex.alternative_links
                                 and _casualty_at(toks, a + fate[0] + 1, lex) is not None):
                    # "12 people were arrested and three killed", "six remain trapped under the rubble": the
                    # figure's own verb (not "12 soldiers captured last week were executed", nor "12 civils ont
                    # été enlevés et tués", who were killed)
                    break
                hit = _casualty_at(toks, a, lex)
                # "la mort de 30 civils" heads a figure of its own; "depuis sa mort" is one person's death
                if hit is not None and not (toks[a].low in lex.death_nouns and a + 1 < n
                                            and toks[a + 1].low in lex.genitives) \
                        and not (a > 0 and toks[a - 1].low in lex.possessives and toks[a].low in lex.death_nouns):
                    if _next_figure_verb(toks, a, lex, cand_starts) and (
                            not _own_predicate(toks, scan_from, a, lex)
                            or toks[a].low.endswith(gerunds)):  # ("injuring 7 people")
                        break  # "Eight people were taken to hospital after the blast killed two": two killed
                    if coord_after_fate and not (coord_named and a > 0 and (
                            toks[a - 1].low in lex.passive or toks[a - 1].text.lower() in lex.finite_verbs)):
                        break  # "20 people rescued from the rubble and 5 killed": the 20 were rescued (but "12
                        # patients evacuated ... and three medics were killed" were all killed)
                    kind, word_at = hit[1], a
                    break
                a += 1
            if kind is None and (plain_after or v_at is not None):
                kind = _backward(toks, num, lex, BACK_WINDOW, date_tokens)
            if kind is None and plain_after and _toll_before(toks, num, lex, date_tokens):
                kind = "killed"
                toll = True
        if kind is None or (word_at is not None and _joint_fate(toks, word_at, lex)):
            continue
        governs = word_at is not None and _next_figure_verb(toks, word_at, lex, cand_starts)
        fate_len = lex.other_fates.match_end(toks, rb + 1)
        if not (noun_after and not next_verb) and (word_at is None or word_at > own_end + 1 or next_verb or governs) \
                and fate_len > 0 and not (rb - fate_len >= 0 and toks[rb - fate_len].is_digit):
            continue  # "police arrested 12 people after clashes that killed three": 12 arrested (but "evacuated
            # 40 wounded", "abducted 12 workers and killed them", "15 missing 12 killed": the 15 were missing)
        if victims is None and j < n and toks[j].is_word and toks[j].low not in lex.stopwords and not next_verb:
            victims = toks[j].text
        qualifier = _qualifier(toks, num, lex, None)
        if qualifier == "exact" and out and out[-1].qualifier != "exact":
            # "At least 3 police and 12 civilians": the qualifier spans the coordinated figures
            gap = toks[out[-1].number.end : num.start]
            if len(gap) <= 4 and gap and gap[-1].low in lex.num_connectors:
                qualifier = out[-1].qualifier
        out.append(Figure(num, kind, victims, qualifier, noun_after, counted, toll, verb_before=verb_before))
    return _ranges(toks, out, cands, lex)


def _range_link(toks: tuple[Token, ...], low: Number, high: Number, lex: Lexicon) -> bool:
    """"entre 10 et 15", "de 10 à 15", "10-15": the two numbers bound one figure."""
    gap = toks[low.end : high.start]
    if len(gap) != 1 or gap[0].text.lower() not in lex.range_links or high.value <= low.value:
        return False
    # a bare "10 et 15" is two figures ("10 soldats et 15 civils" has a noun between anyway)
    opened = low.start > 0 and toks[low.start - 1].low in lex.range_openers
    return opened or not gap[0].is_word


def _ranges(toks: tuple[Token, ...], figures: list[Figure], numbers: list[Number], lex: Lexicon) -> list[Figure]:
    """A range is a low bound ("at least") and a high one ("up to") of the same victims; the low
    number finds no verb of its own, so it takes the high one's."""
    by_start = {f.number.start: f for f in figures}
    out: list[Figure] = []
    for i, num in enumerate(numbers):
        high = by_start.get(numbers[i + 1].start) if i + 1 < len(numbers) else None
        f = by_start.get(num.start)
        if high is not None and _range_link(toks, num, high.number, lex):
            out.append(replace(high, number=num, qualifier="at_least", ranged=True))
            by_start[high.number.start] = replace(high, qualifier="up_to", ranged=True)
        elif f is not None:
            out.append(f)
    return out


@dataclass
class Pending:
    killed: Figure | None
    wounded: Figure | None


def pair_figures(figures: list[Figure]) -> list[Pending]:
    """Killed and wounded of one stretch belong together: "5 killed, 8 wounded"."""
    out: list[Pending] = []
    for f in figures:
        if f.kind == "wounded" and out and out[-1].killed is not None and out[-1].wounded is None:
            out[-1].wounded = f
        elif f.kind == "killed":
            out.append(Pending(f, None))
        else:
            out.append(Pending(None, f))
    return out


def since_for(dates: list[DateMention], after: int) -> dt.date | None:
    for d in dates:
        if d.since:
            return d.date
    return None


class CasualtyBook:
    """Figures across an article; the same figure from the same source is one alert."""

    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        self.alerts: list[Casualty] = []
        self.roles: dict[str, str] = {}  # folded source name -> its role ("Anne Martin" -> "... de l'ONU")
        self.headlines: set[int] = set()  # indices of alerts read from the headline

    def same_source(self, a: str | None, b: str | None) -> bool:
        """One source under two names: equal, or one named inside the other's role."""
        fa, fb = fold(a), fold(b)
        if fa == fb:
            return True
        for x, y in ((fa, fb), (fb, fa)):
            role = fold(self.roles.get(x, ""))
            if y and role and f" {y} " in f" {role} ":
                return True
        return False

    def add_wounded(self, wounded: Figure) -> bool:
        """"Another 8 were wounded": complete the last killed-only figure of the sentence before."""
        if not self.alerts:
            return False
        last = self.alerts[-1]
        if last.killed is None or last.wounded is not None:
            return False
        self.alerts[-1] = replace(last, wounded=wounded.number.value)
        return True

    def add(self, c: Casualty, headline: bool = False) -> None:
        """File a figure; a headline figure is a summary of the body and merges with it."""
        for i, old in enumerate(self.alerts):
            same_toll = old.killed == c.killed and (old.wounded is None or old.wounded == c.wounded)
            if i in self.headlines and same_toll:
                # the body tells who gave the headline's figure
                qualifier = c.qualifier if c.qualifier != "exact" else old.qualifier
                self.alerts[i] = replace(c, qualifier=qualifier, reported_by=c.reported_by or old.reported_by,
                                         confidence=max(c.confidence, old.confidence))
                self.headlines.discard(i)
                return
            if old.killed != c.killed or (old.wounded != c.wounded and None not in (old.wounded, c.wounded)):
                continue
            if old.killed is None and old.wounded != c.wounded:
                continue
            if old.evidence == c.evidence and old.location and c.location and old.location != c.location:
                continue  # "2 killed in Katsiro and 2 killed in Bishusha": one sentence, two places
            same = self.same_source(old.reported_by, c.reported_by)
            if same or old.reported_by is None or c.reported_by is None:
                # one figure told twice: keep what each telling adds (source, qualifier, start date)
                self.alerts[i] = replace(
                    old,
                    wounded=old.wounded if old.wounded is not None else c.wounded,
                    reported_by=old.reported_by or c.reported_by,
                    qualifier=old.qualifier if old.qualifier != "exact" else c.qualifier,
                    since=old.since or c.since,
                    location=old.location or c.location,
                    victims=old.victims or c.victims,
                    confidence=max(old.confidence, c.confidence),
                )
                return
        if headline:
            self.headlines.add(len(self.alerts))
        self.alerts.append(c)
