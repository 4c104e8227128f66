"""Statements: reporting clauses grouped by speaker, one alert per speaker per article."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from bot.core.extract.confidence import threshold_for
from bot.core.extract.gazetteer import load_gazetteer
from bot.core.extract.lexicon import Lexicon
from bot.core.extract.speakers import Clause, Speaker, is_name_word, make_speaker
from bot.core.extract.speechwords import speech_words
from bot.core.extract.text import Sentence, fold_phrase, tokenize
from bot.core.models import Statement, fold

LEAD_MIN_WORDS = 8  # a quoted fragment shorter than this ("arrêter immédiatement") is no lead quote
BUDGET = 2.0  # further quotes are joined while the whole stays within this many times the lead
MIN_CONTENT_WORDS = 3
MIN_QUOTE_WORDS = 2  # a single quoted word is a scare quote
QUOTE_REACH = 3  # tokens between a quotation and its reporting clause ("»," "a-t-il dit")
MAX_EVIDENCE = 8  # sentences kept as evidence for one speaker
MAX_PIECES = 50  # quotes kept per speaker before choosing the lead
SPELLING_RATIO = 0.75  # two spellings of one family name are at least this alike
SHAPE_WORDS = 6  # words of a speaker name beyond which it is more likely a fragment than a name
TITLED_REACH = 10  # tokens of a title and the name after it ("le ministre libyen des Affaires étrangères X Y")


FIGURE_OPENING = 5  # tokens of the content the figure must stand in
FIGURE_CONTENT_WORDS = 35  # reported content this short around a casualty figure is the figure itself


@dataclass
class Piece:
    order: int
    text: str
    direct: bool
    words: int
    figure_only: bool = False  # a casualty figure and little else: a casualty alert, not a statement
    verb: bool = True  # from a reporting verb (not "selon X", which vouches for a fact)
    opened: bool = False  # the content opens with a complementiser ("said that", "a déclaré que")
    headline: bool = False  # read in the headline
    weak: bool = False  # content opening on "with" or "while": how it was done, or another clause


@dataclass
class Group:
    """All the clauses of one speaker."""

    name: str
    role: str | None
    person: bool
    pieces: list[Piece] = field(default_factory=list)
    sentences: dict[int, Sentence] = field(default_factory=dict)
    date: dt.date | None = None
    named: bool = True  # False while only known by a role
    body: bool = False  # a known body or title heads the speaker ("le ministère", "a military source")

    def key_words(self) -> tuple[str, ...]:
        return tuple(fold(self.name).split())


def _title_of(text: str | None, lex: Lexicon) -> tuple[str, ...] | None:
    if not text:
        return None
    toks = fold_phrase(text)
    for n in range(min(len(toks), 6), 0, -1):
        if toks[:n] in lex.titles.labels:
            return toks[:n]
    return None


def _same_role(a: str | None, b: str | None, lex: Lexicon) -> bool:
    ta, tb = _title_of(a, lex), _title_of(b, lex)
    if ta is None or tb is None:
        return False
    if ta == tb:
        return True
    return any(ta in group and tb in group for group in lex.role_synonyms)


def _same_speaker(group: Group, spk: Speaker, lex: Lexicon) -> bool:
    a, b = group.key_words(), tuple(fold(spk.name).split())
    if not a or not b:
        return False
    if a == b:
        return True
    # "Mme Martin" after "Anne Martin" (not "les adversaires de M. Martin": a phrase about her)
    if group.person and spk.person and a[-1] == b[-1] and len(a[-1]) > 3 and min(len(a), len(b)) <= 3:
        return True
    if (group.person or spk.person) and min(len(a), len(b)) == 1 and a[0] == b[0] and len(a[0]) >= 3:
        return True  # "M. Nguyen" after "Nguyen Van Tam": family names may come first
    if group.person and spk.person and len(a) == len(b) >= 2 and a[:-1] == b[:-1] and \
            SequenceMatcher(None, a[-1], b[-1]).ratio() >= SPELLING_RATIO:
        return True  # names transliterated two ways in one article ("Abdeljalil", "Abdeldjeïl")
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    short_text = group.name if short is a else spk.name
    if len(short) >= 2 and long_[: len(short)] == short and short_text[:1].isupper():
        # "Syrian Observatory for Human Rights based in Britain", "Elizabeth Hoff WHO's representative":
        # the name, then what it is
        return True
    if len(short) != 1 or len(short[0]) < 3:
        return False
    # an acronym that the other mention spells out: "OSDH" in "Observatoire ... (OSDH)"
    if short[0] in long_ and short_text.strip().isupper():
        return True
    # "Nova" and "agence officielle Nova" (but not "Fatah" and "ministère de la Santé du Fatah")
    # (a genitive or article before the last word makes it a complement)
    before = long_[-2] if len(long_) >= 2 else ""
    complement = before in lex.genitives or before in lex.articles
    return long_[-1] == short[0] and bool(before) and not complement


def _content_words(name: str, lex: Lexicon) -> tuple[str, ...]:
    """The words of a name that carry meaning: no articles, prepositions, brackets or elided letters."""
    depth, out = 0, []
    for t in tokenize(name):
        depth += (t.text == "(") - (t.text == ")")
        if depth == 0 and t.is_word and len(t.text) > 1 and t.low not in lex.articles \
                and t.low not in lex.prepositions and t.low not in lex.genitives:
            out.append(t.low)
    return tuple(out)


def _spells_out(acronym: str, name: str, lex: Lexicon) -> bool:
    """Whether `acronym` ("UA", "OSDH") is made of the initials of `name`'s words ("Union africaine",
    "Observatoire syrien des droits de l'Homme"): one body named two ways in one article."""
    if not (2 <= len(acronym) <= 6 and acronym.isalpha() and acronym.isupper()):
        return False
    words = _content_words(name, lex)
    return len(words) == len(acronym) and "".join(w[0] for w in words) == fold(acronym)


def _same_body(group: Group, spk: Speaker, lex: Lexicon) -> bool:
    """Whether a body or a generic speaker is one already heard under a fuller or a shorter name.

    "l'opposition" after "l'opposition syrienne", "security sources" after "Turkish security sources",
    "Hezbollah libanais" after "Hezbollah", "UA" after "Union africaine": the shorter name's words all
    stand in the longer one (or it is its acronym). Personal names have their own rules.
    """
    if group.person or spk.person:
        return False
    a, b = group.name.strip(), spk.name.strip()
    if _spells_out(a, b, lex) or _spells_out(b, a, lex):
        return True
    wa, wb = _content_words(a, lex), _content_words(b, lex)
    if not wa or not wb or wa == wb:
        return wa == wb and bool(wa)
    short, long_ = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    short_text = a if short is wa else b
    if len(short) == len(long_) or not set(short) <= set(long_):
        return False
    # a generic phrase in lower case ("source militaire") or one name and its epithets in lower case
    # ("Hezbollah libanais"); not two names that share a word ("Armée syrienne libre", "armée syrienne")
    long_text = b if short is wa else a
    # "médias du régime" is no "régime": where a complement follows the head, the head must be shared
    toks = [t for t in tokenize(long_text) if t.is_word]
    link = next((k for k, t in enumerate(toks)
                 if k > 0 and (t.low in lex.prepositions or t.low in lex.genitives)), None)
    if link is not None and toks[link - 1].low not in short:
        return False
    caps_long = [t for t in tokenize(long_text) if t.is_word and t.is_cap]
    caps_short = [t for t in tokenize(short_text) if t.is_word and t.is_cap]
    if not caps_short:
        return len(caps_long) <= 1
    return len(short) == 1 and long_[0] == short[0] and len(caps_long) == 1


def _conjuncts(name: str, lex: Lexicon) -> list[str]:
    """The parts of a coordinated name ("X and Y"), or the name itself."""
    toks = tokenize(name)
    cuts = [k for k, t in enumerate(toks) if t.low in lex.num_connectors]
    if not cuts:
        return [name]
    parts, start = [], 0
    for k in [*cuts, len(toks)]:
        if k > start:
            a, b = toks[start].start, toks[k - 1].end
            parts.append(name[a:b])
        start = k + 1
    return parts


def _looks_personal(name: str) -> bool:
    """The last word is a capitalised name ("Redur Xelil", "M. Abdel Rahmane"), not a plain noun."""
    words = [t for t in tokenize(name) if t.is_word]
    return bool(words) and words[-1].is_cap and not words[-1].text.isupper()


# A wire dateline opening the article: "Kiev (AFP) - ", "BAMAKO, 4 juillet 2023 (Reuters) — "
_DATELINE = re.compile(r"^[^()\n.]{1,60}\([A-Z][A-Za-z]{1,12}\)\s*[-–—]+\s*")


def _clean(text: str) -> str:
    text = _DATELINE.sub("", text.strip()).strip(" ,;:«»“”\"„'’-—").strip()
    # a quotation cut by the sentence or the clause leaves a lone mark ("Il est «sain et sauf"): marks that
    # do not pair up are dropped, so a reader never sees half a quotation
    for opening, closing in (("«", "»"), ("“", "”")):
        if text.count(opening) != text.count(closing):
            text = text.replace(opening, "").replace(closing, "")
    if text.count('"') % 2:
        text = text.replace('"', "")
    return text


class SpeakerBook:
    """Speakers in article order; resolves pronouns and roles to the speaker they stand for."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.groups: list[Group] = []
        self.last: Group | None = None
        # "l'émissaire international Kofi Annan" anywhere in the article: who a bare role stands for
        self.titled: dict[str, Speaker | None] = {}

    def note_titles(self, sent: Sentence) -> None:
        """Remember the persons the sentence names with a title before their name, speaking or not."""
        toks = sent.tokens
        n = len(toks)
        for k in range(n):
            if self.lex.titles.match(toks, k) is None or (k > 0 and toks[k - 1].is_word and toks[k - 1].low
                                                            not in self.lex.articles):
                continue
            j, names, comma = k, 0, None
            while j < n and j - k < TITLED_REACH and (toks[j].is_word or (
                    toks[j].text == "," and not names and comma is None and j > k)):
                if toks[j].text == ",":
                    comma = j  # "le ministre italien des Affaires étrangères, Franco Frattini"
                elif is_name_word(toks[j], self.lex):
                    names += 1
                elif names >= 2:
                    break
                else:
                    names = 0  # "Affaires" in "ministre des Affaires étrangères": part of the title
                j += 1
            if names < 2:
                continue
            spk: Speaker | None
            if comma is not None:
                role = make_speaker(sent, k, comma, self.lex)
                person = make_speaker(sent, comma + 1, j, self.lex)
                if role is None or person is None or not person.person or person.role:
                    continue
                spk = Speaker(person.name, role=role.role or role.name, person=True)
            else:
                spk = make_speaker(sent, k, j, self.lex)
            if spk is None or not spk.person or not spk.role:
                continue
            key = " ".join(fold_phrase(spk.role))
            seen = self.titled.get(key, spk)
            # two persons under one role in an article: the role alone says not which
            self.titled[key] = spk if seen is not None and seen.name == spk.name else None

    def resolve(self, spk: Speaker) -> Group | None:
        if spk.pronoun:
            return self.last
        anaphor = fold_phrase(spk.name)
        if anaphor in self.lex.anaphoric_bodies.labels:
            # "l'ONG", "the group": a bare body noun stands for the last body that spoke; written as a
            # name ("la Coalition", "l'Observatoire") it stands only for a body whose name holds it
            proper = spk.name[:1].isupper() and not spk.name.isupper()
            for g in reversed(self.groups):
                if not g.person and (not proper or set(anaphor) <= set(fold(g.name).split())):
                    self.last = g
                    return g
        words = fold(spk.name).split()
        if not spk.person and words and spk.name[:1].islower() and (words[-1],) in self.lex.anaphoric_bodies.labels:
            # "the health agency" after "the World Health Organization": a generic body noun with a word of
            # a body named before stands for it
            for g in reversed(self.groups):
                if not g.person and g.name[:1].isupper() and any(
                        len(w) > 3 and w in fold(g.name).split() for w in words[:-1]):
                    self.last = g
                    return g
        if spk.role_only:
            for g in reversed(self.groups):
                if _same_role(g.role, spk.role, self.lex) or _same_role(g.name, spk.role, self.lex):
                    self.last = g
                    return g
            holder = self.titled.get(" ".join(fold_phrase(spk.role or spk.name)))
            if holder is None:
                # "le ministre" after "le ministre italien des Affaires étrangères Franco Frattini": the one
                # person the article gave that title
                holders = {h.name: h for h in self.titled.values()
                           if h is not None and _same_role(h.role, spk.role or spk.name, self.lex)}
                holder = next(iter(holders.values())) if len(holders) == 1 else None
            if holder is not None:
                spk = holder  # "l'émissaire international a reconnu" after "l'émissaire international Kofi Annan"
        for g in self.groups:
            if _same_speaker(g, spk, self.lex):
                if g.role is None and spk.role:
                    g.role = spk.role
                self.last = g
                return g
        # a body under a shorter or fuller name: only where one speaker heard so far fits ("l'armée"
        # after both "l'armée libyenne" and "l'armée française" could be either)
        same = [g for g in self.groups if _same_body(g, spk, self.lex)]
        if len(same) == 1:
            g = same[0]
            if len(_content_words(spk.name, self.lex)) > len(_content_words(g.name, self.lex)) \
                    and not g.name.isupper() and spk.name[:1].isupper():
                g.name = spk.name  # the fuller proper name tells the reader more
            self.last = g
            return g
        if spk.person and spk.role:
            # "le vice-ministre des Affaires étrangères a dit ..." then "Karim Haddad, vice-ministre des
            # Affaires étrangères": the one role heard so far was this person
            said = set(fold(spk.role).split())
            known = [g for g in self.groups if not g.person and _same_role(g.role or g.name, spk.role, self.lex) and (
                said <= set(fold(g.role or g.name).split()) or set(fold(g.role or g.name).split()) <= said)]
            if len(known) == 1:
                g = known[0]
                g.name, g.role, g.person, g.named = spk.name, spk.role, True, True
                self.last = g
                return g
        # "M. Abdel Rahmane et les militants de la page", "YPG spokesman Redur Xelil and Turkish security
        # sources": two speakers in one subject; the one heard alone before or after is the same speaker
        for g in self.groups:
            if any(_same_speaker(Group(a, None, True), Speaker(b, person=True), self.lex)
                   for a in _conjuncts(g.name, self.lex) for b in _conjuncts(spk.name, self.lex)
                   if (a, b) != (g.name, spk.name) and _looks_personal(a) and _looks_personal(b)
                   and max(len(a.split()), len(b.split())) >= 2):  # (a full name on one side, not "Paris")
                self.last = g
                return g
        g = Group(spk.name, spk.role, spk.person, named=not spk.role_only)
        self.groups.append(g)
        self.last = g
        return g


def _unnamed_informant(name: str, lex: Lexicon) -> bool:
    """Whether a speaker is an informant the article does not name: "a military source", "Activists in
    the town", "Turkish security sources", "des sources militaires".

    Such a source vouches for what it saw, and its figures stay casualty alerts with it as `reported_by`;
    but a statement is a named person or body speaking, and a reader can quote no one here. Every part of a
    coordinated speaker must be such an informant ("the Observatory and activists" is the Observatory).
    """
    return all(_unnamed_part(part, lex, first=k == 0) for k, part in enumerate(_conjuncts(name, lex)))


def _unnamed_part(name: str, lex: Lexicon, first: bool) -> bool:
    """The head of the phrase (its words before a preposition) holds a generic speaker noun, no body stands
    in it ("officials from the army's media office", "Official news agency"; "government", "military" are
    adjectives of informants, lexicon `informant_modifiers`), and no word is a name: a capital counts only
    where it is not a nationality, such an adjective or, opening the speaker, a generic word any sentence
    may open on ("Activists")."""
    sw = speech_words(lex.lang)
    toks = tokenize(name)
    words = [t for t in toks if t.is_word]
    head = []
    for t in words:
        if t.low in lex.prepositions or t.low in lex.genitives:
            break
        head.append(t)
    if not any(t.low in sw.vague_speakers for t in head):
        return False
    # a body in it speaks through them: "Lebanese army officials", "state media", "Médecins sans frontières"
    if any((t.low,) in lex.bodies.labels and t.low not in sw.vague_speakers and t.low not in sw.informant_modifiers
           for t in words):
        return False
    if any((m := lex.bodies.match(toks, k)) is not None and m[0] > 1 for k in range(len(toks))):
        return False
    adjectives = load_gazetteer().adjectives
    for i, t in enumerate(words):
        if not t.is_cap or fold(t.text) in adjectives or t.low in sw.informant_modifiers:
            continue
        if first and i == 0 and (t.low in sw.vague_speakers or t.low in lex.articles) and not t.text.isupper():
            continue
        return False
    return True


def _figure_content(sent: Sentence, c0: int, c1: int, lex: Lexicon) -> bool:
    """Whether reported content is a casualty figure and little more ("33 soldiers were killed")."""
    if c0 < c1 and sent.tokens[c0].text == "(":  # "(Johannesburg) 572 people died ...": a dateline first
        c0 = next((k + 1 for k in range(c0, min(c1, c0 + 8)) if sent.tokens[k].text == ")"), c0)
    toks = sent.tokens[c0:c1]
    if sum(1 for t in toks if t.is_word) > FIGURE_CONTENT_WORDS:
        return False
    # the figure opens the content: "au moins 21 personnes ont été tuées", not "condemned the attack
    # that left one person dead" (a speech act of its own that happens to hold a figure)
    numbered = any(t.is_digit or t.low in lex.number_starts for t in toks[:FIGURE_OPENING])
    return numbered and any(lex.killed.match(toks, k) or lex.wounded.match(toks, k) for k in range(len(toks)))


def _said_from(sent: Sentence, clause: Clause, c0: int, lex: Lexicon) -> int:
    """Where the quote of reported content starts: at the content, or at the verb when the content is
    the object of a verb that acts on a thing ("a démenti | la mort de civils", "rejected | the plan")."""
    if clause.attribution or c0 < clause.end or c0 - clause.end > 3 or c0 >= len(sent.tokens):
        return c0
    if sent.tokens[c0 - 1].low in lex.complementisers or sent.tokens[c0].is_quote:
        return c0
    sw = speech_words(lex.lang)
    verb = sent.tokens[clause.verb]
    if not any(verb.low.startswith(v) for v in sw.object_speech_verbs):
        return c0
    return _verb_start(sent, clause, lex)


def _verb_start(sent: Sentence, clause: Clause, lex: Lexicon) -> int:
    """The reporting verb with its auxiliary: "a démenti", "has denied"."""
    v = clause.verb
    while v > clause.start:
        m = lex.auxiliaries.match_end(sent.tokens, v)
        if not m or v - m < clause.start:
            break
        v -= m
    return v


def add_clause(book: SpeakerBook, clause: Clause, quotes: list[tuple[int, int]], order: int,
               has_figure: bool = False, headline: bool = False) -> Group | None:
    group = book.resolve(clause.speaker)
    if group is None:
        return None
    sent = clause.sentence
    lex = book.lex
    if not group.body:
        sp = sent.tokens[clause.start:clause.end]
        group.body = any(lex.titles.match(sp, k) is not None or lex.bodies.match(sp, k) is not None
                         for k in range(len(sp)))
    if clause.date is not None and group.date is None:
        group.date = clause.date
    if clause.act:
        return group  # known as a source of what follows, but it said nothing itself
    sw = speech_words(lex.lang)
    if clause.speaker.pronoun and not group.person and any(
            t.low in sw.first_person_singular for q0, q1 in quotes for t in sent.tokens[q0:q1]):
        # 'a annoncé la télévision. Dedans, il affirme : "ils sont prêts à mourir pour moi"': a body
        # never says "I"; the pronoun stands for someone the article has not named as a speaker
        return None
    n = len(sent.tokens)
    c0, c1 = min(clause.content[0], n), min(clause.content[1], n)  # ("0 selon l'OSDH": content past the end)
    while c1 > c0 and (sent.tokens[c1 - 1].low in lex.clause_boundaries
                       or sent.tokens[c1 - 1].text in ",;:("):
        c1 -= 1
    whole = c1  # (a figure is judged on the whole content: "21 personnes, y compris un médecin, ont été tuées")
    # reported content ends where a new clause is tacked on: ", où ...", ", tout en ..."
    # (not what comes before an inverted clause: there ", qui avait fait défection," is a relative inside
    # the one sentence said, and the verb that says it comes after it)
    for k in range(c0 + MIN_CONTENT_WORDS, c1 - 1 if c1 > clause.start else c0):
        t = sent.tokens[k]
        # (or a finite verb right after the comma: '..., une attaque "décisive", ont débuté jeudi')
        opens = lex.content_breakers.match(sent.tokens, k + 1) is not None or (
            sent.tokens[k + 1].text.lower() in lex.finite_verbs)
        if t.text == "," and opens and not any(q0 <= k < q1 for q0, q1 in quotes):
            c1 = k
            break
    content_words = sum(1 for t in sent.tokens[c0:c1] if t.is_word)
    opened = c0 > 0 and sent.tokens[c0 - 1].low in lex.complementisers
    said = _said_from(sent, clause, c0, lex)
    weak = c0 < c1 and (sent.tokens[c0].low in lex.clause_boundaries or (
        not clause.attribution and sent.tokens[c0].low in sw.weak_content_openers))
    verb = not clause.attribution
    added = False
    for k, (q0, q1) in enumerate(quotes):
        qwords = sum(1 for t in sent.tokens[q0:q1] if t.is_word)
        if qwords < MIN_QUOTE_WORDS:
            continue  # « terroristes »: a word in scare quotes, not a quotation
        inside = c0 <= q0 and q1 <= c1
        near = clause.start - QUOTE_REACH <= q1 <= clause.start or clause.end <= q0 <= clause.end + QUOTE_REACH
        if not inside and not near:
            continue  # "la Turquie, « au nom de ... », l'Iran et le Qatar ont condamné": another's words
        if inside and content_words > 1.6 * qwords:
            text, direct, words = _clean(sent.span(said, c1)), False, content_words
            figure = has_figure and _figure_content(sent, c0, whole, lex)
        else:
            text, direct, words = _clean(sent.span(q0, q1)), True, qwords
            figure = has_figure and _figure_content(sent, q0, q1, lex)
        if len(group.pieces) < MAX_PIECES:
            group.pieces.append(Piece(order * 100 + k, text, direct, words, figure, verb, opened, headline))
        added = True
    if not added and len(group.pieces) < MAX_PIECES:
        if content_words >= MIN_CONTENT_WORDS:
            figure = has_figure and (clause.attribution or _figure_content(sent, c0, whole, lex))
            group.pieces.append(Piece(order * 100, _clean(sent.span(said, c1)), False, content_words,
                                      figure, verb, opened, headline, weak))
        elif not clause.attribution and not clause.silent:
            # "Officials denied the news": too short to stand alone, the sentence says it best; but a
            # clause with nothing around it ("X ajoute :") introduces what follows and says nothing itself
            outside = sum(1 for k, t in enumerate(sent.tokens) if t.is_word and not clause.start <= k < clause.end)
            opening = not any(t.is_word for t in sent.tokens[:clause.start])
            e = clause.end
            if opening and e + 1 < len(sent.tokens) and sent.tokens[e].low in lex.prepositions \
                    and sent.tokens[e + 1].is_cap:
                outside = 0  # "X reports from Idlib.", "X a témoigné depuis Le Caire.": where, not what
            last = sent.tokens[-1]
            cut = last.text == ":" or last.low in lex.complementisers or last.low in lex.pronouns \
                or last.low in lex.clause_boundaries  # "a estimé qu'il": a fragment, nothing said yet
            if outside >= MIN_QUOTE_WORDS and not cut:
                text = sent.text
                after = sum(1 for t in sent.tokens[clause.end:] if t.is_word)
                ahead = sum(1 for t in sent.tokens[:clause.start] if t.is_word)
                if c0 >= clause.end and after >= MIN_QUOTE_WORDS and ahead <= after:
                    # "Intentional attack A leading opposition group condemned the raids.": from the verb on,
                    # what was said and no headline run into the subject
                    text = sent.span(_verb_start(sent, clause, lex), len(sent.tokens))
                words = sum(1 for t in sent.tokens if t.is_word)  # (the sentence's evidence, as before)
                group.pieces.append(Piece(order * 100, _clean(text), False, words, False, verb, False,
                                          headline))
    if len(group.sentences) < MAX_EVIDENCE:
        group.sentences.setdefault(sent.index, sent)
    return group


def _rank(p: Piece) -> int:
    """Newsworthiness tier: a full direct quote, then a short one, then reported speech."""
    if p.direct and p.words >= LEAD_MIN_WORDS:
        return 0
    if p.direct and p.words >= 4:
        return 1
    return 2 if p.words >= MIN_CONTENT_WORDS else 3


def _lead_index(pieces: list[Piece]) -> int:
    """The first piece of the best tier (article order breaks ties)."""
    return min(range(len(pieces)), key=lambda i: (_rank(pieces[i]), i)) if pieces else 0


def confidence(g: Group, lead: Piece, pieces: list[Piece], lex: Lexicon) -> float:
    """How sure the statement is, from its evidence alone (0..1).

    A named person or a known body or title speaking through a reporting verb, in a quotation or a
    "said that" clause, is what a reader files; a bare place, a generic source, a long phrase that is
    neither a name nor a known body, a content read only from "selon X" or from the headline, or a few
    words, are the doubtful cases.
    """
    sw = speech_words(lex.lang)
    toks = tokenize(g.name)
    words = [t for t in toks if t.is_word]
    acronym = len(words) == 1 and len(words[0].text) >= 2 and words[0].text.isupper()
    known = g.person or g.body or bool(g.role) or acronym
    score = 0.5
    if g.person:
        score += 0.2
    if g.body or g.role or acronym:
        score += 0.15
    elif words and words[0].is_cap:
        score += 0.1  # a proper name ("Hezbollah", "Annan")
    if words and all(t.low in sw.vague_speakers for t in words):
        score -= 0.15  # "sources", "officials" alone
    place = not known and len(words) <= 3 and load_gazetteer().lookup(g.name) is not None
    # content words outside brackets: "Observatoire syrien des droits de l'Homme (OSDH)" is a name of four
    depth, content = 0, 0
    for t in toks:
        depth += (t.text == "(") - (t.text == ")")
        if depth == 0 and t.is_word and len(t.text) > 2 and t.low not in lex.prepositions \
                and t.low not in lex.articles and t.low not in lex.genitives:
            content += 1
    if not g.person and content > SHAPE_WORDS:
        score -= min(0.3, 0.08 * (content - SHAPE_WORDS))
    if words and not words[0].is_cap and not known:
        score -= 0.2  # lower case and no known title or body: narration more often than a speaker
    if any(t.is_digit for t in toks) or any(lex.is_reporting_word(t.low) for t in words[1:]):
        score -= 0.3  # a clause run into the name ("... head of the Observatory told AFP")
    if lead.direct:
        score += 0.15
    if lead.opened:
        score += 0.1
    if lead.weak:
        score -= 0.2
    named = any(t.is_cap for t in words)
    if not any(p.verb for p in pieces):
        # "selon X" vouches for a fact: a statement only when X is a named source ("selon l'OSDH"), not a
        # generic one ("selon une source militaire"); a place stands for its government only as the
        # subject of a reporting verb
        score -= 0.3 if place else 0.05 if named else 0.25
    if all(p.headline for p in pieces):
        score -= 0.45 if place else 0.35  # a headline reads as speech without saying who said what
    if lead.words < 4:
        score -= 0.15
    if len(pieces) >= 2:
        score += 0.05
    if not g.person and _unnamed_informant(g.name, lex):
        # kept and searchable, not pushed: a named speaker is what makes a statement
        score = min(score, threshold_for("statement") - 0.05)
    return round(min(1.0, max(0.0, score)), 2)


def to_statements(book: SpeakerBook, article_id: str, published: dt.date | None = None) -> list[Statement]:
    """One statement per speaker; without a date in its clauses, a statement is of the publication day."""
    out: list[Statement] = []
    for g in book.groups:
        pieces = []
        seen: set[str] = set()
        for p in sorted(g.pieces, key=lambda p: p.order):
            key = fold(p.text)
            # a quotation and the reported sentence around it are told once
            if key and not any(key in s or s in key for s in seen):
                seen.add(key)
                pieces.append(p)
        if all(p.headline for p in pieces) and not g.person and load_gazetteer().lookup(g.name) is not None:
            continue  # "Libye : Washington demande l'arrêt de l'offensive": a title's shorthand, not who spoke
        if not pieces or all(p.figure_only for p in pieces):
            continue  # a source that only vouches for tolls is filed with the casualty alerts
        pieces = [p for p in pieces if not p.figure_only]
        all_pieces = list(pieces)
        lead = pieces.pop(_lead_index(pieces))
        chosen = [lead]
        total = lead.words
        for p in pieces:
            if total + p.words <= BUDGET * lead.words:
                chosen.append(p)
                total += p.words
        evidence = " ".join(g.sentences[k].text for k in sorted(g.sentences))
        out.append(Statement(
            article_id=article_id, speaker=g.name, quote=" … ".join(p.text for p in chosen),
            speaker_role=g.role, direct=lead.direct, date=g.date or published, evidence=evidence,
            confidence=confidence(g, lead, all_pieces, book.lex),
        ))
    return out
