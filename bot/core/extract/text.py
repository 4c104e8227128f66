"""Tokens and sentences: the one pass over the raw text every rule works from.

Everything here runs in time linear in the text: one regex scan with no nested quantifiers, and
sentences bounded in length so later per-sentence work stays bounded too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# A word starts with a letter and may hold digits ("G7") and inner hyphens ("al-Mesmari",
# "cessez-le-feu"); a number may carry thousands separators ("5.000", "5,000") or a decimal part.
# Apostrophes split words so that "l'ANL" gives "l", "'", "ANL" in every language.
_TOKEN_RE = re.compile(
    r"[^\W\d_]\w*(?:-\w+)*"
    r"|\d+(?:[.,\u00a0\u202f ]\d{3}(?!\d))*(?:[.,]\d+)?"
    r"|\S"
)
QUOTE_MARKS = frozenset("«»“”„\"‟")
MAX_SENTENCE = 1200  # characters; longer runs are cut so no rule sees an unbounded span
MAX_QUOTE = 600  # characters: a quote left open longer than this is taken as a stray mark
# A live-blog entry opens on its clock time ("17 h 50 :", "12h37 :", "15:17 -"): the stamp says when
# the entry was posted, it is no part of what anyone said. Hours and minutes are digits, written
# with "h" or ":" between them in the languages served.
_CLOCK_STAMP = re.compile(r"^\d{1,2}(?:\s?[hH](?:\s?\d{2})?\s*[:\-–—]|:\d{2}(?![\d.,])(?:\s*[:\-–—])?)\s*(?=\S)")


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """Lower case without accents; apostrophe variants unified."""
    s = unicodedata.normalize("NFKD", word.replace("’", "'"))
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    low: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalpha()

    @property
    def is_cap(self) -> bool:
        return self.text[:1].isupper()

    @property
    def is_digit(self) -> bool:
        return self.text[:1].isdecimal()

    @property
    def is_quote(self) -> bool:
        return self.text in QUOTE_MARKS


def tokenize(text: str, offset: int = 0) -> list[Token]:
    return [
        Token(m.group(), fold_word(m.group()), m.start() + offset, m.end() + offset)
        for m in _TOKEN_RE.finditer(text)
    ]


def fold_phrase(phrase: str) -> tuple[str, ...]:
    """A lexicon phrase as the tuple of folded tokens it matches."""
    return tuple(t.low for t in tokenize(phrase))


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int
    tokens: tuple[Token, ...]
    index: int

    def span(self, i: int, j: int) -> str:
        """Verbatim text from token i to token j (exclusive)."""
        if i >= j or i >= len(self.tokens):
            return ""
        a = self.tokens[i].start - self.start
        b = self.tokens[min(j, len(self.tokens)) - 1].end - self.start
        return self.text[a:b]


# Endings of web addresses and file names written with a capital after the dot by a scraper: no sentence
# starts with them (technical names, not words of a language).
_DOMAINS = frozenset({"com", "org", "net", "info", "io", "js", "fr", "uk", "ru", "gov", "edu", "tv", "ly", "sy", "eg"})


def _cut_points(par: str, abbreviations: frozenset[str]) -> list[int]:
    """Offsets (exclusive) where a paragraph splits into sentences.

    A full stop, '!' or '?' followed by a space and a capital, digit or quote mark ends a
    sentence, unless it closes a known abbreviation or a quotation is still open (a quote of
    several sentences stays with its "a-t-il dit" clause).
    """
    cuts: list[int] = []
    open_quote = -1
    last = 0
    n = len(par)
    i = 0
    while i < n:
        c = par[i]
        if c in QUOTE_MARKS:
            # guillemets and curly quotes say which way they go; straight ones toggle
            if c in "«“„":
                open_quote = i
            elif c in "»”":
                open_quote = -1
            else:
                open_quote = -1 if open_quote >= 0 else i
        elif c in ".!?" and i + 2 < n and par[i + 1].isspace():
            j = i + 1
            while j < n and par[j].isspace() and j - i < 4:
                j += 1
            nxt = par[j] if j < n else ""
            k = i - 1
            while k >= 0 and par[k].isalpha() and i - k < 6:
                k -= 1
            word = par[k + 1 : i].lower()
            quoted = open_quote >= 0 and i - open_quote < MAX_QUOTE
            ends = nxt.isupper() or nxt.isdigit() or nxt in QUOTE_MARKS
            # "Dr. M. Khan", "John F. Kennedy": a capital alone before the dot is an initial
            initial = c == "." and i - k == 2 and par[i - 1].isupper() and (k < 0 or par[k] in " ([")
            if ends and word not in abbreviations and not quoted and not initial:
                cuts.append(i + 1)
                last = i + 1
        elif c == "." and i >= 3 and i + 2 < n and par[i + 1].isupper() \
                and (par[i + 2].islower() or par[i + 2] == ".") \
                and par[i - 1].islower() and par[i - 2].islower() and par[i - 3].isalpha() \
                and not (open_quote >= 0 and i - open_quote < MAX_QUOTE):
            # "…in Geneva.The envoy said": a scraped page lost the space after a full stop
            k = i - 1
            while k >= 0 and par[k].isalpha():
                k -= 1
            e = i + 1
            while e < n and par[e].isalpha():
                e += 1
            nxt = par[i + 1 : e].lower()
            # "aljazeera.Com", "john.Smith@…", "Node.Js" (but "Genève.M. Benali": a title after the dot)
            address = (k >= 0 and par[k] in "./@") or nxt in _DOMAINS or (
                e < n and par[e] in "./@" and not (par[e] == "." and nxt in abbreviations))
            if par[k + 1 : i].lower() not in abbreviations and not address:
                cuts.append(i + 1)
                last = i + 1
        if i - last >= MAX_SENTENCE:
            cuts.append(i)
            last = i
            open_quote = -1
        i += 1
    return cuts


def split_sentences(text: str, abbreviations: frozenset[str] = frozenset()) -> list[Sentence]:
    """Sentences of a text; `abbreviations` (lower case, no dot) never end one ("M. Dupont")."""
    out: list[Sentence] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        par_start = pos
        pos += len(line)
        if not line.strip():
            continue
        prev = 0
        for cut in [*_cut_points(line, abbreviations), len(line)]:
            chunk = line[prev:cut]
            lead = len(chunk) - len(chunk.lstrip())
            body = chunk.strip()
            stamp = _CLOCK_STAMP.match(body)
            if stamp is not None:
                lead += stamp.end()
                body = body[stamp.end():]
            if body:
                start = par_start + prev + lead
                out.append(Sentence(body, start, tuple(tokenize(body, start)), len(out)))
            prev = cut
    return out


def quote_spans(sent: Sentence) -> list[tuple[int, int]]:
    """Token index ranges (inside the marks) of the quotations in a sentence.

    Marks pair up in order, whatever their shape, so that mismatched pairs such as
    "d' »arrêter immédiatement »" still delimit a quote; a last unpaired mark opens a quote that
    runs to the end of the sentence.
    """
    spans: list[tuple[int, int]] = []
    text, base = sent.text, sent.start
    opened: int | None = None
    for i, t in enumerate(sent.tokens):
        if not t.is_quote:
            continue
        a, b = t.start - base, t.end - base
        before = text[a - 1] if a > 0 else " "
        after = text[b] if b < len(text) else " "
        # by its surroundings a mark can open (space before, word after) or close (the reverse);
        # French guillemets carry their direction and a space inside, unless plainly misused
        # (" »arrêter": a closing mark used to open)
        glued_left = before.isspace() and after.isalnum()
        if t.text in "«“„":
            can_open, can_close = True, False
        elif t.text in "»”":
            can_open, can_close = glued_left, not glued_left
        else:
            can_open = (before.isspace() or before in "('’-[") and not after.isspace()
            can_close = not before.isspace() or after.isspace() or after in ".,;:!?)"
        if opened is None:
            if can_open or not can_close:
                opened = i
        elif can_close or not can_open:
            spans.append((opened + 1, i))
            opened = None
        else:
            opened = i  # two openers in a row: the first was a stray mark
    if opened is not None and len(sent.tokens) - opened > 4:
        spans.append((opened + 1, len(sent.tokens)))
    return spans
