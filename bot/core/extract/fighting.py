"""Fighting updates: armed violence or a military move at a named place.

A sentence qualifies when it holds a fighting word (its lexicon label gives the action) and is not
a threat, plan or piece of history. Its places are gazetteer names and capitalised names after a
place cue ("dans la localité de X", "in the village of X", "X region"); a place right after another
one ("Tamra in Wadi Kel") is the first one's container and is dropped. One alert per place per article.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from bot.core.extract.confidence import FightingEvidence, fighting_confidence
from bot.core.extract.dates import DateMention
from bot.core.extract.gazetteer import Entry, Gazetteer
from bot.core.extract.lexicon import Lexicon
from bot.core.extract.numbers import year_value
from bot.core.extract.speakers import is_name_word
from bot.core.extract.text import Sentence, Token, tokenize
from bot.core.models import Fighting, FightingAction, Place, fold

# When a sentence holds several fighting words, the most telling one names the action.
ACTION_RANK: tuple[FightingAction, ...] = (
    "ceasefire", "resumed", "halted", "withdrawal", "advance", "airstrike", "shelling", "offensive",
    "clashes", "other",
)
NEAR = 30  # tokens: a place further than this from every fighting word is not where it happened
MAX_RUN = 6  # words in a place or actor name
MAX_ACTORS = 4
ACTOR_REACH = 2  # sentences away an event without actors borrows them from
MAX_EVIDENCE = 5  # sentences kept as evidence for one place
RECENT_DAYS = 3  # a day this close to the article's is the news day a follow-on sentence tells of
LOCATING_REACH = 30  # tokens a "located ..." phrase still places its next direction phrases over
STALE_DAYS = 60  # fighting dated longer before the article is background, not pushed
RUNNING_TOTAL_DAYS = 60  # a count running from longer ago sums up a war, it reports no new fighting
ORIGIN_VERB_REACH = 4  # tokens before an armed actor where a verb of driving out makes "from X" a place
_CONNECT = frozenset(",(")


@dataclass
class Candidate:
    start: int
    end: int
    name: str
    entries: tuple[Entry, ...] = ()
    listed: bool = False  # a later member of a list of places ("A, B et C")
    origin: bool = False  # where the gunners are ("terrorists positioned in X fired on Y")


@dataclass
class Event:
    location: str
    action: FightingAction
    actors: list[str] = field(default_factory=list)
    date: dt.date | None = None
    evidence: list[str] = field(default_factory=list)
    entries: tuple[Entry, ...] = ()
    kind: str = "place"
    sentence: int = 0  # index of the first sentence that filed it
    same_clause: bool = False  # some sentence has an action word in the place's own clause
    distance: int = NEAR  # fewest tokens between the place and an action word
    cued: bool = False  # introduced as a place ("à X", "in the town of X")
    sentences: int = 0
    # the day the story's fighting was last dated when this place came up: a follow-on sentence
    # without a date of its own ("The strikes hit the village of X") tells of that day
    told_after: dt.date | None = None
    fresh: bool = False  # some sentence tells of the place without a date, or with a recent one


def _run_end(tokens: tuple[Token, ...], k: int, lex: Lexicon) -> int:
    """End of the capitalised name starting at k ("Tell Rimah", "Bab el Nour", "al-Moura")."""
    j = k
    while j < len(tokens) and j - k < MAX_RUN:
        t = tokens[j]
        # "Sundays shelling": a weekday whose apostrophe was lost in scraping is no name either
        word = is_name_word(t, lex) and t.text not in lex.not_places and t.low not in lex.weekdays \
            and t.low not in lex.months and not (t.low.endswith("s") and t.low[:-1] in lex.weekdays)
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        particle = j > k and nxt is not None and t.low in lex.name_particles and is_name_word(nxt, lex)
        elided = j > k and t.text in "'’" and tokens[j - 1].low in lex.name_particles
        if word or particle or elided:
            j += 1
        else:
            break
    while j > k and not is_name_word(tokens[j - 1], lex):
        j -= 1
    if k < j < len(tokens) and tokens[j].is_digit and tokens[j - 1].low in lex.label_nouns:
        j += 1  # "Route 5"
    return j


def _is_actor_name(tokens: tuple[Token, ...], k: int, j: int, lex: Lexicon) -> bool:
    if j < len(tokens) and lex.actor_nouns.match(tokens, j) is not None:
        return True  # "Sakr Hawran forces"
    return j - k == 1 and tokens[k].text.isupper() and len(tokens[k].text) <= 6


def _organisation(tokens: tuple[Token, ...], k: int, j: int, lex: Lexicon) -> bool:
    """A name headed by a word of a body or an armed group ("Nusra Front", "State Department", "Front
    al-Nosra"), opening on the acronym of an organisation ("UN-Red Crescent convoy", "UNESCO World
    Heritage") or a compound of an acronym and a common word ("IS-bastion city"): no place."""
    words = [t for t in tokens[k:j] if t.is_word]
    if len(words) >= 2 and (words[-1].low in lex.organisation_heads or words[0].low in lex.organisation_heads):
        return True
    head, _, tail = tokens[k].text.partition("-")
    if head in lex.non_actor_acronyms and head.isupper() and tail[:1].isupper():
        return True  # ("UN-administered Abyei" is a place)
    return j - k == 1 and len(head) >= 2 and head.isupper() and tail.isalpha() and tail.islower()


def _has_cue(toks: tuple[Token, ...], k: int, lex: Lexicon) -> bool:
    """Whether the name at k is introduced as a place.

    A place cue ("à", "in", "près de", "village of") right before it, over articles and
    apostrophes, or a place noun a few words before ("l'aéroport militaire de Tell Rimah").
    """
    p = k
    skipped_word = False
    while p > 0 and k - p < 6:
        # over one adjective too: "seized the strategic Tal Jabiyeh hill"
        if lex.place_cues.match_end(toks, p):
            return True
        t = toks[p - 1]
        if t.low in lex.place_nouns:
            return True
        if t.low in lex.articles or t.text in "'’" or t.low in lex.weekdays or t.text in lex.compass_words:
            p -= 1  # over "dimanche" too: "ont pilonné dimanche El-Facher"; "quartiers est de Barzé"
        elif t.is_word and not t.is_cap and t.low not in lex.stopwords and not skipped_word:
            skipped_word = True
            p -= 1
        else:
            break
    return False


def _cue_before(toks: tuple[Token, ...], k: int, lex: Lexicon) -> int | None:
    """Where the place cue governing the name at k starts, over a few words ("in the Kazakh capital
    Astana"); None when there is none."""
    for p in range(k, max(0, k - 5), -1):
        cue = lex.place_cues.match_end(toks, p)
        if cue:
            return p - cue
        if not (toks[p - 1].is_word or toks[p - 1].text in "'’"):
            return None
    return None


def _reference_point(toks: tuple[Token, ...], k: int, lex: Lexicon) -> bool:
    """"à 200 km à l'est de Tripoli", "60 kilometres (35 miles) northeast of Damascus": a place
    named to locate another one."""
    q = _cue_before(toks, k, lex)
    if q is None:
        return False
    p = k
    while p > q and (toks[p - 1].low in lex.articles or toks[p - 1].text in "'’"):
        p -= 1
    d = lex.direction_cues.match_end(toks, p)
    if not d:
        # "located northwest of the ancient city of Palmyra": over the place phrase to the direction
        for b in range(p - 1, max(0, p - 7), -1):
            if not toks[b].is_word:
                break
            d = lex.direction_cues.match_end(toks, b)
            if d:
                p = b
                break
    if d and p - d - 1 >= 0 and (toks[p - d - 1].low in lex.place_nouns or toks[p - d - 1].text == ","
                                 or (p - d - 2 >= 0 and toks[p - d - 2].low in lex.place_nouns)
                                 or lex.locating_words.match_end(toks, p - d) > 0):
        return True  # "the besieged town east of Damascus", "are located northwest of Palmyra"
    if d and any(lex.locating_words.match(toks, i) is not None for i in range(max(0, p - d - LOCATING_REACH), p - d)):
        return True  # "are located northwest of Palmyra ... and southwest of Aqayrabat town
    for b in range(q - 1, max(-1, q - 7), -1):
        if toks[b].low in lex.distance_units and b > 0 and toks[b - 1].is_digit:
            return True
        if toks[b].text in ".;:,":
            return False
    return False


def _backdrop(toks: tuple[Token, ...], k: int, lex: Lexicon) -> bool:
    """The name at k is where a non-armed event is held: "le sommet à Paris", "talks in Doha"."""
    q = _cue_before(toks, k, lex)
    if q is None:
        return False
    # over a few words ("un sommet extraordinaire à Paris", "un mini-sommet sur le sujet à Addis Abeba")
    for b in range(q, max(0, q - 5), -1):
        if lex.backdrop_nouns.match_end(toks, b):
            return True
        if b - 1 < 0 or not toks[b - 1].is_word:
            return False
    return False


def _possessive(tok: Token, gaz: Gazetteer) -> bool:
    """"Syrias Daraa", "Tripolis Abu Sleem": a known name with a genitive s whose apostrophe was
    lost in scraping qualifies the name after it; it is no place of its own."""
    low = tok.low
    return len(low) > 3 and low.endswith("s") and (low[:-1],) in gaz.names


def _modifier_word(tok: Token, lex: Lexicon) -> bool:
    """"Kurdish-controlled", "US-backed": a hyphenated qualifier, no name."""
    return "-" in tok.low and tok.low.rsplit("-", 1)[1] in lex.modifier_suffixes


def _list_follows(toks: tuple[Token, ...], j: int, lex: Lexicon) -> bool:
    """"A, B et C": a conjunction and a name come soon after j, so a comma before j joins a list."""
    for k in range(j, min(len(toks) - 1, j + 8)):
        if toks[k].low in lex.num_connectors and is_name_word(toks[k + 1], lex):
            return True
        if toks[k].text in ".;:":
            return False
    return False


def _container_gap(toks: tuple[Token, ...], i: int, j: int, lex: Lexicon) -> bool:
    """Whether tokens i..j join a place to its container: commas, place nouns, articles, genitives
    and place cues taken whole ("areas of", ", south of", "in the district of")."""
    while i < j:
        t = toks[i]
        m = lex.place_cues.match(toks, i)
        if m is not None and i + m[0] <= j:
            i += m[0]
        elif t.text in _CONNECT or t.text in "'’" or t.low in lex.place_nouns or t.low in lex.articles \
                or t.low in lex.genitives:
            i += 1
        else:
            return False
    return True


def _common_words(toks: tuple[Token, ...], common: frozenset[str] | set[str]) -> bool:
    """Every word of a capitalised run also appears in lower case in the article: a headline in title
    case ("Terrorist Attacks", "Monitor One"), not a proper name."""
    if not common:
        return False
    words = [t.low for t in toks if t.is_word and len(t.low) > 2]
    return bool(words) and all(w in common for w in words)


TITLE_CASE_REACH = 5  # tokens either side of a name that say whether it stands in a title-case headline


def _title_case(toks: tuple[Token, ...], start: int, end: int) -> bool:
    """Most longer words around the name are capitalised: it stands in a headline in title case ("Death
    Toll in Aleppo City Rises", often glued to the text by a scraper), not in running text."""
    around = toks[max(0, start - TITLE_CASE_REACH) : start] + toks[end : end + TITLE_CASE_REACH]
    words = [t for t in around if t.is_word and len(t.text) > 3]
    return bool(words) and sum(t.is_cap for t in words) * 2 > len(words)


def candidates(sent: Sentence, lex: Lexicon, gaz: Gazetteer, demonyms: frozenset[str] = frozenset(),
               people: frozenset[str] | set[str] = frozenset(), dropped: list[Candidate] | None = None,
               common: frozenset[str] | set[str] = frozenset()) -> list[Candidate]:
    """The sentence's places; containers left out are added to `dropped` when given. `common` are
    the words the article also writes in lower case."""
    toks = sent.tokens
    n = len(toks)
    out: list[Candidate] = []
    k = 0
    while k < n:
        if not is_name_word(toks[k], lex):
            k += 1
            continue
        g = gaz.match(toks, k)  # a known name may open with a stop word: "North Kivu"
        if g is None and (toks[k].text in lex.not_places or toks[k].low in demonyms
                          or toks[k].low in lex.number_starts or _possessive(toks[k], gaz)
                          or _modifier_word(toks[k], lex)):
            k += 1  # "Trois maisons" is no place name
            continue
        j = k + g[0] if g is not None else _run_end(toks, k, lex)
        if g is None and any(lex.fighting.match(toks, i) is not None or "http" in toks[i].low
                             or "www" in toks[i].low for i in range(k, j)):
            # a title-case headline: "Deir Ezour Advances in Jobar", "Car Bomb Kills 70", "New
            # Terrorist Mortar Shell Attacks": no place name holds a word of fighting, and what
            # comes before one is as often its subject as a place; nor a link glued to a word
            k = j
            continue
        if g is not None and j < n and is_name_word(toks[j], lex) and gaz.match(toks, j) is None:
            # "Beni Suef" is not Beni (DR Congo) followed by a word: the longer name wins
            # ("Aleppo Bombing" in a title-case headline is Aleppo: "bombing" is a common word)
            # (a function word or an armed group's acronym is no part of a name: "Idlib Will Sochi", "Syria
            # ISIL"; in a title-case line, "Aleppo City Rises", neither is a word the article also writes in
            # lower case, but in running text "Aleppo University Hospital" is one name)
            longer = _run_end(toks, k, lex)
            added = [t for t in toks[j:longer] if t.is_word and len(t.low) > 1]
            if longer > j and not (_common_words(toks[j:longer], common) or any(t.low in lex.stopwords for t in added)
                                   or any(_is_actor_name(toks, i, i + 1, lex) for i in range(j, longer))
                                   or (_title_case(toks, k, longer) and any(t.low in common for t in added))) \
                    and not any(lex.fighting.match(toks, i) is not None for i in range(j, longer)):
                g, j = None, longer
        if j <= k:
            k += 1
            continue
        gap = toks[out[-1].end : k] if out else ()
        # "A, B et C", "d'Arkoub et de Mayssaloun", "of A and of B"
        joined = len(gap) >= 1 and gap[0].low in lex.num_connectors and len(gap) <= 3 and all(
            t.low in lex.genitives or t.low in lex.articles or t.text in "'’" for t in gap[1:])
        listed = bool(out) and (joined or (len(gap) == 1 and gap[0].text == "," and _list_follows(toks, j, lex)))
        noun_after = j < n and toks[j].low in lex.place_nouns
        # "a mostly Alawite neighbourhood", "un quartier chrétien": a kind of place, not its name
        described = g is None and noun_after and any(t.low in lex.indefinite_articles for t in toks[max(0, k - 2) : k])
        last_word = (fold(toks[j - 1].text).split() or [""])[-1]
        person = g is None and last_word in people  # "hostiles à Karim Haddad à Saïda"
        named_actor = any(lex.actor_nouns.match(toks, i) for i in range(k, j))
        # "strikes on Houthi positions": a name before such a noun qualifies it
        # and so is one before a noun modifying an armed body ("from the North Sinai security troops")
        modifier = (g is None and j < n and toks[j].low in lex.non_place_heads) or (
            j + 1 < n and toks[j].is_word and not toks[j].is_cap and toks[j].low not in lex.stopwords
            and lex.killed.match(toks, j) is None and lex.wounded.match(toks, j) is None
            and lex.actor_nouns.match(toks, j + 1) is not None)
        actor = _is_actor_name(toks, k, j, lex) or named_actor or person or modifier \
            or (g is None and _organisation(toks, k, j, lex))
        # "loyal to X", "a summit in X": not where anything happened
        # "contre les Juifs", "aux Roms": a name after a plural article is a people, not a place
        people_group = g is None and k > 0 and toks[k - 1].low in lex.plural_articles
        based = people_group or lex.not_place_cues.match_end(toks, k) > 0 or lex.actor_links.match_end(toks, k) > 0 \
            or _backdrop(toks, k, lex) or _reference_point(toks, k, lex)
        if g is None and common and _common_words(toks[k:j], common):
            based = True
        if g is None and (_actor_origin(toks, k, lex) or all(t.low in lex.compass_words for t in toks[k:j])):
            based = True  # "militants from the Nusra Front"; "Northeastern" alone names no place
        if g is None and j - k == 1 and (toks[k].low in lex.abbreviations or (
                k > 0 and (q := lex.qualifiers.match(toks, k - 1)) is not None and q[0] > 1)):
            based = True  # "St." of "St. Petersburg"; "Least" of "Leaves At Least 25 Dead"
        if (listed or noun_after or _has_cue(toks, k, lex)) and not actor and not based and not described:
            end = j + 1 if noun_after and g is None and not _has_cue(toks, k, lex) else j
            origin = lex.origin_cues.match_end(toks, _back_over_articles(toks, k, lex)) > 0 \
                or (listed and bool(out) and out[-1].origin)
            out.append(Candidate(k, end, sent.span(k, end), g[1] if g else (), listed, origin))
        k = j
    # drop containers: a place right after another one ("Tamra in Wadi Kel", "Ode Ise, Akoro")
    kept: list[Candidate] = []
    for c in out:
        if kept and not c.listed:
            prev = kept[-1]
            gap = toks[prev.end : c.start]
            if 0 < len(gap) <= 6 and _container_gap(toks, prev.end, c.start, lex) \
                    and not any(t.low in lex.num_connectors for t in gap):
                if dropped is not None:
                    dropped.append(c)
                continue
        kept.append(c)
    # "terrorists positioned in X fired shells on Y": where the gunners are is no place of fighting when
    # the sentence names the place they hit; alone, "troops stationed in X came under fire" is the place
    def hit_after(k: int) -> bool:  # a place they hit in the same clause after the origin at k
        for c in kept[k + 1 :]:
            if any(t.text in ",;:" or (t.low in lex.clause_boundaries and t.low not in lex.relatives
                                        and t.low not in lex.complementisers) for t in toks[kept[k].end : c.start]):
                return False
            if not c.origin:
                return True
        return False

    kept = [c for k, c in enumerate(kept) if not (c.origin and hit_after(k))]
    if any(not c.entries or c.entries[0].kind != "country" for c in kept):
        kept = [c for c in kept if not c.entries or c.entries[0].kind != "country"]
    return kept


def _back_over_articles(toks: tuple[Token, ...], k: int, lex: Lexicon, also: frozenset[str] = frozenset()) -> int:
    """The start of the few articles and apostrophes (and words of `also`) right before the name at k:
    where the phrase that governs the name ends ("des raids aériens de l'Otan", "militants from the X")."""
    p = k
    while p > 0 and k - p < 3 and (toks[p - 1].low in lex.articles or toks[p - 1].low in also
                                   or toks[p - 1].text in "'’"):
        p -= 1
    return p


def _actor_origin(toks: tuple[Token, ...], k: int, lex: Lexicon) -> bool:
    """The name at k says which group an armed actor is or where it comes from: "militants from the
    Nusra Front", "des combattants venus de Misrata"."""
    p = _back_over_articles(toks, k, lex)
    link = lex.actor_origins.match_end(toks, p)
    noun = lex.actor_nouns.match_end(toks, p - link) if link else 0
    if not noun:
        return False
    # "pushed rebels from Kafr Nabudah": where they were driven out of, after a verb of driving out; but a
    # name after an article is a group's ("forced militants from the Nusra Front to retreat")
    a = p - link - noun
    return p < k or not any(toks[b].low in lex.expel_verbs for b in range(max(0, a - ORIGIN_VERB_REACH), a))


def _name_end(tokens: tuple[Token, ...], k: int, lex: Lexicon) -> int:
    """End of a capitalised name at k, for actors (no place stop-list)."""
    j = k
    while j < len(tokens) and j - k < MAX_RUN:
        t = tokens[j]
        joiner = t.low in lex.name_particles or t.low in lex.articles or t.text in "'’"
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        inner = j > k and nxt is not None and (is_name_word(nxt, lex) or nxt.text in "'’")
        if is_name_word(t, lex) or (joiner and inner):
            j += 1
        else:
            break
    while j > k and not is_name_word(tokens[j - 1], lex):
        j -= 1
    return j


def _hyphen_adjective(tok: Token) -> bool:
    """"pro-government": a lower-case hyphenated modifier inside an actor's name."""
    return "-" in tok.text and tok.is_word and not tok.is_cap


def _actor_span(
    toks: tuple[Token, ...], s: int, e: int, lex: Lexicon, demonyms: frozenset[str]
) -> tuple[int, int]:
    """Grow an actor noun into its name: modifiers, a complement, a bracketed acronym."""
    n = len(toks)
    # the name before the noun: "Sakr Hawran forces", "Mali pro-government forces", "Dorba's forces"
    b = s
    if b >= 3 and toks[b - 1].low == "s" and toks[b - 2].text in "'’\x92" and is_name_word(toks[b - 3], lex):
        b -= 2
    while b > 0 and s - b < 4 and (is_name_word(toks[b - 1], lex) or _hyphen_adjective(toks[b - 1])) \
            and toks[b - 1].low not in lex.number_starts:
        b -= 1
    while b < s and not is_name_word(toks[b], lex):
        b += 1
    if b < s and toks[b].text not in lex.not_places:
        s = b
    noun_end = e
    while e < n and e - s < 8 and (toks[e].low in lex.actor_modifiers or toks[e].low in demonyms):
        e += 1
    # "forces loyal to Khalifa Haftar", "les forces fidèles au colonel Kadhafi": whom they answer to
    for at in (e, noun_end):
        link = lex.actor_links.match(toks, at)
        if link is None:
            continue
        c = at + link[0]
        while c < n and c - at - link[0] < 3 and (toks[c].low in lex.articles or toks[c].text in "'’"
                                                   or lex.titles.match(toks, c) is not None):
            c += lex.titles.match(toks, c)[0] if lex.titles.match(toks, c) is not None else 1  # type: ignore[index]
        if c < n and is_name_word(toks[c], lex):
            return s, _name_end(toks, c, lex)

    m = lex.actor_nouns.match(toks, e) if e < n else None
    if m is not None:
        e += m[0]  # "army jets", "militia fighters": one actor
    if e < n and toks[e].low in lex.genitives:
        c = e + 1
        while c < n and c - e < 3 and (toks[c].low in lex.articles or toks[c].text in "'’"):
            c += 1
        if c < n and is_name_word(toks[c], lex):
            e = _name_end(toks, c, lex)
        else:
            # "troops of the unity government": the lower-case complement, a few words at most
            e0 = e
            while c < n and c - e0 < 4 and toks[c].is_word and not toks[c].is_cap \
                    and toks[c].low not in lex.stopwords and toks[c].low not in lex.articles \
                    and lex.fighting.match(toks, c) is None and toks[c].low not in lex.place_nouns \
                    and lex.killed.match(toks, c) is None and lex.wounded.match(toks, c) is None \
                    and not lex.is_reporting_word(toks[c].low) and toks[c].low not in lex.clause_boundaries:
                c += 1
                e = c
            if e > e0 and e < n and is_name_word(toks[e], lex):
                e = _name_end(toks, e, lex)
    # "Gouvernement d'union nationale (GNA)", "Front patriotique du Nord (FPN)": the rest of the
    # name up to a bracketed acronym
    k = e
    while k < n and k - e < 6 and (toks[k].is_word or toks[k].text in "'’") \
            and toks[k].low not in lex.clause_boundaries and lex.fighting.match(toks, k) is None \
            and lex.actor_nouns.match(toks, k) is None and not (
                toks[k].low in lex.num_connectors and k + 1 < n and toks[k + 1].low in lex.articles):
        k += 1
    if k + 2 < n and toks[k].text == "(" and toks[k + 2].text == ")" and toks[k + 1].text.isupper():
        e = k + 3
    return s, e


_MOVES = frozenset({"advance", "withdrawal", "halted", "resumed"})
_STRIKING = frozenset({"offensive", "airstrike", "shelling", "advance", "withdrawal"})


def _strikes(toks: tuple[Token, ...], j: int, lex: Lexicon) -> bool:
    """A military act right after j, over auxiliaries ("a bombardé", "struck"): the body fights."""
    for _ in range(6):
        if j >= len(toks):
            return False
        m = lex.fighting.match(toks, j)
        if m is not None:
            return m[1] in _STRIKING
        # "avait mené des raids", "carried out air strikes": a verb that only carries the act
        a = lex.auxiliaries.match(toks, j) or lex.support_verbs.match(toks, j)
        if a is None and toks[j].low in lex.articles:
            a = (1, "")
        if a is None:
            return False
        j += a[0]
    return False


def _after_fighting_noun(toks: tuple[Token, ...], k: int, lex: Lexicon) -> bool:
    """"des raids aériens de l'Otan", "strikes by NATO": the name at k is who a fighting word is
    said of."""
    p = _back_over_articles(toks, k, lex, lex.genitives | lex.agent_markers)
    return p < k and lex.fighting.match_end(toks, p) > 0


def _non_armed(toks: tuple[Token, ...], k: int, lex: Lexicon) -> bool:
    """An acronym naming no armed actor: a diplomatic body or a name one governs.

    "G7", "les ministres du G7", "G7 ministers", "the summit of the AU", media and NGOs; unless the
    body is itself said to strike ("l'OTAN a bombardé").
    """
    if _strikes(toks, k + 1, lex) or _after_fighting_noun(toks, k, lex):
        return False
    if toks[k].text in lex.non_actor_acronyms or lex.non_armed.match(toks, k) is not None:
        return True
    if lex.non_armed.match(toks, k + 1) is not None:
        return True
    p = _back_over_articles(toks, k, lex, lex.genitives)
    return p < k and lex.non_armed.match_end(toks, p) > 0


def acronyms(name: str, lex: Lexicon) -> set[str]:
    """The acronyms in an actor's name that identify it ("ANL" in "forces de l'ANL").

    Acronyms of diplomatic bodies, media and countries ("US-backed forces") identify no group.
    """
    return {w for w in re.findall(r"\w+", name) if 2 <= len(w) <= 6 and w.isupper() and w.isalpha()
            and w not in lex.non_actor_acronyms and (fold(w),) not in lex.non_armed.labels}


def same_actor(a: str, b: str, lex: Lexicon, places: frozenset[str] = frozenset()) -> bool:
    """Two names of one actor: a shared acronym (not a place's: `places` are folded), or one name
    inside the other.

    "forces de l'ANL" and "forces de l'armée nationale libyenne (ANL)"; "armée" and "armée syrienne".
    A generic noun heading a proper name names another actor ("armée" is not "Armée syrienne libre"),
    unlike one inside it ("coalition" and "Saudi-led coalition jets").
    """
    if any(fold(w) not in places for w in acronyms(a, lex) & acronyms(b, lex)):
        return True
    fa, fb = fold(a).split(), fold(b).split()
    if not fa or not fb:
        return False
    long, short, long_name, short_name = (fa, fb, a, b) if len(fa) >= len(fb) else (fb, fa, b, a)
    n = len(short)
    if not any(long[i : i + n] == short for i in range(len(long) - n + 1)):
        return False
    return not (long_name[:1].isupper() and not short_name[:1].isupper() and long[0] == short[0] and long != short)


def add_actor(actors: list[str], name: str, lex: Lexicon, places: frozenset[str] = frozenset()) -> None:
    """Adds an actor, merged with a variant already listed; the most informative form is kept."""
    for i, old in enumerate(actors):
        if same_actor(old, name, lex, places):
            if len(fold(name)) > len(fold(old)):
                actors[i] = name
            return
    if len(actors) < MAX_ACTORS:
        actors.append(name)


def _clash_before(toks: tuple[Token, ...], k: int, lex: Lexicon) -> bool:
    """A fighting word in the few words before k, in the same clause, and no actor right before k."""
    if k > 0 and lex.actor_nouns.match_end(toks, k):
        return False
    i = k - 1
    while i >= 0 and k - i <= 6 and toks[i].text not in ",;:":
        if lex.fighting.match(toks, i) is not None:
            return True
        i -= 1
    return False


def actors_in(sent: Sentence, lex: Lexicon, masked: list[bool], places: set[str],
              demonyms: frozenset[str] = frozenset(), common: frozenset[str] = frozenset()) -> list[str]:
    toks = sent.tokens
    n = len(toks)
    found: list[tuple[int, int]] = []
    k = 0
    while k < n:
        if masked[k]:
            k += 1
            continue
        m = lex.actor_nouns.match(toks, k) if lex.actor_nouns.may_start(toks[k]) else None
        if m is not None and m[0] == 1 and toks[k].low in lex.actor_adjectives and k > 0:
            prev = toks[k - 1]
            if prev.is_word and not prev.is_cap and not prev.is_digit and prev.low not in lex.stopwords \
                    and prev.low not in lex.articles and prev.low not in lex.number_starts:
                m = None  # "des cibles militaires", "des positions rebelles": an adjective
        if m is not None:
            s, e = _actor_span(toks, k, k + m[0], lex, demonyms)
            found.append((s, e))
            k = max(e, k + 1)
            continue
        t = toks[k]
        # an acronym, or a short name a fighting noun is said of ("des raids aériens de l'Otan")
        short_name = t.text.isupper() or (
            t.is_cap and t.low not in lex.stopwords and t.low not in lex.articles
            and (_after_fighting_noun(toks, k, lex) or (
                # "l'Otan a mené des frappes" (a verb between: "Air strikes" is no actor named Air)
                k > 0 and (toks[k - 1].low in lex.articles or toks[k - 1].text in "'’") and k + 1 < len(toks)
                and lex.fighting.match(toks, k + 1) is None and _strikes(toks, k + 1, lex)))
            and fold(t.text) not in places)
        if t.is_word and short_name and 2 <= len(t.text) <= 6 and (k == 0 or toks[k - 1].text != "(") \
                and t.text not in places:
            if not _non_armed(toks, k, lex):
                found.append((k, k + 1))
        elif lex.party_cues.may_start(t) and lex.party_cues.match(toks, k) is not None and _clash_before(toks, k, lex):
            # "clashes between Dorba and Kessa": the parties are named after the cue (after a
            # fighting word: "gunmen between Dorba and Kessa" names places)
            c = k + 1
            while c < n and c - k < 12 and (is_name_word(toks[c], lex) or toks[c].low in lex.num_connectors) \
                    and toks[c].low not in lex.months and toks[c].low not in lex.weekdays:
                if is_name_word(toks[c], lex):
                    e = _name_end(toks, c, lex)
                    found.append((c, e))
                    c = e
                else:
                    c += 1
        elif is_name_word(t, lex) or t.is_quote:
            # "Tuaregs attack ...", "\"Road bandits\" attack ...": a name right before a fighting verb
            e = _name_end(toks, k, lex) if not t.is_quote else k + 1
            if t.is_quote:
                while e < n and e - k < 6 and not toks[e].is_quote:
                    e += 1
            f = e + 1 if e < n and toks[e].is_quote else e
            while f < n and f - e < 4 and (toks[f].low in demonyms or lex.auxiliaries.match(toks, f)):
                f += 1  # "le Hezbollah libanais a tiré"
            m2 = lex.fighting.match(toks, f) if f < n else None
            s = k + 1 if t.is_quote else k
            # a quoted name is capitalised ("\"Road bandits\""; a closing mark opens no name); a
            # fighting word that is itself an actor ("air force") makes the name its modifier
            if e > k and m2 is not None and m2[1] != "clashes" and toks[k].text not in lex.not_places \
                    and lex.fighting.match(toks, s) is None and s < e and is_name_word(toks[s], lex) \
                    and toks[s].low not in lex.articles \
                    and lex.actor_nouns.match(toks, f) is None:
                # "Elsewhere air strikes ...": a capitalised common word opens the sentence
                if fold(sent.span(s, e)) not in places and not _common_words(toks[s:e], common):
                    found.append((s, e))
                k = e - 1
        k += 1
    names: list[str] = []
    for s, e in found:
        # a cp1252 apostrophe read as a C1 control character ("Dorba\x92s forces") is shown as one
        name = sent.span(s, e).strip(" ,").replace("\x92", "’")
        words = fold(name).split()
        if not words or fold(name) in places or words[-1] in lex.place_nouns:
            continue  # "Al-Nour Hospital" is where, not who
        if len(words) == 1 and (words[0] in demonyms or words[0] in lex.months or words[0] in lex.weekdays):
            continue  # a bare adjective or a date is no actor
        add_actor(names, name, lex)
    return names


def _history(toks: tuple[Token, ...], k: int, start: int | None = None, year: int | None = None) -> bool:
    """A fighting word dated to a past year ("des affrontements en 2014", "the 2014 battle")."""
    if any(year_value(t) is not None for t in toks[k + 1 : k + 4]):
        return True
    if start is None or year is None:
        return False
    return any(1900 < (year_value(t) or 0) < year for t in toks[max(0, start - 2) : start])


def _landmark(toks: tuple[Token, ...], k: int, lex: Lexicon) -> bool:
    """The name at k is a building's ("la mosquée Zine el-Abidine", "the al-Quds hospital")."""
    p = _back_over_articles(toks, k, lex, lex.genitives)
    return p > 0 and toks[p - 1].low in lex.landmark_nouns


def _variant(a: str, b: str) -> bool:
    """Two transliterations of one name: one letter changed, added or dropped, or a final "h" or
    "e" ("Qaboun" / "Qaboune", "Khaldiye" / "Khaldiyeh")."""
    if a == b:
        return True
    a, b = a.rstrip("he"), b.rstrip("he")
    if a == b:
        return True
    if len(a) < 5 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


class FightingBook:
    def __init__(self, article_id: str, gaz: Gazetteer, published: dt.date | None = None) -> None:
        self.article_id = article_id
        self.published = published
        self.gaz = gaz
        self.demonyms = frozenset(gaz.adjectives)
        # one-word place names ("RDC", "USA"): an acronym shared by two actors' names that is a
        # country says nothing about them being one actor
        self.place_acronyms = frozenset(k[0] for k in gaz.names if len(k) == 1)
        self.people: set[str] = set()  # last names of people in the article: never a place
        self.place_starts: list[int] = []  # token positions of the last sentence's places
        self.bodies: set[str] = set()  # folded acronyms of diplomatic bodies: never an actor
        self.events: dict[str, Event] = {}
        self.sentence_actors: list[tuple[int, list[str]]] = []  # actors of each fighting sentence
        self.common: frozenset[str] = frozenset()  # words the article writes in lower case
        self.actor_heads: set[str] = set()  # folded armed-actor names and their first words
        self.last_date: dt.date | None = None  # the day of the last dated fighting sentence

    def note_people(self, sent: Sentence, lex: Lexicon) -> None:
        """Names after a title or honorific ("le président Karim Haddad", "M. Haddad")."""
        toks = sent.tokens
        for k in range(len(toks) - 1):
            # a lower-case title: "Cheikh Nour" is a district, "le cheikh X" a man
            titled = lex.titles.match(toks, k) if not toks[k].is_cap else None
            start = k + titled[0] if titled else (k + 1 if toks[k].low in lex.honorifics else -1)
            if start < 0:
                continue
            if start < len(toks) and toks[start].text == ".":
                start += 1
            end = _name_end(toks, start, lex) if start < len(toks) else start
            if end > start and not self.gaz.match(toks, start):
                self.note_person(toks[end - 1].text)

    def note_bodies(self, toks: tuple[Token, ...], lex: Lexicon) -> None:
        """Acronyms the article spells out as a diplomatic or political body: "le Conseil national
        de transition (CNT)", "the Arab League (AL)" name no armed actor later on."""
        for k in range(2, len(toks) - 1):
            if toks[k - 1].text != "(" or toks[k + 1].text != ")" or not toks[k].text.isupper():
                continue
            s = k - 1
            while s > 0 and k - s < 9 and (toks[s - 1].is_word or toks[s - 1].text in "'’"):
                s -= 1
            first = next((i for i in range(s, k - 1) if toks[i].is_cap and toks[i].low not in lex.articles
                          and toks[i].low not in lex.stopwords), None)
            # the body's noun heads the name in French, ends it in English
            if first is not None and any(lex.non_armed.match(toks, i) is not None for i in range(first, k - 1)):
                self.bodies.add(fold(toks[k].text))

    def note_person(self, name: str) -> None:
        words = fold(name).split()
        if words:
            self.people.add(words[-1])

    def add_sentence(self, sent: Sentence, lex: Lexicon, masked: list[bool], dates: list[DateMention],
                     speakers: set[str], reporting: tuple[tuple[int, int], ...] = ()) -> list[str]:
        """Files the sentence's fighting; returns its places (also used as casualty locations).

        `speakers` are the folded names of the sentence's speakers: "Washington demande" names a
        government speaking, not a place of fighting. `reporting` are the token spans of its
        reporting clauses: "health officials in Gaza said" names no place of fighting either.
        """
        toks = sent.tokens
        self.note_bodies(toks, lex)
        triggers: list[tuple[int, FightingAction]] = []
        k = 0
        while k < len(toks):
            m = lex.fighting.match(toks, k) if not masked[k] and lex.fighting.may_start(toks[k]) else None
            if m is not None:
                if not _history(toks, k + m[0] - 1, k, self.published.year if self.published else None):
                    action = m[1]
                    if action == "resumed":
                        # "ont repris jeudi le contrôle de X": taken back, not fighting again
                        o = k + m[0]
                        while o < len(toks) and o - k - m[0] < 3 and (toks[o].low in lex.weekdays
                                                                       or toks[o].low in lex.articles):
                            o += 1
                        if lex.recaptured_objects.match(toks, o) is not None:
                            action = "advance"
                    triggers.append((k, action))  # type: ignore[arg-type]
                k += m[0]
            else:
                k += 1
        containers: list[Candidate] = []
        # "À Bruxelles, l'Otan a confirmé ...": a place set before a reporting clause is where the
        # speaker is, like one inside it ("health officials in Gaza said")
        def fronted(c: Candidate) -> bool:  # (set off by a comma: "Clashes near X the army said" is in X)
            return c.start <= 2 and any(c.end <= a <= c.end + 3 and all(not t.is_word or t.low in lex.articles
                                                       for t in toks[c.end : a])
                                        and any(t.text == "," for t in toks[c.end : a]) for a, _ in reporting)

        cands = [c for c in candidates(sent, lex, self.gaz, self.demonyms, self.people, containers, self.common)
                 if fold(c.name) not in speakers and not any(a <= c.start < b for a, b in reporting)
                 and not fronted(c)]
        places = [c.name for c in cands]
        self.place_starts = [c.start for c in cands]
        # a threat or plan voids the fighting words of its own clause only
        segment: list[int] = []
        seg = 0
        # clauses proper: commas set off fronted places and appositions ("À Deraa (sud), les
        # forces ont pilonné ..."), which belong to the clause they lean on
        clause: list[int] = []
        cl = 0
        for i, t in enumerate(toks):
            # "pendant la nuit", "after the attack": a preposition before a noun phrase opens no clause
            boundary = t.low in lex.clause_boundaries and not (
                t.low in lex.np_breakers and i + 1 < len(toks) and toks[i + 1].low in lex.determiners)
            if t.text in ",;:" or boundary:
                seg += 1
            if t.text in ";:" or boundary:
                cl += 1
            segment.append(seg)
            clause.append(cl)
        # "may" the modal voids its clause, "3 May" the date does not
        in_date = {i for d in dates for i in range(d.start, d.end)}
        void = {segment[i] for i in range(len(toks)) if i not in in_date and lex.not_events.may_start(toks[i])
                and lex.not_events.match(toks, i) is not None}
        # a year long past in the clause makes it history: "The 2014 battle for the airport killed
        # hundreds", "le 17 novembre 1997, un groupe massacrait ..." (a count running from it does not)
        if self.published is not None:
            year = self.published.year - 1
            void |= {segment[i] for i, t in enumerate(toks) if i not in in_date
                     and 1900 < (year_value(t) or 0) < year}
            past = [d for d in dates if not d.since and d.date.year < year]
            void |= {segment[d.start] for d in past}
            if any(d.start <= 2 for d in past):  # "Le 17 novembre 1997, un groupe massacrait ..."
                void |= set(segment)
        if lex.history_markers.occurs_in(toks):  # "en 480 avant JC", "in the 5th century BC"
            void |= set(segment)
        # "300,000 killed in Syria since March 2011": a running total of the war, no update
        if self.published is not None:
            old = self.published - dt.timedelta(days=RUNNING_TOTAL_DAYS)
            if any(d.since and d.date < old for d in dates):
                void |= set(segment)
        triggers = [(k, a) for k, a in triggers if segment[k] not in void]
        if not triggers:
            return places
        not_actors = {fold(c.name) for c in cands + containers} | self.bodies
        # "BEIRUT An intensifying push ...": a dateline in capitals names a place, not an actor
        not_actors |= {t.text for i, t in enumerate(toks) if t.text.isupper() and len(t.text) > 2
                       and self.gaz.match(toks, i) is not None}
        actors = actors_in(sent, lex, masked, not_actors, self.demonyms, self.common)
        if actors:
            self.sentence_actors.append((sent.index, actors))
            # "Daesh militants", "ISIS terrorists": the name the article gives an armed group
            for a in actors:
                at = tokenize(a)
                if len(at) == 2 and at[0].is_cap and not self.gaz.match(tuple(at), 0) \
                        and lex.actor_nouns.match(at, 1) is not None:
                    self.actor_heads.add(at[0].low)
        near = [c for c in cands if any(abs(c.start - t) <= NEAR for t, _ in triggers)]
        near = [c for c in near if not self._frames(c, near, clause, toks, lex)]
        # "le quartier de Midane, où l'armée encercle la mosquée Zine el-Abidine": a building in a
        # sentence that names the place around it is no place of its own
        if any(not _landmark(toks, c.start, lex) for c in near):
            near = [c for c in near if not _landmark(toks, c.start, lex)]
        if not near:
            return places
        # "bombarded since Sunday morning": with no other date, the fighting started that day (a
        # count running from longer ago voided the clause above)
        events = [d for d in dates if not d.since] or [d for d in dates if d.since]
        recent = [d for d in events if self.published is None
                  or 0 <= (self.published - d.date).days <= RECENT_DAYS]
        # "les combats ont débuté jeudi": the day fighting began, not the day the rest tells of
        if recent and not lex.event_launch.occurs_in(toks):
            self.last_date = min(recent, key=lambda d: d.start).date
        head: tuple[bool, int, bool] | None = None  # evidence of the list's first place
        for c in near:
            # the most telling fighting word of the place's own clause, of the sentence otherwise
            own = [a for t, a in triggers if segment[t] == segment[c.start]] or [a for _, a in triggers]
            action = min(own, key=ACTION_RANK.index)
            # the date nearest to the place ("Tamra on 20/06 and Kessa on 21/06"); news without a
            # date reports the day of publication
            near_dates = sorted(events, key=lambda d: (abs(d.start - c.end), d.start < c.start))
            date = near_dates[0].date if near_dates else None
            # "Bab Nour district" and "Bab Nour" are one place
            words = fold(c.name).split()
            while len(words) > 1 and words[-1] in lex.place_nouns:
                words.pop()
            key = self._key(words) if not c.entries else " ".join(words)
            ev = self.events.get(key)
            if ev is None:
                kind = c.entries[0].kind if c.entries else "place"
                ev = self.events[key] = Event(c.name, action, [], date, [], c.entries, kind, sent.index)
                ev.told_after = self.last_date
            elif ACTION_RANK.index(action) < ACTION_RANK.index(ev.action) and ev.action == "other":
                ev.action = action
            for a in actors:
                add_actor(ev.actors, a, lex, self.place_acronyms)
            if ev.date is None:
                ev.date = date  # the first explicit date of the place; the publication day otherwise
            ev.fresh = ev.fresh or date is None or self.published is None \
                or (self.published - date).days <= STALE_DAYS
            if len(ev.evidence) < MAX_EVIDENCE and sent.text not in ev.evidence:
                ev.evidence.append(sent.text)
            ev.sentences += 1
            own_clause = any(clause[t] == clause[c.start] for t, _ in triggers)
            distance = min(abs(c.start - t) for t, _ in triggers)
            cued = _has_cue(toks, c.start, lex)
            if c.listed and head is not None:
                # "Harbiyat and Anbaj villages": a later member of a list is as close to the action
                # as the list's first place
                own_clause, distance, cued = own_clause or head[0], min(distance, head[1]), cued or head[2]
            else:
                head = (own_clause, distance, cued)
            ev.same_clause = ev.same_clause or own_clause
            ev.distance = min(ev.distance, distance)
            ev.cued = ev.cued or cued
        return places

    @staticmethod
    def _frames(c: Candidate, near: list[Candidate], clause: list[int], toks: tuple[Token, ...],
                lex: Lexicon) -> bool:
        """The known city or province `c` only frames a smaller place named later in its clause:
        "À Deraa, les forces ont pris d'assaut la localité de Nahté", "in Idlib province rebels
        attacked the Hamidiyeh camp" tell of one event, at the smaller place."""
        if not c.entries or c.entries[0].kind == "country":
            return False
        for d in near:
            if d.start <= c.start or d.entries or d.listed or clause[d.start] != clause[c.start]:
                continue
            if any(t.low in lex.num_connectors for t in toks[c.end : d.start]):
                continue  # "Homs et Bab Amr": two places
            return True
        return False

    def _key(self, words: list[str]) -> str:
        """The event key of a place; a spelling variant of a place already filed ("Qaboun" and
        "Qaboune", "Khaldiyé" and "Khaldiyeh") is that place."""
        key = " ".join(words)
        if key in self.events or len(key) < 6:
            return key
        for old, ev in self.events.items():
            if not ev.entries and abs(len(old) - len(key)) <= 2 and old[:4] == key[:4] \
                    and _variant(old, key):
                return old
        return key

    def alerts(self, countries: Counter[str]) -> list[Fighting]:
        events = [e for e in self.events.values() if fold(e.location).split()[-1:] != [] and
                  fold(e.location).split()[-1] not in self.people]
        # a group the article names as an armed actor is no place ("towards the Daesh stronghold")
        events = [e for e in events if e.entries or fold(e.location) not in self.actor_heads]
        # a country counts only when nothing more precise is given
        if any(e.kind != "country" for e in events):
            events = [e for e in events if e.kind != "country"]
        out: list[Fighting] = []
        for e in events:
            if not e.actors:
                # "Three people were killed in Kessa. Rebels suspected.": the actors of the
                # nearest fighting sentence around, the one before first
                close = [(abs(i - e.sentence), i > e.sentence, a) for i, a in self.sentence_actors
                         if abs(i - e.sentence) <= ACTOR_REACH]
                if close:
                    e.actors = list(min(close)[2])
            if e.entries:
                place: Place | None = self.gaz.place(e.location, e.entries, countries)
            elif countries:
                # a village the gazetteer does not know: in the country the article speaks of most
                place = Place(name=e.location, country=countries.most_common(1)[0][0])
            else:
                place = None
            confidence = fighting_confidence(FightingEvidence(
                same_clause=e.same_clause, known_place=bool(e.entries), cued=e.cued,
                specific_action=e.action != "other", distance=e.distance, sentences=e.sentences,
                actors=bool(e.actors), movement=e.action in _MOVES,
                stale=not e.fresh))
            out.append(Fighting(
                article_id=self.article_id, location=e.location, action=e.action, actors=tuple(e.actors),
                date=e.date or e.told_after or self.published, evidence=" ".join(e.evidence), place=place,
                confidence=confidence,
            ))
        return out
