"""The core's data: articles in, alerts out, messages to chats.

Everything here is plain, immutable data so that the extractor, the store, the digest builder and
every chat adapter can exchange it without knowing about each other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Literal, TypeAlias

AlertType = Literal["statement", "fighting", "casualty"]
ALERT_TYPES: tuple[AlertType, ...] = ("statement", "fighting", "casualty")

FightingAction = Literal[
    "offensive", "clashes", "resumed", "halted", "advance", "withdrawal",
    "airstrike", "shelling", "ceasefire", "other",
]
Qualifier = Literal["at_least", "more_than", "about", "up_to", "exact"]

# What a fighting update tells, for deduplication: the kinds of combat are one development (an
# article calling Tuesday's fighting an "offensive" and another calling it "clashes" tell the same
# thing); a capture, a withdrawal, a halt or a ceasefire at the place is news of its own.
DEVELOPMENT: dict[str, str] = {
    "offensive": "combat", "clashes": "combat", "airstrike": "combat", "shelling": "combat", "other": "combat",
    "resumed": "combat", "advance": "advance", "withdrawal": "withdrawal", "halted": "halted",
    "ceasefire": "ceasefire",
}


def fold(text: str | None) -> str:
    """Accent-, case- and punctuation-insensitive form used for matching and dedup keys."""
    if not text:
        return ""
    s = text if text.isascii() else unicodedata.normalize("NFKD", text).translate(_UNMARKED)
    # Apostrophes and hyphens are punctuation like the rest: every mark becomes a space.
    return " ".join(_PUNCTUATION.sub(" ", s.lower()).split())


class _Unmarks(dict[int, int | None]):
    """A `str.translate` table deleting combining marks (accents once decomposed), every other
    character kept: learned character by character, so whole texts are folded in C. It learns at most
    `_UNMARKS_KEPT` characters (a few scripts' worth); others are looked up each time."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        if len(self) < _UNMARKS_KEPT:
            self[code] = kept
        return kept


_UNMARKS_KEPT = 1 << 16


_UNMARKED = _Unmarks()
_PUNCTUATION = re.compile(r"[^\w\s]")


FINGERPRINT_WORDS = 24  # words of the lead quote read for its fingerprint
FINGERPRINT_MIN_LEN = 5  # shorter words are mostly function words, in any language


def quote_fingerprint(quote: str) -> str:
    """A short, order-free digest of the content words of a statement's lead quote.

    Outlets cut, join and punctuate the same quote differently ("« X », a-t-il dit" and "X, he
    said"), so the digest reads only the first quote of a joined statement, folds case and accents
    and keeps the longer words as a set: the same words said are one statement, new ones another.
    """
    lead = quote.split(" … ")[0]
    words = sorted({w for w in fold(lead).split()[:FINGERPRINT_WORDS]
                    if len(w) >= FINGERPRINT_MIN_LEN and not w.isdigit()})
    return hashlib.sha1(" ".join(words).encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Article:
    """One article as the extractor sees it. `id` is unique within its source."""

    id: str
    text: str
    title: str | None = None
    lang: str | None = None
    published: dt.date | None = None
    source: str = "unknown"
    url: str | None = None
    outlet: str | None = None

    @property
    def content_hash(self) -> str:
        return _content_hash(self.title, self.text)


# An article's hash is asked for several times while it is filed (is it stored? which story holds
# the same content?), and folding a whole text is slow: the last few are kept.
@lru_cache(maxsize=8)
def _content_hash(title: str | None, text: str) -> str:
    # fold(title + "\n" + text), the title and the text folded apart (folding never joins across a
    # line break), so that the text's fold is the one its near-duplicate signature reads too.
    folded = " ".join(part for part in (fold(title), fold_text(text)) if part)
    return hashlib.sha256(folded.encode()).hexdigest()


@lru_cache(maxsize=8)
def fold_text(text: str) -> str:
    """`fold` of an article's whole text, kept for the few articles being filed (their content hash
    and their near-duplicate signature both read it)."""
    return fold(text)


@dataclass(frozen=True, slots=True)
class Place:
    """A named place, with what the offline gazetteer knows of it (country, coordinates)."""

    name: str
    country: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class Statement:
    article_id: str
    speaker: str
    quote: str
    speaker_role: str | None = None
    direct: bool = False
    date: dt.date | None = None
    evidence: str = ""
    type: Literal["statement"] = "statement"
    confidence: float = 1.0

    def key(self) -> str:
        """The same speaker saying the same thing: a new quote by a known speaker is a new alert."""
        return f"{fold(self.speaker)}|{quote_fingerprint(self.quote)}"


@dataclass(frozen=True, slots=True)
class Fighting:
    article_id: str
    location: str
    action: FightingAction = "other"
    actors: tuple[str, ...] = ()
    date: dt.date | None = None
    evidence: str = ""
    place: Place | None = None
    type: Literal["fighting"] = "fighting"
    confidence: float = 1.0

    def key(self) -> str:
        # A new development at the same place (another kind of action, another day) is news again.
        development = DEVELOPMENT.get(self.action, self.action)
        return f"{fold(self.location)}|{development}|{self.date.isoformat() if self.date else ''}"


@dataclass(frozen=True, slots=True)
class Casualty:
    article_id: str
    killed: int | None = None
    wounded: int | None = None
    qualifier: Qualifier = "exact"
    victims: str | None = None
    reported_by: str | None = None
    since: dt.date | None = None
    location: str | None = None
    evidence: str = ""
    type: Literal["casualty"] = "casualty"
    confidence: float = 1.0

    def key(self) -> str:
        return f"{self.killed}|{self.wounded}|{fold(self.reported_by)}"


Alert: TypeAlias = Statement | Fighting | Casualty


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def alert_to_dict(alert: Alert) -> dict[str, Any]:
    """The alert in the evaluation schema (`shared/eval/README.md`), JSON-ready."""
    data: dict[str, Any] = _jsonable(asdict(alert))
    data.pop("place", None)
    if isinstance(alert, Fighting) and alert.place is not None:
        data["place"] = _jsonable(asdict(alert.place))
    return data


# --- Messages: what the core hands to chat adapters -------------------------------------------
# A message is structured rich text. Adapters render it for their medium and are the only place
# where escaping happens, so article text never reaches a chat as markup.

SpanStyle = Literal["plain", "bold", "italic", "quote", "code"]


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    style: SpanStyle = "plain"
    href: str | None = None
    lang: str | None = None  # set on quotes kept in the article's language


@dataclass(frozen=True, slots=True)
class Line:
    spans: tuple[Span, ...]

    @staticmethod
    def of(*parts: Span | str) -> Line:
        return Line(tuple(p if isinstance(p, Span) else Span(p) for p in parts))

    @property
    def plain(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True, slots=True)
class Message:
    """Platform-neutral rich message: a headline, lines of facts, optional image attachments."""

    headline: str
    lines: tuple[Line, ...] = ()
    lang: str = "en"
    attachments: tuple[str, ...] = ()  # file paths (charts)
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def plain(self) -> str:
        return "\n".join([self.headline, *(line.plain for line in self.lines)])
