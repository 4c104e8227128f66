"""The statement rules' own words, read from the same per-language lexicon files.

Kept apart from `Lexicon` so that the speech rules (speakers, page furniture, confidence) can grow
their vocabulary without touching the shared lexicon loader. Every entry lives in
`lexicons/<lang>.yaml` under the keys named below; a language that lacks a key simply gets none.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bot.core import langpack
from bot.core.extract.lexicon import PhraseSet, lexicon_data, phrase_table
from bot.core.extract.lexicon import words as _words
from bot.core.extract.text import fold_word


@dataclass(frozen=True)
class SpeechWords:
    # words closing a subject that belong to its verb ("ne" of a negation)
    speaker_trailers: frozenset[str]
    # words that open a sentence or a phrase and are never part of a speaker ("Later", "Initialement")
    speaker_openers: PhraseSet
    # endings of adverbs: a lone sentence-initial word so ending is no speaker ("Initialement", "Finally")
    adverb_suffixes: tuple[str, ...]
    # first and second persons: a phrase holding one is speech, not a speaker ("I dont expect we")
    first_person: frozenset[str]
    # phrases opening page furniture: tags, captions, share buttons, bylines, other stories
    furniture: PhraseSet
    # words that, anywhere in a unit, mark it as furniture (photo credits, share buttons)
    furniture_anywhere: PhraseSet
    # a speaker phrase holding one of these is narration, not a name ("number of shells", "anniversary")
    not_speaker_heads: frozenset[str]
    # endings of a past participle: a reporting verb so ending with no auxiliary is passive or adjectival
    participle_endings: tuple[str, ...]
    # stems of verbs of writing, counting or answering: speech only before "that", a quotation or a colon
    object_verbs: tuple[str, ...]
    # wire and photo agencies whose credit line runs into the text ("REUTERS Rodi Said")
    credit_names: frozenset[str]
    # a reported content opening on one of these tells how something was done, not what was said
    weak_content_openers: frozenset[str]
    # words opening a closing phrase of when or where something was said, like a preposition: "said
    # during a visit to Ankara.", "a déclaré lors d'une conférence de presse."
    adjunct_openers: PhraseSet
    # generic speakers: weak evidence on their own ("sources", "officials", "activists")
    vague_speakers: frozenset[str]
    # words that stand capitalised before or beside a generic speaker without naming anyone: at the head
    # of a sentence ("Local sources", "Plusieurs témoins") or as English adjectives ("Western officials")
    informant_modifiers: frozenset[str]
    # the first person singular: a quotation holding one is a person's words, never a body's
    first_person_singular: frozenset[str]
    # stems of verbs whose object is a thing, not a clause ("a démenti la mort de civils", "rejected the
    # plan"): without its verb such content does not say what was said about it
    object_speech_verbs: tuple[str, ...]
    # negation particles: inside a subject they open its verb group ("le président ne se contente pas")
    negations: frozenset[str]
    # words opening a list of examples between commas ("dont la Belgique, ...", "including France")
    inclusion_markers: PhraseSet
    # prepositions that open a named addressee after a verb ("a déclaré à Reuters un responsable")
    addressee_markers: frozenset[str]
    # indefinite pronouns: a subject holding one names no one ("quelqu'un a dit", "someone said")
    indefinite_speakers: frozenset[str]
    # endings of a verb in the past ("captured"): where a subject read forwards ends
    past_endings: tuple[str, ...]
    # words before a gerund that keep it a gerund ("en réclamant", "tout en appelant", "while calling")
    gerund_openers: PhraseSet
    # endings of a gerund ("adding", "affirmant"): a verb with no subject of its own
    gerunds: tuple[str, ...]
    # endings of the participle before an agent ("interrogés par", "interviewed by")
    agent_participles: tuple[str, ...]
    # conjunctions that make what follows a supposition: "si X dit vrai", "if the army says so"
    hypothetical: frozenset[str]


def _phrases(values: object) -> PhraseSet:
    return PhraseSet(phrase_table(values))


def _folded(values: object) -> tuple[str, ...]:
    """Word endings and stems, folded, in the order the lexicon gives them."""
    return tuple(fold_word(str(v)) for v in values or ())  # type: ignore[attr-defined]


def build_speech_words(data: dict[str, object]) -> SpeechWords:
    return SpeechWords(
        speaker_openers=_phrases(data.get("speaker_openers")),
        speaker_trailers=_words(data.get("speaker_trailers")),
        adverb_suffixes=_folded(data.get("adverb_suffixes")),
        first_person=_words(data.get("first_person")),
        first_person_singular=_words(data.get("first_person_singular")),
        hypothetical=_words(data.get("hypothetical")),
        indefinite_speakers=_words(data.get("indefinite_speakers")),
        addressee_markers=_words(data.get("addressee_markers")),
        inclusion_markers=_phrases(data.get("inclusion_markers")),
        negations=_words(data.get("negations")),
        gerunds=_folded(data.get("gerunds")),
        gerund_openers=_phrases(data.get("gerund_openers")),
        past_endings=_folded(data.get("past_endings")),
        object_speech_verbs=_folded(data.get("object_speech_verbs")),
        agent_participles=_folded(data.get("agent_participles")),
        furniture=_phrases(data.get("furniture")),
        furniture_anywhere=_phrases(data.get("furniture_anywhere")),
        not_speaker_heads=_words(data.get("not_speaker_heads")),
        vague_speakers=_words(data.get("vague_speakers")),
        informant_modifiers=_words(data.get("informant_modifiers")),
        weak_content_openers=_words(data.get("weak_content_openers")),
        adjunct_openers=_phrases(data.get("adjunct_openers")),
        credit_names=_words(data.get("credit_names")),
        object_verbs=_folded(data.get("object_verbs")),
        # compared with their accents: French "affirmé" is a participle, "affirme" is not
        participle_endings=tuple(str(e).lower() for e in data.get("participle_endings") or ()),  # type: ignore[attr-defined]
    )


@cache
def speech_words(lang: str) -> SpeechWords:
    try:
        data = lexicon_data(lang)
    except FileNotFoundError:
        return build_speech_words({})
    return build_speech_words(data)


langpack.on_reload(speech_words.cache_clear)
