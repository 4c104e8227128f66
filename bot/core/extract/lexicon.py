"""Lexicons: one YAML file per language, built in under `lexicons/` or brought by a language pack
(`lexicon.yaml` in a pack folder, see `bot.core.langpack`); adding a language is adding a file.

The code never names a word of any language: it asks a `Lexicon` for phrase sets and tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml

from bot.core import langpack
from bot.core.extract.text import Token, fold_phrase, fold_word, tokenize

MAX_PHRASE = 8  # tokens; longer lexicon entries are ignored so matching stays bounded


class PhraseSet:
    """Folded multi-word phrases, matched at a token position (longest first).

    With `accents=True` the match keeps accents (only case is folded): French "a" (has) is an
    auxiliary, "à" (to) is not.
    """

    __slots__ = ("_by_first", "_last_words", "_longest", "accents", "labels")

    def __init__(self, phrases: dict[tuple[str, ...], str] | None = None, accents: bool = False) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self.labels: dict[tuple[str, ...], str] = {}
        self._last_words: set[str] = set()  # lets match_end give up at once on most tokens
        self._longest = 0
        self.accents = accents
        for words, label in (phrases or {}).items():
            self.add(words, label)

    def add(self, words: tuple[str, ...], label: str = "") -> None:
        if not words or len(words) > MAX_PHRASE:
            return
        self.labels[words] = label
        self._last_words.add(words[-1])
        self._longest = max(self._longest, len(words))
        bucket = self._by_first.setdefault(words[0], [])
        bucket.append((words, label))
        bucket.sort(key=lambda item: -len(item[0]))

    def match(self, tokens: tuple[Token, ...] | list[Token], i: int) -> tuple[int, str] | None:
        """(length, label) of the longest phrase starting at token i, or None."""
        if i >= len(tokens):
            return None
        if self.accents:
            for words, label in self._by_first.get(tokens[i].text.lower(), ()):
                n = len(words)
                if i + n <= len(tokens) and all(tokens[i + k].text.lower() == words[k] for k in range(1, n)):
                    return n, label
            return None
        for words, label in self._by_first.get(tokens[i].low, ()):
            n = len(words)
            if i + n <= len(tokens) and all(tokens[i + k].low == words[k] for k in range(1, n)):
                return n, label
        return None

    def occurs_in(self, tokens: tuple[Token, ...] | list[Token]) -> bool:
        """Whether any phrase occurs in the tokens."""
        first = self._by_first
        for i, tok in enumerate(tokens):
            if (tok.text.lower() if self.accents else tok.low) in first and self.match(tokens, i) is not None:
                return True
        return False

    def may_start_with(self, word: str) -> bool:
        """Whether a phrase may start with this folded word (a cheap test before tokenizing)."""
        return word in self._by_first

    def may_start(self, tok: Token) -> bool:
        """Whether a phrase may start at this token (a cheap test before `match`)."""
        return (tok.text.lower() if self.accents else tok.low) in self._by_first

    def match_end(self, tokens: tuple[Token, ...] | list[Token], j: int) -> int:
        """Length of the longest phrase ending just before token j (0 when none)."""
        if j <= 0 or j > len(tokens):
            return 0
        last = tokens[j - 1].text.lower() if self.accents else tokens[j - 1].low
        if last not in self._last_words:
            return 0
        # exact lookups: a longer phrase starting at the same token ("au nord du") must not hide
        # the one that ends here ("au nord")
        best = 0
        labels = self.labels
        words: tuple[str, ...] = ()
        for n in range(1, min(self._longest, j) + 1):
            t = tokens[j - n]
            words = (t.text.lower() if self.accents else t.low, *words)
            if words in labels:
                best = n
        return best

    def __contains__(self, word: str) -> bool:
        return (word,) in self.labels


def _phrases(values: Any, label: str = "") -> dict[tuple[str, ...], str]:
    out: dict[tuple[str, ...], str] = {}
    for value in values or ():
        words = fold_phrase(str(value))
        if words:
            out[words] = label
    return out


def _accented(values: Any) -> PhraseSet:
    """Phrases matched with their accents (lower case only)."""
    out: dict[tuple[str, ...], str] = {}
    for value in values or ():
        words = tuple(t.text.lower() for t in tokenize(str(value)))
        if words:
            out[words] = ""
    return PhraseSet(out, accents=True)


def _labelled(mapping: Any) -> PhraseSet:
    merged: dict[tuple[str, ...], str] = {}
    for label, values in (mapping or {}).items():
        merged.update(_phrases(values, str(label)))
    return PhraseSet(merged)


def _words(values: Any) -> frozenset[str]:
    return frozenset(fold_word(str(v)) for v in values or ())


# The same readers for the other word tables built from a lexicon file (bot.core.extract.speechwords).
words = _words


def phrase_table(values: Any) -> dict[tuple[str, ...], str]:
    """Folded phrases of a lexicon list, unlabelled (a PhraseSet's table)."""
    return _phrases(values)


@dataclass(frozen=True)
class Lexicon:
    lang: str
    stopwords: frozenset[str]
    reporting_stems: tuple[str, ...]
    reporting_endings: frozenset[str]
    reporting_nouns: frozenset[str]
    reporting_phrases: PhraseSet
    according_to: PhraseSet
    according_to_initial: PhraseSet
    auxiliaries: PhraseSet
    passive: frozenset[str]
    finite_verbs: frozenset[str]
    not_place_cues: PhraseSet
    prepositions: frozenset[str]
    relatives: frozenset[str]
    determiners: frozenset[str]
    report_nouns: frozenset[str]
    non_speakers: frozenset[str]
    toll_nouns: PhraseSet
    toll_verbs: PhraseSet
    non_place_heads: frozenset[str]
    indefinite_plurals: frozenset[str]
    np_breakers: frozenset[str]
    np_enders: PhraseSet
    inverted_verbs: PhraseSet
    source_links: frozenset[str]
    recaptured_objects: PhraseSet
    disasters: PhraseSet
    article_opens_np: bool
    link_markers: PhraseSet
    page_end_markers: PhraseSet
    indirect_questions: PhraseSet
    other_stories_markers: PhraseSet
    page_end_openers: PhraseSet
    reader_voice: frozenset[str]
    year_start: PhraseSet
    label_nouns: frozenset[str]
    agent_markers: frozenset[str]
    pronouns: frozenset[str]
    demonstratives: PhraseSet
    anaphoric: PhraseSet
    anaphoric_bodies: PhraseSet
    clause_boundaries: frozenset[str]
    complementisers: frozenset[str]
    content_breakers: PhraseSet
    articles: frozenset[str]
    honorifics: frozenset[str]
    name_particles: frozenset[str]
    titles: PhraseSet
    bodies: PhraseSet
    role_synonyms: tuple[frozenset[tuple[str, ...]], ...]
    speaker_skip: PhraseSet
    killed: PhraseSet
    wounded: PhraseSet
    death_nouns: frozenset[str]
    continuation: PhraseSet
    coding_notes: PhraseSet
    subset_markers: PhraseSet
    victims: PhraseSet
    non_people_units: frozenset[str]
    vague: PhraseSet
    qualifiers: PhraseSet
    approx_numbers: dict[str, int]
    approx_determiners: frozenset[str]
    num_units: dict[str, int]
    num_tens: dict[tuple[str, ...], int]
    num_hundreds: frozenset[str]
    num_scales: dict[str, int]
    num_connectors: frozenset[str]
    num_ambiguous: frozenset[str]
    num_vague_scales: frozenset[str]
    num_fractions: frozenset[str]
    clock_marks: frozenset[str]
    range_openers: frozenset[str]
    range_links: frozenset[str]
    fighting: PhraseSet
    not_events: PhraseSet
    history_markers: PhraseSet
    actor_nouns: PhraseSet
    party_cues: PhraseSet
    actor_modifiers: frozenset[str]
    actor_adjectives: frozenset[str]
    genitives: frozenset[str]
    actor_links: PhraseSet
    actor_origins: PhraseSet
    expel_verbs: frozenset[str]
    group_pronouns: frozenset[str]
    non_actor_acronyms: frozenset[str]
    non_armed: PhraseSet
    place_cues: PhraseSet
    place_nouns: frozenset[str]
    not_places: frozenset[str]
    modifier_suffixes: frozenset[str]
    plural_articles: frozenset[str]
    distance_units: frozenset[str]
    direction_cues: PhraseSet
    locating_words: PhraseSet
    compass_words: frozenset[str]
    backdrop_nouns: PhraseSet
    weekdays: dict[str, int]
    months: dict[str, int]
    ordinal_suffixes: frozenset[str]
    abbreviations: frozenset[str]
    yesterday: PhraseSet
    day_before_yesterday: PhraseSet
    today: PhraseSet
    since: PhraseSet
    mid_month: frozenset[str]
    event_starts: PhraseSet
    event_nouns: PhraseSet
    event_launch: PhraseSet
    date_ignore_before: frozenset[str]
    toll_givers: frozenset[str] = frozenset()  # participles of a toll's source ("annoncés par", "given by")
    # "en deux jours", "in the past 24 hours": a count over a stretch of time running to publication
    window_openers: PhraseSet = field(default_factory=PhraseSet)
    window_units: dict[str, int] = field(default_factory=dict)  # unit -> days ("semaines": 7)
    landmark_nouns: frozenset[str] = frozenset()  # buildings: no place of fighting beside their district
    day_after: PhraseSet = field(default_factory=PhraseSet)  # "au lendemain de": what follows, the day before
    indefinite_articles: frozenset[str] = frozenset()  # "a mostly Alawite neighbourhood" describes a place
    subset_after: PhraseSet = field(default_factory=PhraseSet)  # "5 children were among the dead": a part
    support_verbs: PhraseSet = field(default_factory=PhraseSet)  # "mené des raids": carry a fighting noun
    # "48 killed or injured", "50 blessés ou disparus": one number for two fates is a figure of neither
    joint_links: frozenset[str] = frozenset()
    alternative_links: frozenset[str] = frozenset()  # "or": "wounded or missing" is one count of either fate
    possessives: frozenset[str] = frozenset()  # "since his death": one person's death, no count's casualty word
    fate_verbs: frozenset[str] = frozenset()  # "remain trapped", "restent coincés": a state verb before a fate
    # "Nusra Front", "State Department", "Front al-Nosra": a name headed by one of these is a body, not a place
    organisation_heads: frozenset[str] = frozenset()
    # "positioned in X": where gunners are, no place of fighting when the sentence names the place they hit
    origin_cues: PhraseSet = field(default_factory=PhraseSet)
    other_fates: PhraseSet = field(default_factory=PhraseSet)  # "missing", "arrêtés": fates that are no casualty
    _verb_cache: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    _sets: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def date_starts(self) -> frozenset[str]:
        """Every word a date expression may open with (a fast pre-check)."""
        return self._derived("date_starts")

    @property
    def number_starts(self) -> frozenset[str]:
        """Every word a number in words may open with (a fast pre-check)."""
        return self._derived("number_starts")

    def _derived(self, name: str) -> frozenset[str]:
        """Word sets computed once from the tables, kept on the (cached) lexicon."""
        hit = self._sets.get(name)
        if hit is None:
            if name == "date_starts":
                words = set(self.weekdays) | set(self.months) | set(self.mid_month)
                for ps in (self.yesterday, self.day_before_yesterday, self.today):
                    words |= {w[0] for w in ps.labels}
            else:
                words = set(self.num_units) | {w[0] for w in self.num_tens} | set(self.num_hundreds) \
                    | set(self.num_scales) | set(self.approx_numbers) | set(self.approx_determiners) \
                    | set(self.num_ambiguous)
            hit = frozenset(words)
            self._sets[name] = hit
        return hit

    def is_reporting_word(self, low: str) -> bool:
        """A reporting verb form: a listed stem followed by one of the listed endings."""
        hit = self._verb_cache.get(low)
        if hit is None:
            hit = low not in self.reporting_nouns and any(
                low.startswith(stem) and low[len(stem):] in self.reporting_endings
                for stem in self.reporting_stems
            )
            if len(self._verb_cache) < 50000:
                self._verb_cache[low] = hit
        return hit


def _number_tables(data: dict[str, Any]) -> tuple[dict[str, int], dict[tuple[str, ...], int]]:
    units = {fold_word(str(k)): int(v) for k, v in (data.get("units") or {}).items()}
    tens = {fold_phrase(str(k)): int(v) for k, v in (data.get("tens") or {}).items()}
    return units, tens


def build_lexicon(data: dict[str, Any]) -> Lexicon:
    nums = data.get("numbers") or {}
    units, tens = _number_tables(nums)
    return Lexicon(
        lang=str(data["lang"]),
        stopwords=_words(data.get("stopwords")),
        reporting_stems=tuple(sorted({fold_word(str(s)) for s in data.get("reporting_stems") or ()})),
        reporting_endings=frozenset(fold_word(str(e)) for e in data.get("reporting_endings") or () if e),
        reporting_nouns=frozenset(fold_word(str(w)) for w in data.get("reporting_nouns") or ()),
        reporting_phrases=PhraseSet(_phrases(data.get("reporting_phrases"))),
        according_to=PhraseSet(_phrases(data.get("according_to"))),
        according_to_initial=PhraseSet(_phrases(data.get("according_to_initial"))),
        auxiliaries=_accented(data.get("auxiliaries")),
        passive=_words(data.get("passive")),
        finite_verbs=frozenset(str(w).lower() for w in data.get("finite_verbs") or ()),
        not_place_cues=PhraseSet(_phrases(data.get("not_place_cues"))),
        prepositions=_words(data.get("prepositions")),
        relatives=_words(data.get("relatives")),
        determiners=_words(data.get("determiners")),
        report_nouns=_words(data.get("report_nouns")),
        non_speakers=_words(data.get("non_speakers")),
        indefinite_plurals=_words(data.get("indefinite_plurals")),
        np_breakers=_words(data.get("np_breakers")),
        np_enders=PhraseSet(_phrases(data.get("np_enders"))),
        inverted_verbs=PhraseSet(_phrases(data.get("inverted_verbs"))),
        source_links=_words(data.get("source_links") or data.get("genitives")),
        recaptured_objects=PhraseSet(_phrases(data.get("recaptured_objects"))),
        disasters=PhraseSet(_phrases(data.get("disasters"))),
        article_opens_np=bool(data.get("article_opens_np")),
        link_markers=PhraseSet(_phrases(data.get("link_markers"))),
        page_end_markers=PhraseSet(_phrases(data.get("page_end_markers"))),
        indirect_questions=PhraseSet(_phrases(data.get("indirect_questions"))),
        other_stories_markers=PhraseSet(_phrases(data.get("other_stories_markers"))),
        page_end_openers=PhraseSet(_phrases(data.get("page_end_openers"))),
        reader_voice=_words(data.get("reader_voice")),
        year_start=PhraseSet(_phrases(data.get("year_start"))),
        label_nouns=_words(data.get("label_nouns")),
        agent_markers=_words(data.get("agent_markers")),
        pronouns=_words(data.get("pronouns")),
        demonstratives=PhraseSet(_phrases(data.get("demonstratives"))),
        anaphoric=PhraseSet(_phrases(data.get("anaphoric"))),
        anaphoric_bodies=PhraseSet(_phrases(data.get("anaphoric_bodies"))),
        clause_boundaries=_words(data.get("clause_boundaries")),
        complementisers=_words(data.get("complementisers")),
        content_breakers=PhraseSet(_phrases(data.get("content_breakers"))),
        articles=_words(data.get("articles")),
        honorifics=_words(data.get("honorifics")),
        name_particles=_words(data.get("name_particles")),
        titles=PhraseSet(_phrases(data.get("titles"))),
        bodies=PhraseSet(_phrases(data.get("bodies"))),
        role_synonyms=tuple(
            frozenset(fold_phrase(str(r)) for r in group) for group in data.get("role_synonyms") or ()
        ),
        speaker_skip=PhraseSet(_phrases(data.get("speaker_skip"))),
        killed=PhraseSet(_phrases(data.get("killed_words"))),
        toll_nouns=PhraseSet(_phrases(data.get("toll_nouns"))),
        toll_verbs=PhraseSet(_phrases(data.get("toll_verbs"))),
        non_place_heads=_words(data.get("non_place_heads")),
        wounded=PhraseSet(_phrases(data.get("wounded_words"))),
        death_nouns=_words(data.get("death_nouns")),
        continuation=PhraseSet(_phrases(data.get("continuation"))),
        coding_notes=PhraseSet(_phrases(data.get("coding_notes"))),
        subset_markers=PhraseSet(_phrases(data.get("subset_markers"))),
        victims=PhraseSet(_phrases(data.get("victim_nouns"))),
        non_people_units=_words(data.get("non_people_units")),
        vague=PhraseSet(_phrases(data.get("vague"))),
        qualifiers=_labelled(data.get("qualifiers")),
        approx_numbers={fold_word(str(k)): int(v) for k, v in (data.get("approx_numbers") or {}).items()},
        approx_determiners=_words(data.get("approx_determiners")),
        num_units=units,
        num_tens=tens,
        num_hundreds=_words(nums.get("hundreds")),
        num_scales={fold_word(str(k)): int(v) for k, v in (nums.get("scales") or {}).items()},
        num_connectors=_words(nums.get("connectors")),
        num_ambiguous=_words(nums.get("ambiguous")),
        num_vague_scales=_words(nums.get("vague_scales")),
        num_fractions=_words(nums.get("fractions")),
        clock_marks=_words(data.get("clock_marks")),
        range_openers=_words(data.get("range_openers")),
        range_links=frozenset(str(w).lower() for w in data.get("range_links") or ()),
        fighting=_labelled(data.get("fighting")),
        not_events=PhraseSet(_phrases(data.get("not_events"))),
        history_markers=PhraseSet(_phrases(data.get("history_markers"))),
        actor_nouns=PhraseSet(_phrases(data.get("actor_nouns"))),
        party_cues=PhraseSet(_phrases(data.get("party_cues"))),
        actor_modifiers=_words(data.get("actor_modifiers")),
        actor_adjectives=_words(data.get("actor_adjectives_after_noun")),
        genitives=_words(data.get("genitives")),
        actor_links=PhraseSet(_phrases(data.get("actor_links"))),
        actor_origins=PhraseSet(_phrases(data.get("actor_origins"))),
        expel_verbs=_words(data.get("expel_verbs")),
        group_pronouns=_words(data.get("group_pronouns")),
        non_actor_acronyms=frozenset(str(a) for a in data.get("non_actor_acronyms") or ()),
        non_armed=PhraseSet(_phrases(data.get("non_armed_bodies"))),
        place_cues=PhraseSet(_phrases(data.get("place_cues"))),
        place_nouns=_words(data.get("place_nouns")),
        not_places=frozenset(str(w) for w in data.get("not_places") or ()),
        modifier_suffixes=_words(data.get("modifier_suffixes")),
        plural_articles=_words(data.get("plural_articles")),
        distance_units=_words(data.get("distance_units")),
        direction_cues=PhraseSet(_phrases(data.get("direction_cues"))),
        locating_words=PhraseSet(_phrases(data.get("locating_words"))),
        compass_words=frozenset(str(w).lower() for w in data.get("compass_words") or ()),
        backdrop_nouns=PhraseSet(_phrases(data.get("backdrop_nouns"))),
        weekdays={fold_word(str(w)): i for i, w in enumerate(data.get("weekdays") or ())},
        months={
            **{fold_word(str(m)): i + 1 for i, m in enumerate(data.get("months") or ())},
            **{fold_word(str(k)): int(v) for k, v in (data.get("month_abbrev") or {}).items()},
        },
        ordinal_suffixes=_words(data.get("ordinal_suffixes")),
        abbreviations=frozenset(str(a).lower().rstrip(".") for a in data.get("abbreviations") or ()),
        yesterday=PhraseSet(_phrases(data.get("yesterday"))),
        day_before_yesterday=PhraseSet(_phrases(data.get("day_before_yesterday"))),
        today=PhraseSet(_phrases(data.get("today"))),
        since=PhraseSet(_phrases(data.get("since"))),
        mid_month=_words(data.get("mid_month")),
        event_starts=_labelled(data.get("event_starts")),
        event_nouns=_labelled(data.get("event_nouns")),
        event_launch=PhraseSet(_phrases(data.get("event_launch"))),
        date_ignore_before=_words(data.get("date_ignore_before")),
        toll_givers=_words(data.get("toll_givers")),
        window_openers=PhraseSet(_phrases(data.get("window_openers"))),
        window_units={fold_word(str(k)): int(v) for k, v in (data.get("window_units") or {}).items()},
        landmark_nouns=_words(data.get("landmark_nouns")),
        day_after=PhraseSet(_phrases(data.get("day_after"))),
        indefinite_articles=_words(data.get("indefinite_articles")),
        subset_after=PhraseSet(_phrases(data.get("subset_after"))),
        support_verbs=PhraseSet(_phrases(data.get("support_verbs"))),
        joint_links=_words(data.get("joint_links")),
        alternative_links=_words(data.get("alternative_links")),
        possessives=_words(data.get("possessives")),
        fate_verbs=_words(data.get("fate_verbs")),
        organisation_heads=_words(data.get("organisation_heads")),
        origin_cues=PhraseSet(_phrases(data.get("origin_cues"))),
        other_fates=PhraseSet(_phrases(data.get("other_fates"))),
    )


@cache
def available_languages() -> tuple[str, ...]:
    """Languages the extractor reads: the built-in lexicons and every pack on the search path with one."""
    builtin = {p.stem for p in langpack.BUILTIN_LEXICONS.glob("*.yaml")}
    packs = {lang for lang in langpack.languages() if langpack.lexicon_path(lang) is not None}
    return tuple(sorted(builtin | packs))


@cache
def lexicon_data(lang: str) -> dict[str, Any]:
    """The lexicon file of a language as read, once: the rule tables (`load_lexicon`) and the speech
    words (`speechwords.speech_words`) are both built from it. FileNotFoundError when there is none."""
    path = langpack.lexicon_path(lang)
    if path is None:
        raise FileNotFoundError(f"no extraction lexicon for language {lang!r}")
    # BaseLoader keeps every scalar a string: YAML 1.1 would read the words "on", "off", "yes"
    # and "no" as booleans (the code converts numbers itself)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return data


@cache
def load_lexicon(lang: str) -> Lexicon:
    return build_lexicon(lexicon_data(lang))


# A pack added to the search path (or taken away) changes which lexicons there are.
for _cached in (available_languages, lexicon_data, load_lexicon):
    langpack.on_reload(_cached.cache_clear)
