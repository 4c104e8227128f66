"""Reporting clauses: who says something in a sentence, and where what they say lies.

Three shapes cover news prose in both languages:
- subject first: "Le ministère a déclaré que ...", "military sources said that ...";
- inverted, after the content: "..., a déclaré dimanche le secrétaire d'Etat Mike Pompeo";
  with a pronoun ("a-t-il ajouté") the speaker is the last one named before;
- attribution: "selon l'OSDH", "according to police".
Statements are built from these clauses, and casualty figures take their source from them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from bot.core.extract.dates import DateMention
from bot.core.extract.gazetteer import load_gazetteer
from bot.core.extract.lexicon import Lexicon
from bot.core.extract.speechwords import speech_words
from bot.core.extract.text import Sentence, Token, fold_phrase, tokenize

MAX_NP = 20  # tokens in a speaker noun phrase
PLAIN_SOURCE_WORDS = 4  # words of a source named after 'selon' that is no known body
_CLOSING_QUOTES = frozenset('»”"')
TAIL_WORDS = 7  # words of a closing phrase after a verb that says nothing ('in an updated toll')
DESCRIPTION_WORDS = 12  # words of a description closing a statement ('speaking on condition of ...')
MAX_APPOSITION = 25  # tokens of a description between commas after a subject
ADDRESSEE_REACH = 5  # tokens between a verb and the "that" after its addressee ("told reporters that")
ADJUNCT_REACH = 12  # ... and after when or where it was said ("a déclaré lors d'une visite à Ankara que")
ADDRESSEE_WORDS = 4  # words of a named addressee closing a sentence ("told the Weekly Courier.")
PLACE_NAMES = 2  # capitalised words of a place run into a subject ("near Tell Sabka the army said")
OPENING_WORDS = 8  # tokens of an opening phrase of place or time before the subject ("À Genève,")
AGENT_WORDS = 6  # tokens of an agent phrase ("par l'AFP à Alep") between a participle and a verb
_STOP_PUNCT = frozenset(",.;:!?«»“”\"„[]{}—–…/")


@dataclass(frozen=True, slots=True)
class Speaker:
    name: str  # as named: the person's name, or the body / role phrase
    role: str | None = None
    pronoun: bool = False  # "il", "he", "a-t-il": the last named speaker
    role_only: bool = False  # "le secrétaire d'Etat américain": a role without a name
    person: bool = False  # a personal name was found
    plain: bool = False  # named only by its place after "selon": a source of figures, no speaker otherwise


@dataclass(frozen=True, slots=True)
class Clause:
    sentence: Sentence
    start: int  # token range of the clause itself (speaker and verb), excluded from the content
    end: int
    verb: int
    speaker: Speaker
    content: tuple[int, int]  # token range of what was said
    date: dt.date | None
    attribution: bool = False  # "selon X": the source of a fact rather than a speech act
    silent: bool = False  # the clause says nothing in this unit (an object relative, or ":" announcing the next)
    act: bool = False  # a verb of writing, counting or answering with a plain object: an act, not speech


def is_name_word(tok: Token, lex: Lexicon) -> bool:
    """A capitalised word, or a particle-led one such as "al-Mesmari"."""
    if tok.is_cap and tok.is_word:
        return True
    parts = tok.text.split("-")
    return len(parts) >= 2 and parts[0].lower() in lex.name_particles and parts[1][:1].isupper()


def _is_stop(tok: Token, lex: Lexicon) -> bool:
    return tok.text in _STOP_PUNCT or tok.low in lex.clause_boundaries


def _strip(tokens: tuple[Token, ...], i: int, j: int, lex: Lexicon) -> tuple[int, int]:
    """Drop leading articles/apostrophes and trailing prepositions from a noun phrase."""
    while i < j and (tokens[i].low in lex.articles or tokens[i].text in "'’-("
                     or tokens[i].low in lex.prepositions or tokens[i].low in lex.num_connectors):
        i += 1
    while j > i and (tokens[j - 1].low in lex.articles or tokens[j - 1].text in "'’-(" or
                     tokens[j - 1].low in lex.num_connectors):
        j -= 1
    return i, j


def _name_run(tokens: tuple[Token, ...], i: int, j: int, lex: Lexicon) -> int:
    """Start of the run of capitalised words (with name particles) ending the phrase at j."""
    k = j
    # a trailing acronym in brackets belongs to the name: "Observatoire ... (OSDH)"
    if k - i >= 3 and tokens[k - 1].text == ")" and tokens[k - 3].text == "(":
        k -= 3
    start = k
    while start > i:
        t = tokens[start - 1]
        inner = start - 1 > i
        particle = inner and t.low in lex.name_particles and tokens[start - 2].is_cap
        elided = inner and t.text in "'’" and tokens[start - 2].low in lex.name_particles
        if is_name_word(t, lex) or particle or elided:
            start -= 1
        else:
            break
    while start < k and not is_name_word(tokens[start], lex):
        start += 1
    return start


def _trim_speaker(toks: tuple[Token, ...], i: int, j: int, lex: Lexicon) -> tuple[int, int] | None:
    """The speaker part of a phrase read as a subject, or None when the phrase is no noun phrase.

    Scraped text loses its punctuation, so what stands before a verb may be a headline, a dateline or
    the end of the last clause run into the subject: "... in the city of Homs on Sunday residents and a
    monitor said", "Reuters) The group said", "Aleppo A military source announced". The speaker opens
    after the last date word or closing bracket, at a capitalised determiner, after opening adverbs.
    """
    sw = speech_words(lex.lang)
    if toks[i].low in lex.relatives or (toks[i].low in lex.clause_boundaries and toks[i].low not in lex.articles):
        return None  # ", où il s'entretiendra avec le roi X,": a clause between commas, not a name
    while j > i + 1 and (toks[j - 1].low in lex.weekdays or toks[j - 1].low in lex.months):
        j -= 1  # "a prévenu la France mardi": the day is when, not who
    # "des chefs rebelles interrogés dimanche par l'AFP ont assuré", "residents interviewed by Reuters
    # said": the phrase after a participle and "par"/"by" is its agent; the speaker is before it
    # (a short agent: in text that lost its punctuation a long run after "by" holds the real subject)
    for k in range(max(i + 2, j - AGENT_WORDS - 1), j - 1):
        if toks[k].low in lex.agent_markers:
            p = k - 1
            while p > i and (toks[p].low in lex.weekdays or toks[p].low in lex.months or toks[p].is_digit):
                p -= 1
            if p > i and toks[p].is_word and not toks[p].is_cap and toks[p].low.endswith(sw.agent_participles) \
                    and not any(t.is_digit for t in toks[k:j]):
                j = p
                break
    for k in range(j - 1, i, -1):
        t = toks[k]
        if t.low in lex.weekdays or t.low in lex.months or (t.text == ")" and not any(
                x.text == "(" for x in toks[i:k])):
            i = k + 1
            break
        if t.is_cap and t.low in lex.determiners and k > i and toks[k - 1].text not in "'’":
            i = k
            break
    while True:
        i, j = _strip(toks, i, j, lex)
        m = sw.speaker_openers.match(toks, i)
        if m is None or i + m[0] >= j:
            break
        i += m[0]
    for k in range(i + 1, j - 1):
        # "le président du CHP ne se contente pas de": a negation opens the verb group; "Nusra Front and
        # from the town of X": a conjunction before a preposition joins no second speaker
        # (not in a title: "commissaire à la paix et à la sécurité")
        if toks[k].low in sw.negations or (toks[k].low in lex.num_connectors and toks[k + 1].low in lex.prepositions
                                           and toks[k + 1].low not in lex.articles
                                           and not any(lex.titles.match(toks, x) for x in range(i, k))):
            j = k
            break
    while j > i:
        if toks[j - 1].low in sw.speaker_trailers or (j - 1 > i and toks[j - 1].low in lex.prepositions):
            j -= 1  # "les forces ne s'avouent pas vaincues": the negation belongs to the verb
            continue
        n = sw.speaker_openers.match_end(toks, j)
        if n and j - n > i:
            j -= n  # "UN investigators last week said": when, not who
            continue
        break
    if i >= j or (j - i == 1 and len(toks[i].text) < 2):
        return None  # a lone letter is a cut abbreviation ("U.N." read as "U")
    # a bracket holding a figure describes a place, it names nobody: "une journaliste à X (70 km au sud)"
    for k in range(i + 1, j):
        if toks[k].text == "(":
            close = next((x for x in range(k + 1, j) if toks[x].text == ")"), j)
            if any(t.is_digit for t in toks[k:close]):
                j = k
                break
    # "selon une source judiciaire ce processus pourrait ...", "Rami Abdel Rahman the head of ...": lost
    # punctuation; a determiner after a noun (not after a preposition) opens another noun phrase
    for k in range(i + 1, j):
        t, b = toks[k], toks[k - 1]
        if t.low in lex.determiners and not t.is_cap and t.low not in lex.prepositions \
                and t.low not in lex.genitives and b.is_word and b.low not in lex.prepositions \
                and b.low not in lex.genitives and b.low not in lex.num_connectors and b.low not in lex.articles \
                and b.low not in lex.honorifics and b.low not in lex.name_particles \
                and not lex.auxiliaries.may_start(b):
            j = k
            break

    def names_someone(a: int, b: int) -> bool:
        return any(is_name_word(toks[k], lex) or lex.titles.match(toks, k) is not None
                   or lex.bodies.match(toks, k) is not None or toks[k].low in lex.honorifics for k in range(a, b))

    # "Turkey denied those accusations and the security sources said": lost punctuation joins an object
    # to the subject; the speaker is the conjunct that names someone
    for k in range(i + 1, j - 1):
        if toks[k].low in lex.num_connectors and not names_someone(i, k) and names_someone(k + 1, j):
            i, j = _strip(toks, k + 1, j, lex)
            break
    if i >= j:
        return None
    if j - i > 1 and toks[i].text.isupper() and toks[i].low in sw.credit_names and toks[i + 1].is_cap \
            and lex.titles.match(toks, i + 1) is None and lex.bodies.match(toks, i + 1) is None:
        return None  # "REUTERS Rodi Said": a photo credit run into the text
    words = toks[i:j]
    # ("M." before a name is "Monsieur", not the elided "m'")
    if any((t.low in sw.first_person and not (t.is_cap and t.low in lex.honorifics))
           or (len(t.low.split("-")) > 1 and t.low.split("-")[-1] in sw.first_person) for t in words):
        return None  # "Je m'explique", "I dont expect we": speech, not a speaker
    if j - i > 1 and any((t.low in lex.pronouns and t.low not in lex.articles) or t.low in lex.relatives
                         or (t.low in lex.clause_boundaries and t.low not in lex.articles) for t in words):
        return None  # "où il s'entretiendra avec le roi X": a clause, not a noun phrase
    if any(t.low in sw.indefinite_speakers for t in words):
        return None  # "quelqu'un a dit", "someone said": no one named
    if words[0].low in sw.not_speaker_heads:
        return None
    if j - i == 1 and words[0].is_cap and any(
            words[0].low.endswith(x) and len(words[0].low) > len(x) + 3 for x in sw.adverb_suffixes) \
            and lex.bodies.match(toks, i) is None and lex.titles.match(toks, i) is None:
        return None  # "Initialement", "Finally": an adverb opening the sentence
    # a place phrase: nothing before its first preposition names a speaker ("diplomatic initiative on
    # Syria", "côté des rebelles", "mène à l'aéroport de Tripoli")
    head_end = next((k for k in range(i + 1, j) if toks[k].low in lex.prepositions), j)
    if head_end < j and not any(
            is_name_word(toks[k], lex) or lex.titles.match(toks, k) is not None or lex.bodies.match(toks, k) is not None
            or toks[k].low in lex.honorifics for k in range(i, head_end)) and not (
            i == 0 and toks[i].is_cap and head_end - i == 1):
        return None
    if head_end < j and toks[head_end - 1].low in lex.place_nouns and not any(
            lex.titles.match(toks, k) is not None or lex.bodies.match(toks, k) is not None for k in range(i, head_end)):
        return None  # "Syrian city of Aleppo", "Salem mosque in the city of Ariha": a place, not a speaker
    return i, j


def make_speaker(sent: Sentence, i: int, j: int, lex: Lexicon) -> Speaker | None:
    """Name and role of the speaker phrase tokens[i:j], or None if it names nobody."""
    toks = sent.tokens
    i, j = _strip(toks, i, j, lex)
    # "le dernier bilan de la Croix-Rouge": the source is the body the report comes from
    if i < j and toks[i].low in lex.report_nouns:
        k = i + 1
        while k < j and toks[k].low not in lex.source_links:  # "a statement from the ministry"
            k += 1
        i, j = _strip(toks, k + 1, j, lex)
    # "a PDF statement", "an army report": the body the report comes from
    d = lex.demonstratives.match(toks, i)
    if j - i >= 2 and toks[j - 1].low in lex.report_nouns and toks[j - 2].is_word and (
            d is None or i + d[0] != j):  # "ce dernier" is a person
        i, j = _strip(toks, i, j - 1, lex)
    trimmed = _trim_speaker(toks, i, j, lex) if i < j else None
    if trimmed is None:
        return None
    i, j = trimmed
    if j - i > MAX_NP:
        return None
    d = lex.demonstratives.match(toks, i)
    if d is not None and i + d[0] == j:
        return Speaker(sent.span(i, j), pronoun=True)
    if toks[i].low in lex.non_speakers or toks[i].low in lex.weekdays or toks[i].low in lex.months:
        return None
    if j - i == 1 and toks[i].low in lex.pronouns:
        return Speaker(toks[i].text, pronoun=True)
    if lex.anaphoric.match(toks, i) is not None:
        return Speaker(sent.span(i, j), pronoun=True)
    if not toks[i].is_word or any(t.is_digit for t in toks[i:j]):
        return None  # "Russian forces launched 27 drones": a clause, not a name
    words = [t for t in toks[i:j] if t.is_word]
    if not words:
        return None
    # a capital at the start of the sentence proves nothing unless the phrase is a single word
    first_cap = words[0].is_cap and toks[i].low not in lex.stopwords and (i > 0 or len(words) == 1)
    has_cap = any(t.is_cap for t in words[1:]) or first_cap
    title_at = next((k for k in range(i, j) if lex.titles.match(toks, k) is not None), None)
    # a body word inside the title itself ("chef de la diplomatie") makes no body of the phrase
    t_at = lex.titles.match(toks, i)
    body_from = i + t_at[0] if t_at is not None else i
    body_at = next((k for k in range(body_from, j) if lex.bodies.match(toks, k) is not None), None)
    if not has_cap and title_at is None and body_at is None:
        return None
    if any(t.low in lex.passive or t.text.lower() in lex.finite_verbs for t in toks[i:j]):
        return None  # "était freinée par ...", "X ont lancé des attaques": a clause, not a name
    run = _name_run(toks, i, j, lex)
    # a title's own capitals ("secrétaire d'Etat") are no part of the name after it
    title_end = i
    for k in range(i, j):
        m = lex.titles.match(toks, k)
        if m is not None and k < run < k + m[0] <= j:
            title_end = max(title_end, k + m[0])
    if title_end > run:
        run = title_end
        while run < j and not toks[run].is_cap:
            run += 1
    # "ministre de l'Intérieur Paul Durand": a capital right after "de l'" completes the role
    while run < j and j - run >= 3 and run > i and (toks[run - 1].low in lex.articles
                                                     or toks[run - 1].text in "'’"):
        run += 1
    # "Governor Amina Yusuf": a capitalised title opens the run but is no part of the name
    while run < j and j - run >= 3 and lex.titles.match(toks, run) is not None:
        run += lex.titles.match(toks, run)[0]  # type: ignore[index]
    run_words = [t for t in toks[run:j] if is_name_word(t, lex)]
    if run > i + 1 and (toks[run - 1].low in lex.prepositions or toks[run - 1].low in lex.genitives) \
            and any(is_name_word(t, lex) for t in toks[i : run - 1]):
        run_words = []  # "Syrian Observatory for Human Rights": one body's name, no person in it
    g = run - 1
    while g > i and toks[g].low not in lex.genitives:
        title = lex.titles.match_end(toks, g + 1)
        if not (title or toks[g].low in lex.honorifics or toks[g].text in ".'’" or toks[g].low in lex.articles):
            break
        g -= title or 1
    honorific = any(toks[x].low in lex.honorifics for x in range(g + 1, run))
    if run_words and g > i and toks[g].low in lex.genitives and (
            title_at is None or title_at > g or (title_at == i and honorific)
            or toks[i].low in speech_words(lex.lang).vague_speakers):
        # "les adversaires de M. Morsi", "l'avocat de M. Haddad", "Opponents of President X": the person is
        # the complement, not the speaker ("the governor of Homs Talal Barazi" is Barazi)
        run_words = []
    before_is_title = run > i and (lex.titles.match_end(toks, run) > 0 or toks[run - 1].low in lex.honorifics
                                   or (toks[run - 1].text == "." and run - 2 >= i
                                       and toks[run - 2].low in lex.honorifics))
    if any(lex.bodies.match(toks, k) is not None for k in range(run, j)):
        run_words = []  # "Northern Rights Observatory", "Red Cross": a body's name, not a person's
    if run < j and (len(run_words) >= 2 or (run_words and before_is_title and len(run_words[0].text) > 2)):
        name_i = run
        while name_i < j and (toks[name_i].low in lex.honorifics or toks[name_i].text == "."):
            name_i += 1
        role_i, role_j = _strip(toks, i, run, lex)
        # "le porte-parole du président X": the speaker is the spokesman, not X
        if role_i < role_j and title_at is not None and title_at < role_j and role_j - role_i >= 3:
            before = role_j - lex.titles.match_end(toks, role_j)
            if before < role_j and before - 1 >= role_i and toks[before - 1].low in lex.articles:
                return Speaker(sent.span(i, j), role=sent.span(role_i, role_j) or None)
        if name_i >= j:
            name_i = run
        role = sent.span(role_i, role_j).strip(" ,;:") if role_i < role_j else None
        if role and not any(lex.titles.match(toks, k) is not None or lex.bodies.match(toks, k) is not None
                            or toks[k].low in lex.honorifics for k in range(role_i, role_j)):
            role = None  # "world pays lip service Minister X": words run into the name, no role
        if role and all(toks[k].low in lex.honorifics or not toks[k].is_word for k in range(role_i, role_j)):
            role = None  # "M. Frattini": a courtesy title is no role
        return Speaker(sent.span(name_i, j), role=role, person=True)
    if title_at == i and body_at is None:
        m = lex.titles.match(toks, i)
        rest_caps = any(t.is_cap and t.is_word for t in toks[i + (m[0] if m else 1) : j])
        if not rest_caps:
            return Speaker(sent.span(i, j), role=sent.span(i, j), role_only=True)
    return Speaker(sent.span(i, j))


def _plain_source(sent: Sentence, i: int, j: int, lex: Lexicon) -> Speaker | None:
    """After "selon" / "according to", a determiner and a few plain words name a source that is no
    known body ("d'après la protection civile"); a bare report ("selon les estimations") names none."""
    toks = sent.tokens
    if i >= j or toks[i].low not in lex.articles:
        return None
    a, b = _strip(toks, i, j, lex)
    words = [t for t in toks[a:b] if t.is_word]
    if not words or len(words) > PLAIN_SOURCE_WORDS or not toks[a].is_word:
        return None
    if any(t.is_digit or t.low in lex.passive or t.text.lower() in lex.finite_verbs or t.low in lex.report_nouns
           or t.low in lex.non_speakers or t.low in lex.pronouns for t in toks[a:b]):
        return None
    return Speaker(sent.span(a, b), plain=True)


def _skip_forward(sent: Sentence, k: int, lex: Lexicon, dates: set[int]) -> int:
    toks = sent.tokens
    while k < len(toks):
        m = lex.speaker_skip.match(toks, k) or lex.auxiliaries.match(toks, k)
        if m is not None:
            k += m[0]
        elif k in dates:
            k += 1
        else:
            break
    return k


def _skip_addressee(sent: Sentence, k: int, lex: Lexicon, dates: set[int]) -> int:
    """Past a named addressee between an inverted verb and its subject: "a déclaré à l'Agence
    France-Presse ce chef", "a indiqué à Reuters un responsable" (only when a subject follows)."""
    toks = sent.tokens
    n = len(toks)
    if k >= n or toks[k].low not in speech_words(lex.lang).addressee_markers:
        return k
    j = k + 1
    while j < n and (toks[j].low in lex.articles or toks[j].text in "'’"):
        j += 1
    a = j
    while j < n and j - a < 5 and is_name_word(toks[j], lex):
        j += 1
    if j == a or j >= n:
        return k
    j = _skip_forward(sent, j, lex, dates)
    subject = j < n and not toks[j].is_cap and toks[j].low in lex.determiners and toks[j].low not in lex.prepositions
    return j if subject else k


def _np_forward(sent: Sentence, k: int, lex: Lexicon) -> int:
    """End of a noun phrase starting at k (stops at punctuation, clause words, verbs).

    After a personal name ("Mme Martin") a preposition ends the phrase: "devant la presse à
    Tokyo" says where she spoke, not who she is.
    """
    toks = sent.tokens
    j = k
    depth = 0
    names = 0
    while j < len(toks) and j - k < MAX_NP:
        t = toks[j]
        if t.text == "." and j > k and toks[j - 1].low in lex.honorifics:
            j += 1
            continue
        if names >= 2 and t.low in lex.np_breakers:
            break
        if j > k and depth == 0 and (lex.np_enders.match(toks, j) is not None
                                     or lex.speaker_skip.match(toks, j) is not None
                                     or lex.according_to.match(toks, j) is not None):
            break  # "le ministère dans un communiqué", "un habitant joint par téléphone"
        names = names + 1 if is_name_word(t, lex) or t.low in lex.honorifics else 0
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (_is_stop(t, lex) or lex.is_reporting_word(t.low)):
            break
        j += 1
    return j


def _apposition_after(sent: Sentence, j: int, lex: Lexicon) -> int:
    """End of ", Firstname Lastname" right after j, else j."""
    toks = sent.tokens
    if j < len(toks) and toks[j].text == ",":
        k = j + 1
        while k < len(toks) and k - j < 6 and (is_name_word(toks[k], lex)
                                               or toks[k].low in lex.name_particles):
            k += 1
        caps = sum(1 for t in toks[j + 1 : k] if is_name_word(t, lex))
        if caps >= 2 and (k == len(toks) or toks[k].text in ",.;)"):
            return k
    return j


def _role_after(sent: Sentence, j: int, spk: Speaker, lex: Lexicon) -> tuple[Speaker, int]:
    toks = sent.tokens
    if j < len(toks) and toks[j].text == ",":
        r0 = j + 1
        while r0 < len(toks) and r0 - j < 3 and toks[r0].low in lex.articles:
            r0 += 1
        if r0 < len(toks) and lex.titles.match(toks, r0) is not None:
            r1 = _np_forward(sent, r0, lex)
            while r1 > r0 and (toks[r1 - 1].low in lex.articles or toks[r1 - 1].text in ",;"):
                r1 -= 1
            if r1 > r0:
                return Speaker(spk.name, role=sent.span(r0, r1), person=True), r1
    return spk, j


def _name_after(sent: Sentence, j: int, spk: Speaker, lex: Lexicon) -> tuple[Speaker, int]:
    """", [le colonel] Firstname Lastname" closing the sentence after a role: the person holding it."""
    toks = sent.tokens
    if j >= len(toks) or toks[j].text != ",":
        return spk, j
    k = j + 1
    while k < len(toks) and toks[k].low in lex.articles:
        k += 1
    m = lex.titles.match(toks, k)
    if m is not None:
        k += m[0]
    a = k
    while k < len(toks) and k - a < 6 and (is_name_word(toks[k], lex) or (
            toks[k].low in lex.name_particles and k + 1 < len(toks) and is_name_word(toks[k + 1], lex))):
        k += 1
    names = sum(1 for t in toks[a:k] if is_name_word(t, lex))
    ends = k == len(toks) or toks[k].text in ".;,"
    # after a title the name may close a clause; a bare name only closes the sentence
    if names >= 2 and ((m is not None and ends) or (a == j + 1 and k < len(toks) and toks[k].text in ".;")):
        return Speaker(sent.span(a, k), role=spk.role or spk.name, person=True), k
    return spk, j


def _phrase_start(sent: Sentence, a: int, j: int, spk: Speaker, lex: Lexicon) -> int:
    """Where the speaker phrase starts in tokens[a:j], once trimmed ("... in Homs on Sunday residents
    said": the clause is "residents said", what comes before is what they said)."""
    for text in (spk.role, spk.name):
        if text:
            for k in range(a, j):
                if sent.span(k, j).startswith(text):
                    # keep the determiner before it ("the regional governor", "l'opposition")
                    toks = sent.tokens
                    while k > a and (toks[k - 1].low in lex.determiners or toks[k - 1].low in lex.articles
                                     or toks[k - 1].text in "'’"):
                        k -= 1
                    return k
    return a


def _place_before(toks: tuple[Token, ...], j: int, lex: Lexicon) -> bool:
    """The capitalised name ending at j follows a place cue or noun ("near Tell Sabka", "village Tell Sabka"):
    a place."""
    s = j
    while s > 0 and j - s < MAX_NP and (toks[s - 1].is_cap or toks[s - 1].low in lex.name_particles
                                        or toks[s - 1].text in "-'’"):
        s -= 1
    # a run of more than two names may hold a person after the place ("from Aleppo Omar Haddad the governor")
    short = sum(t.is_cap for t in toks[s:j]) <= PLACE_NAMES or load_gazetteer().lookup(
        " ".join(t.text for t in toks[s:j])) is not None
    return s < j and short and (
        lex.place_cues.match_end(toks, s) > 0 or (s > 0 and toks[s - 1].low in lex.place_nouns))


def _np_backward(sent: Sentence, j: int, lex: Lexicon) -> int:
    """Start of the noun phrase ending at j (exclusive)."""
    toks = sent.tokens
    i = j
    depth = 0
    while i > 0 and j - i < MAX_NP:
        t = toks[i - 1]
        if t.text == ")":
            depth += 1
        elif t.text == "(":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and t.text == "." and i >= 3 and toks[i - 2].low in lex.honorifics and i < j \
                and toks[i - 3].low in lex.genitives:
            pass  # "les partisans de M. Haddad": the honorific's full stop after "de" ends nothing
        elif depth == 0 and (_is_stop(t, lex) or lex.is_reporting_word(t.low)):
            break
        if depth == 0 and lex.article_opens_np and t.low in lex.determiners and i >= 2 and i < j:
            b = toks[i - 2]
            if b.is_word and not b.is_cap and b.low not in lex.prepositions and b.low not in lex.genitives \
                    and b.low not in lex.articles and b.low not in lex.num_connectors and b.low not in lex.stopwords:
                i -= 1
                break  # "an accusation the paramilitary group rejected": the subject opens at "the"
            if b.is_cap and _place_before(toks, i - 1, lex):
                i -= 1
                break  # "shelled the airport near Tell Sabka the army said" (commas lost): the army said
        i -= 1
    return i


def _listed_subject(sent: Sentence, comma: int, lex: Lexicon) -> tuple[Speaker | None, int, bool] | None:
    """"Le Qatar et plusieurs pays européens, dont la Belgique, les Pays-Bas et la Norvège, ont
    confirmé", "Western states, including France and Britain, said": the commas hold examples of the
    subject, which stands before them."""
    toks = sent.tokens
    sw = speech_words(lex.lang)
    k = comma - 1
    while k > 0 and comma - k <= 2 * MAX_APPOSITION:
        t = toks[k]
        if t.text in ".;:!?«»“”\"" or lex.is_reporting_word(t.low):
            return None
        m = sw.inclusion_markers.match(toks, k)
        if m is not None and toks[k - 1].text == ",":
            a = _np_backward(sent, k - 1, lex)
            spk = make_speaker(sent, a, k - 1, lex)
            return (spk, _phrase_start(sent, a, k - 1, spk, lex), False) if spk is not None else None
        k -= 1
    return None


def _subject_before_apposition(
    sent: Sentence, comma: int, lex: Lexicon
) -> tuple[Speaker | None, int, bool]:
    """Subject of a verb preceded by ", ... ," (token `comma` is the second comma).

    Either the commas hold the name ("le porte-parole des forces, Ahmed X, a fait état": the
    phrase before them is the role), or they hold a description of the subject before them
    ("Le Front uni (FU), qui regroupe les partis, a réclamé"; "Paris, allié de Bamako,").
    """
    toks = sent.tokens
    listed = _listed_subject(sent, comma, lex)
    if listed is not None:
        return listed
    c = comma - 1
    while c >= 0 and comma - c <= MAX_APPOSITION and toks[c].text not in ",.;:!?«»“”\"":
        c -= 1
    if c < 0 or toks[c].text != ",":
        return None, comma, False
    inner = make_speaker(sent, c + 1, comma, lex)
    r = _np_backward(sent, c, lex)
    # "X a condamné ces frappes et le secrétaire général de l'ONU, Karim Haddad, a appelé": the role
    # is the title after the last conjunction, and the clause starts at the conjunction
    role_at = r
    for k in range(c - 2, r, -1):
        if toks[k].low in lex.num_connectors:
            t_i, _ = _strip(toks, k + 1, c, lex)
            if lex.titles.match(toks, t_i) is not None:
                r, role_at = k, t_i
            break
    before = make_speaker(sent, role_at, c, lex) if role_at < c else None
    titled = inner is not None and inner.role is not None and fold_phrase(inner.role) in lex.titles.labels
    if inner is not None and inner.person and (titled or all(
            is_name_word(t, lex) or t.low in lex.name_particles or t.low in lex.honorifics or t.text == "."
            for t in toks[c + 1 : comma])):
        # "le président du Conseil, le général X, a appelé": the role is the phrase before the commas
        role = before.name if before is not None and not before.pronoun else inner.role
        return Speaker(inner.name, role=role, person=True), r, True
    if before is not None and not before.pronoun:
        return before, r, False
    return None, comma, False


def _verb_at(sent: Sentence, k: int, lex: Lexicon, masked: list[bool]) -> tuple[int, bool] | None:
    """(length, pronoun-inverted) of a reporting verb at token k."""
    toks = sent.tokens
    if masked[k]:
        return None
    tok = toks[k]
    parts = tok.low.split("-")
    if len(parts) >= 2 and parts[-1] in lex.pronouns:
        # "ajoute-t-il", or "a-t-il" followed by the participle
        if lex.is_reporting_word(parts[0]):
            return 1, True
        # "a-t-elle par ailleurs assuré": fillers may sit between the pronoun and the participle
        v = k + 1
        while v < len(toks) and v - k <= 4:
            m = lex.auxiliaries.match(toks, v)
            if m is None:
                break
            v += m[0]
        if v < len(toks) and (lex.is_reporting_word(toks[v].low) or
                              lex.reporting_phrases.match(toks, v) is not None):
            m = lex.reporting_phrases.match(toks, v)
            return v - k + (m[0] if m else 1), True
        return None
    m = lex.reporting_phrases.match(toks, k)
    if m is not None:
        return m[0], False
    if tok.is_word and not tok.is_cap and lex.is_reporting_word(tok.low):
        if k > 0 and (toks[k - 1].low in lex.passive or toks[k - 1].low in lex.determiners):
            return None  # "a été annoncé", "cette annonce": no speech act of a speaker
        if k + 1 < len(toks) and toks[k + 1].low in lex.agent_markers and lex.auxiliaries.match(toks, k + 1) is None:
            return None  # "reconnu par la communauté internationale": a passive participle ("par ailleurs" is none)
        return 1, False
    return None


def _inverted_verb_at(sent: Sentence, k: int, lex: Lexicon) -> tuple[int, bool] | None:
    """A verb that reports speech only right after a quotation ("« ... », a lancé le président"), not
    elsewhere ("l'armée a lancé une offensive")."""
    m = lex.inverted_verbs.match(sent.tokens, k)
    if m is None:
        return None
    toks = sent.tokens
    b = k
    while b > 0:
        a = lex.auxiliaries.match_end(toks, b)
        if not a:
            break
        b -= a
    if b > 0 and toks[b - 1].text == ",":
        b -= 1
    if b > 0 and (toks[b - 1].is_quote or toks[b - 1].text in _CLOSING_QUOTES):
        return m[0], False
    return None


def _clause_gerund(toks: tuple[Token, ...], k: int, lex: Lexicon) -> bool:
    """A gerund of a reporting verb opening a clause after a comma: ", condamnant par ailleurs ...",
    ", tout en appelant la rébellion à ...", ", saying the operation would go on"."""
    t = toks[k]
    sw = speech_words(lex.lang)
    g = next((g for g in sw.gerunds if t.low.endswith(g) and len(t.low) > len(g) + 2), None)
    if g is None or t.is_cap or lex.killed.match(toks, k) is not None:
        return False  # ("claiming the lives of five children" tells a toll)
    stem = t.low[: -len(g)]
    if not (lex.is_reporting_word(t.low) or any(
            stem.startswith(s) and stem[len(s):] in ("", "e") for s in lex.reporting_stems)):
        return False
    b = k - (sw.gerund_openers.match_end(toks, k) if k > 0 else 0)
    if not (b > 0 and toks[b - 1].text == ","):
        return False
    nxt = k + 1
    while nxt < len(toks) and (m := lex.auxiliaries.match(toks, nxt)) is not None:
        nxt += m[0]  # ("condamnant par ailleurs ...")
    if nxt < len(toks) and toks[nxt].low in lex.prepositions and lex.reporting_phrases.match(toks, k) is None:
        return False  # "adding to fears", "threatening to cut off the road", "menaçant de": no speech
    # "..., claiming to have killed 40, state media reported": the source comes after
    return not any(lex.is_reporting_word(x.low) or lex.according_to.match(toks, x_at) is not None
                   for x_at, x in enumerate(toks) if x_at > k + 1)


def _gerund_subject(sent: Sentence, k: int, lex: Lexicon) -> Speaker | None:
    """Who speaks in a gerund clause: the named subject opening the sentence, right before its own verb
    ("Le Conseil des droits de l'Homme a prolongé ..., condamnant ..."; "The army captured the town,
    saying ..."). A place is no such subject, nor a phrase naming no one."""
    toks = sent.tokens
    sw = speech_words(lex.lang)
    if not toks[0].is_cap:
        return None  # a sentence cut by a line break ("l'armée à organiser des élections, estimant que")
    a = 0
    comma = next((x for x in range(min(k, OPENING_WORDS)) if toks[x].text == ","), None)
    if comma is not None and (toks[0].low in lex.prepositions or lex.place_cues.match(toks, 0) is not None
                              or sw.speaker_openers.match(toks, 0) is not None):
        a = comma + 1  # "À Genève, ...", "In Geneva, ..."
    a, _ = _strip(toks, a, k, lex)

    def verb_at(x: int) -> bool:
        t = toks[x]
        return lex.auxiliaries.match(toks, x) is not None or t.low in lex.finite_verbs or (
            t.is_word and not t.is_cap and t.low.endswith(sw.participle_endings + sw.past_endings))

    e = a
    while e < k and (toks[e].is_word or toks[e].text in "'’-") and not (e > a and verb_at(e)):
        e += 1
    if not a < e < k:
        return None
    spk = make_speaker(sent, a, e, lex)
    if spk is not None and not spk.pronoun and toks[e].text == ",":
        # "le chef du gouvernement, Paul Durand, a reçu": the name between commas holds the role
        x = e + 1
        while x < k and (is_name_word(toks[x], lex) or toks[x].low in lex.name_particles):
            x += 1
        if x < k and toks[x].text == "," and sum(is_name_word(t, lex) for t in toks[e + 1 : x]) >= 2:
            spk = Speaker(sent.span(e + 1, x), role=spk.role or spk.name, person=True) if not spk.person else spk
            e = x + 1
    if spk is not None and spk.person and toks[e].text == ",":
        # "Omar Haddad, head of the local council, visited ...": the description between commas is the role
        close = next((c for c in range(e + 1, min(k, e + MAX_APPOSITION)) if toks[c].text == ","), None)
        if close is not None and close + 1 < k and verb_at(close + 1):
            spk, e = Speaker(spk.name, role=spk.role or sent.span(e + 1, close), person=True), close + 1
    if spk is None or spk.pronoun or e >= k or not verb_at(e) or toks[e].low in lex.passive:
        return None  # (not "X was criticised by ..., accusing him": X is no speaker)
    name_toks = tokenize(spk.name)
    named = spk.person or bool(spk.role) or any(is_name_word(t, lex) for t in name_toks[1:]) \
        or (bool(name_toks) and name_toks[0].text.isupper() and len(name_toks[0].text) > 1) \
        or (lex.bodies.match(name_toks, 0) is not None and name_toks[0].low not in sw.vague_speakers)
    place = not spk.person and load_gazetteer().lookup(spk.name) is not None
    return spk if named and not place else None


def _tacked_on(sent: Sentence, c: int, nxt: int, lex: Lexicon) -> bool:
    """Whether a clause of its own follows the verb over a comma, with no "that" to open what was said:
    "..., officials said on Tuesday, as Kyiv prepared for talks" said what came before."""
    toks = sent.tokens
    if c + 1 >= len(toks) or toks[c].text != ",":
        return False
    w = toks[c + 1].low
    if lex.content_breakers.match(toks, c + 1) is not None and w not in lex.complementisers:
        return True  # "..., the army said, citing ...", "..., adding that ...": a new clause says the rest
    if w not in lex.clause_boundaries or w in lex.complementisers:
        return False
    return not any(t.low in lex.complementisers for t in toks[c + 3 : nxt])  # "alors que" opens no content


def _closing_start(sent: Sentence, start: int, end: int, c: int, lex: Lexicon) -> int:
    """Where the words after a verb start (c: past its dates and fillers, `_skip_forward`); a lone
    preposition skipped last stays with its phrase ("said in a post on its Facebook page.": "on its Facebook
    page" says where)."""
    toks = sent.tokens
    if c > end and toks[c - 1].low in lex.prepositions and lex.speaker_skip.match_end(toks, c) == 1 \
            and not (start > 0 and toks[start - 1].low in lex.relatives):
        # (not in a relative clause: "the attack which the regime blamed on the rebels" blamed it on them)
        return c - 1
    return c


def _said_before(sent: Sentence, start: int, closing: int, prv: int, lex: Lexicon) -> bool:
    """Whether nothing is said after the reporting clause (its closing words start at `closing`,
    `_closing_start`), so what was said comes before it. A closing phrase of when or where it was said
    counts only when something stands before the speaker: "Mayor X said during the bombardment the hospital
    collapsed" said what follows."""
    if not _nothing_said_after(sent, closing, lex):
        return False
    return start > prv or speech_words(lex.lang).adjunct_openers.match(sent.tokens, closing) is None


def _nothing_said_after(sent: Sentence, c: int, lex: Lexicon) -> bool:
    """Whether the words after a verb say nothing: none; a short closing phrase that opens with a
    preposition ("the ministry said in an updated toll."); or a description of the speaker or the
    statement ("told AP, speaking on condition of anonymity", "said in a statement read on state TV")."""
    tail = sent.tokens[c:]
    if all(not t.is_word and not t.is_digit for t in tail):
        return True  # ("put the toll at 30." says 30)
    rest = tail[1:] if tail[0].text == "," else tail
    words = [t for t in rest if t.is_word]
    if 0 < len(words) <= ADDRESSEE_WORDS and all(t.is_cap or t.low in lex.articles for t in words) \
            and words[-1].is_cap and all(t.is_word or t.text in ".'’-" for t in rest):
        return True  # "... a media activist told the Weekly Courier.": to whom, not what
    described = bool(rest) and lex.np_enders.match(rest, 0) is not None
    opener = tail[0].low in lex.prepositions or speech_words(lex.lang).adjunct_openers.match(tail, 0) is not None
    if not described and (rest is not tail or not opener):
        return False
    words = [t for t in rest if t.is_word]
    return (len(words) <= (DESCRIPTION_WORDS if described else TAIL_WORDS)
            and not any(t.low in lex.complementisers or t.low in lex.clause_boundaries or t.text in ",;:"
                        or t.is_digit or t.low in lex.finite_verbs or lex.is_reporting_word(t.low) for t in rest)
            and not any(lex.killed.match(rest, k) or lex.wounded.match(rest, k) for k in range(len(rest))))


def person_mentions(sent: Sentence, lex: Lexicon) -> list[tuple[int, Speaker]]:
    """Personal names the sentence mentions, speaking or not ("l'offre du chef de l'opposition,
    Karim Haddad, semblait compromise"): what a demonstrative ("celui-ci") may stand for."""
    toks = sent.tokens
    n = len(toks)
    out: list[tuple[int, Speaker]] = []
    k = 1
    while k < n:
        if not is_name_word(toks[k], lex):
            k += 1
            continue
        j = k
        while j < n and (is_name_word(toks[j], lex) or (
                toks[j].low in lex.name_particles and j + 1 < n and is_name_word(toks[j + 1], lex))):
            j += 1
        words = toks[k:j]
        plain = not any(lex.bodies.match(toks, i) or lex.titles.match(toks, i) or toks[i].text in lex.not_places
                        for i in range(k, j))
        if sum(1 for t in words if is_name_word(t, lex)) >= 2 and plain:
            spk = make_speaker(sent, k, j, lex)
            if spk is not None and spk.person:
                out.append((k, spk))
        k = j
    return out


MENU_BARS = 2  # "|" separators in one unit that make it a navigation menu
HEADLINE_UNITS = 2  # units at the top of a page where a headline and its byline may run into the text
HEADLINE_REACH = 45  # tokens searched there for the byline's date
FURNITURE_DATE_REACH = 14  # tokens of a "Published <date>" line searched for the year that ends it
YEARS = range(1900, 2100)


def furniture_end(sent: Sentence, lex: Lexicon) -> int | None:
    """Where the story starts in a unit that opens with page furniture, or None if the whole unit is
    furniture (tags, captions, photo credits, share buttons, other stories: no one speaks there).

    In scraped text a byline ("Published November 22 2017", "Mis à jour le 3 mai 2013") runs into the
    story's first sentence: the story starts after the year; with no year, the unit is dropped. A unit
    with no furniture starts at 0.
    """
    sw = speech_words(lex.lang)
    toks = sent.tokens
    if sw.furniture_anywhere.occurs_in(toks) or sum(1 for t in toks if t.text == "|") >= MENU_BARS:
        return None  # a photo credit, or a menu ("Video | Episode | News")
    if sw.furniture.match(toks, 0) is None:
        if sent.index <= HEADLINE_UNITS:
            # "Twin car bombs kill 25 in Homs State media AFP Wednesday 9 Apr 2014 Two car bombs killed":
            # a headline and a dated byline run into the first sentence, which starts after the year
            for k in range(2, min(len(toks) - 1, HEADLINE_REACH)):
                t = toks[k]
                if t.text.isdigit() and len(t.text) == 4 and int(t.text) in YEARS and toks[k + 1].is_cap \
                        and (toks[k - 1].low in lex.months or toks[k - 2].low in lex.months):
                    return k + 1
        return 0
    for k, t in enumerate(toks[:FURNITURE_DATE_REACH]):
        # (scraping may glue the day to the year: "Nov 272017")
        if t.text.isdigit() and len(t.text) >= 4 and int(t.text[-4:]) in YEARS and k + 1 < len(toks):
            return k + 1
    return None


def find_clauses(sent: Sentence, lex: Lexicon, quotes: list[tuple[int, int]],
                 dates: list[DateMention]) -> list[Clause]:
    toks = sent.tokens
    n = len(toks)
    floor = furniture_end(sent, lex)
    if floor is None:
        return []
    masked = [k < floor for k in range(n)]
    for a, b in quotes:
        for k in range(max(a - 1, 0), min(b + 1, n)):
            masked[k] = True
    date_tokens = {k for d in dates for k in range(d.start, d.end)}
    found: list[tuple[int, int, int, Speaker, bool, bool]] = []  # start, end, verb, speaker, inverted, attrib
    k = 0
    while k < n:
        if masked[k]:
            k += 1
            continue
        acc = lex.according_to.match(toks, k)
        if acc is None and k == 0:
            acc = lex.according_to_initial.match(toks, k)
        if acc is not None:
            s0 = _skip_forward(sent, k + acc[0], lex, date_tokens)
            s1 = _apposition_after(sent, _np_forward(sent, s0, lex), lex)
            source = make_speaker(sent, s0, s1, lex)
            if source is None and k > 0:
                source = _plain_source(sent, s0, s1, lex)  # "..., d'après la protection civile."
            e = s1  # "Selon un militant s'exprimant sous couvert de l'anonymat, ...": the clause runs on
            if lex.np_enders.match(toks, s1) is not None:
                e = next((x for x in range(s1, min(n, s1 + MAX_NP)) if toks[x].text in ",.;:"), s1)
            if source is not None and (k > 0 or (e < n and toks[e].text == ",")):
                found.append((k, e, k, source, False, True))
                k = e
                continue
        hit = _verb_at(sent, k, lex, masked)
        if hit is None and not masked[k] and lex.inverted_verbs.may_start(toks[k]):
            hit = _inverted_verb_at(sent, k, lex)
        gerund = hit is None and not found and _clause_gerund(toks, k, lex)
        if gerund:
            hit = (1, False)  # "a prolongé le mandat, condamnant par ailleurs ...": see `_gerund_subject`
        if hit is None:
            k += 1
            continue
        length, pron_inverted = hit
        vend = k + length
        if pron_inverted:
            found.append((k, vend, k, Speaker("", pronoun=True), True, False))
            k = vend
            continue
        if length == 1 and toks[k].is_word and not toks[k].is_cap and k > 0 and found and not found[-1][5] \
                and toks[k - 1].is_word and toks[k].low.endswith(speech_words(lex.lang).gerunds):
            # "X said the jets struck Deir Ezzor adding that ...": text that lost its commas; a gerund has
            # no subject of its own, what it adds is part of what the last speaker said
            k = vend
            continue
        # walk back over auxiliaries and fillers to the subject
        b = k
        while b > 0:
            m = lex.auxiliaries.match_end(toks, b)
            if m:
                b -= m
            elif b - 1 in date_tokens:
                b -= 1
            else:
                break
        prev = toks[b - 1] if b > 0 else None
        sw = speech_words(lex.lang)
        if b == k and length == 1 and not (prev is not None and (prev.is_quote or prev.text in ",«»“”\"")) \
                and any(toks[k].text.lower().endswith(e) for e in sw.participle_endings):
            k = vend  # "les médias étrangers dénoncés avec ...": a participle without auxiliary is no speech act
            continue
        shares = prev is not None and found and not found[-1][5] and (
            (prev.low in lex.num_connectors and b < k) or (prev.text == "," and found[-1][1] == b - 1))
        if prev is not None and prev.low in lex.num_connectors and not shares:
            k = vend  # "rejette toute négociation avec M. X et exige": the subject is further back
            continue
        if shares:
            # "Kiev a annoncé ... et a précisé": the second verb shares the first one's subject
            found.append((b - 1, vend, k, found[-1][3], False, False))
            k = vend
            continue
        if not found and (gerund or _clause_gerund(toks, k, lex)):  # (an English gerund is a verb hit already)
            # ", saying ...", ", condamnant par ailleurs ...": no subject of its own, neither after it nor
            # between commas before it; the sentence's subject speaks
            subject = _gerund_subject(sent, k, lex)
            if subject is not None:
                found.append((k, vend, k, subject, False, False))
            k = vend
            continue
        inverted = prev is None or prev.text in ",«»“”\"" or prev.is_quote
        spk: Speaker | None = None
        start, end = b, vend
        if prev is not None and prev.text == "," and b >= 2:
            # ", Ahmed X, a fait état": a name between commas is the subject, not an inversion
            named, named_start, strict = _subject_before_apposition(sent, b - 1, lex)
            if strict:
                spk, start = named, named_start
        if inverted and spk is None:
            s0 = _skip_forward(sent, vend, lex, date_tokens)
            s0 = _skip_addressee(sent, s0, lex, date_tokens)
            # an inverted subject opens with a determiner, a title or a name: "a déclaré le ministre"
            opener = s0 < n and (toks[s0].low in lex.determiners or is_name_word(toks[s0], lex)
                                 or lex.titles.match(toks, s0) is not None or toks[s0].low in lex.honorifics)
            # an indefinite plural that is also a preposition ("des") opens a subject when a title or
            # a body follows it: "ont indiqué à l'AFP des sources sécuritaires"
            plural = s0 + 1 < n and toks[s0].low in lex.indefinite_plurals and (
                lex.titles.match(toks, s0 + 1) is not None or lex.bodies.match(toks, s0 + 1) is not None)
            if opener and toks[s0].low not in lex.complementisers and (
                    toks[s0].low not in lex.prepositions or plural):
                s1 = _apposition_after(sent, _np_forward(sent, s0, lex), lex)
                spk = make_speaker(sent, s0, s1, lex)
                end = s1
                if spk is not None and spk.person and spk.role is None:
                    # '"...," said John Smith, a spokesman for the group': the role follows the name
                    spk, end = _role_after(sent, s1, spk, lex)
                elif spk is not None and not spk.person and not spk.pronoun:
                    # "a annoncé le porte-parole de l'état-major, le colonel Luc Marin": the name follows
                    spk, end = _name_after(sent, s1, spk, lex)
                elif (spk is None or spk.pronoun) and toks[s0].low in lex.determiners:
                    # "a déclaré ce chef, Ali Nouri": the one just mentioned, named after the comma
                    np_end = _np_forward(sent, s0, lex)
                    named, named_end = _name_after(sent, np_end, Speaker(sent.span(s0, np_end)), lex)
                    if named.person:
                        spk, end = Speaker(named.name, person=True), named_end
        if spk is None and prev is not None:
            j = b
            if prev.text == "," and b >= 2:
                spk, start, _ = _subject_before_apposition(sent, b - 1, lex)
            else:
                if toks[j - 1].low in lex.relatives and j >= 2:
                    j -= 1  # "la Turquie qui a estimé": the subject is before the relative pronoun
                a = _np_backward(sent, j, lex)
                spk = make_speaker(sent, a, j, lex)
                start = _phrase_start(sent, a, j, spk, lex) if spk is not None else a
                last = all(not t.is_word and not t.is_digit for t in toks[vend:])
                acronym = toks[j - 1].text
                if spk is None and last and j - a > 1 and 2 <= len(acronym) <= 6 and acronym.isalpha() \
                        and acronym.isupper():
                    # "... dispatched to Raqqa and Deir Ezzur FNA reports.": the punctuation is lost, the
                    # agency closing the sentence is the speaker
                    spk, start = Speaker(acronym), j - 1
            end = vend
        if spk is None:
            k = vend
            continue
        found.append((start, end, k, spk, inverted and spk is not None and start >= b, False))
        k = max(vend, k + 1)
    clauses: list[Clause] = []
    inverted_at: list[bool] = []
    sw = speech_words(lex.lang)
    for idx, (start, end, verb, spk, inverted, attrib) in enumerate(found):
        before = start - 1
        while before >= 0 and toks[before].text in "'’":
            before -= 1
        if not attrib and not inverted and before >= 0 and toks[before].low in sw.hypothetical:
            continue  # "si Kadhafi dit vrai", "if the army says so": a supposition, no one said it
        nxt = found[idx + 1][0] if idx + 1 < len(found) else n
        prv = found[idx - 1][1] if idx > 0 else floor
        # the words after the verb, past its dates and fillers, and where its closing phrase starts
        after = _skip_forward(sent, end, lex, date_tokens)
        closing = _closing_start(sent, start, end, after, lex)
        if attrib:
            # "Selon X, ...", "Et, selon X, ...": an attribution opening the sentence vouches for what follows
            sw = speech_words(lex.lang)
            opening = all(not t.is_word or t.low in lex.num_connectors or sw.speaker_openers.may_start(t)
                          for t in toks[prv:start])
            content = (end + 1, n) if start == 0 or opening else (prv, start)
        elif inverted or (start <= 1 and end >= n - 2) or _said_before(sent, start, closing, prv, lex) \
                or _tacked_on(sent, after, nxt, lex):
            # "..., the army said in a statement.": nothing said after the verb, so before it
            content = (prv, start)
        else:
            c = after
            # "told reporters that ...", "a indiqué aux journalistes que ...": the addressee is no content;
            # nor is when or where it was said ("a déclaré lors d'une visite à Ankara que ...")
            reach = ADJUNCT_REACH if sw.adjunct_openers.match(toks, closing) else ADDRESSEE_REACH
            for d in range(c, min(n, c + reach)):
                if toks[d].low in lex.complementisers:
                    c = d
                    break
                if toks[d].text in _STOP_PUNCT:
                    break
            if c < n and toks[c].low in lex.complementisers:
                c += 1
            while c < n and toks[c].text in "'’":
                c += 1
            # "..., the army said, adding that ...": nothing between the verb and the next one, so
            # what was said comes before
            content = (c, nxt) if any(t.is_word or t.is_digit for t in toks[c:nxt]) else (prv, start)
        silent = False
        # "X écrit, depuis Le Caire :", "il a déclaré à la presse :", "il explique ce que sont les enjeux :":
        # what was said comes in the next unit ("a dit que les troupes avaient repris Gao :", "said the army
        # was advancing on two fronts:" said it already)
        if not attrib and toks[-1].text == ":" and not quotes and (content[1] >= n - 1 or end >= n - 3):
            # said already: a "that" clause, or a clause with a finite verb of its own (English drops
            # "that"); not a noun phrase ("la chose suivante"), to whom or where, nor what stands before
            # the speaker ("La correspondante d'Al Jazeera au Caire X ajoute :")
            asks = lex.indirect_questions.match_end(toks, content[0]) > 0 \
                or lex.indirect_questions.match(toks, content[0]) is not None
            opened = content[0] > 0 and toks[content[0] - 1].low in lex.complementisers
            clause = content[0] >= end and any(t.text.lower() in lex.finite_verbs
                                               for t in toks[content[0] : content[1]])
            silent = asks or not (opened or clause)
        if not inverted and not attrib and start >= 2 and toks[start - 1].low in lex.complementisers \
                and toks[start - 2].is_word and not lex.is_reporting_word(toks[start - 2].low) \
                and toks[start - 2].low not in lex.clause_boundaries:  # "tandis que X a fait état": a clause
            # "une suggestion que l'opposition a jugée insuffisante": the clause qualifies a noun, the
            # speaker's words are not in this sentence ("a dit que le ministre a annoncé ..." is another case)
            silent = True
        if silent:
            content = (start, start)
        date = next((d.date for d in dates if start - 2 <= d.start < end + 3 and not masked[d.start]
                     and not d.since), None)  # "since last Thursday, the ministry said": no date of speech
        # "X a écrit plusieurs ouvrages", "the police responded with force": these verbs report speech only
        # before "que"/"that", a quotation or a colon
        sw = speech_words(lex.lang)
        act = not attrib and not inverted and any(
            toks[x].low.startswith(v) for x in range(verb, min(end, verb + 3)) for v in sw.object_verbs) \
            and not (content[0] > 0 and toks[content[0] - 1].low in lex.complementisers) \
            and not any(t.is_quote or t.text == ":" for t in toks[end:min(n, end + 4)]) \
            and not any(content[0] <= a and b <= content[1] for a, b in quotes)
        clauses.append(Clause(sent, start, end, verb, spk, content, date, attrib, silent, act))
        inverted_at.append(inverted)
    return _voice_of_place(clauses, inverted_at)


def _voice_of_place(clauses: list[Clause], inverted: list[bool]) -> list[Clause]:
    """"La Libye a demandé une réunion urgente, a indiqué le ministère des Affaires étrangères": a
    country or a city stands for its government only until the sentence names who spoke for it;
    then the place's clause is part of what that voice said."""
    out: list[Clause] = []
    gaz = load_gazetteer()
    for k, c in enumerate(clauses):
        nxt = clauses[k + 1] if k + 1 < len(clauses) else None
        if nxt is not None and inverted[k + 1] and not inverted[k] and not c.attribution and not nxt.attribution \
                and not c.speaker.person and not c.speaker.pronoun and c.content[1] >= nxt.start \
                and nxt.content == (c.end, nxt.start) and gaz.lookup(c.speaker.name) is not None:
            clauses[k + 1] = replace(nxt, content=(c.start, nxt.start))
            continue
        out.append(clauses[k])
    return out
