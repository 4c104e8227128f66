"""Numbers in digits or words, and the approximate number nouns ("une trentaine", "a dozen")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.extract.lexicon import Lexicon
from bot.core.extract.text import Token

_THOUSANDS = re.compile(r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+")
_PLAIN = re.compile(r"\d+")
MAX_WORDS = 8  # a number in words longer than this is not a figure anyone writes


@dataclass(frozen=True, slots=True)
class Number:
    start: int  # first token
    end: int  # one past the last token
    value: int
    approx: bool = False  # "une trentaine": the qualifier is "about"
    year_like: bool = False  # four digits that read as a year ("2014")
    ambiguous: bool = False  # "un"/"une": a number only right before a casualty noun


def year_value(tok: Token) -> int | None:
    """The year a token of four plain digits writes ("2014"); None for anything else ("51,8", "8.15").

    Every rule that reads a year goes through here: a decimal or a number with a separator is
    four characters long too, and must not reach int().
    """
    text = tok.text
    if len(text) == 4 and text.isdecimal():
        return int(text)
    return None


def digits_value(text: str) -> int | None:
    """Integer value of "35", "5.000", "5,000", "7 600"; None for decimals like "2.5"."""
    if _THOUSANDS.fullmatch(text):
        return int(re.sub(r"\D", "", text))
    if _PLAIN.fullmatch(text):
        return int(text)
    return None


def _parts(tokens: tuple[Token, ...], i: int, lex: Lexicon) -> list[str] | None:
    """Hyphen-split parts of a token if every part is a number word or connector."""
    parts = tokens[i].low.split("-")
    ok = all(
        p in lex.num_units or (p,) in lex.num_tens or p in lex.num_hundreds or p in lex.num_scales
        or p in lex.num_connectors
        for p in parts
    )
    return parts if ok and parts else None


def words_value(parts: list[str], lex: Lexicon) -> int | None:
    total = current = 0
    seen = False
    k = 0
    while k < len(parts):
        pair = tuple(parts[k : k + 2])
        if len(pair) == 2 and pair in lex.num_tens:
            current += lex.num_tens[pair]
            k += 2
            seen = True
            continue
        p = parts[k]
        if p in lex.num_units:
            current += lex.num_units[p]
        elif (p,) in lex.num_tens:
            current += lex.num_tens[(p,)]
        elif p in lex.num_hundreds:
            current = (current or 1) * 100
        elif p in lex.num_scales:
            total += (current or 1) * lex.num_scales[p]
            current = 0
        elif p in lex.num_connectors:
            if not seen or k == len(parts) - 1:
                return None
            k += 1
            continue
        else:
            return None
        seen = True
        k += 1
    return total + current if seen else None


def _clock_mark(tok: Token, lex: Lexicon) -> bool:
    """"h", "h50", "GMT": the token after an hour."""
    low = tok.low
    return low in lex.clock_marks or (low[:1] in lex.clock_marks and low[1:].isdecimal())


def is_clock_time(tokens: tuple[Token, ...], i: int, lex: Lexicon) -> bool:
    """The digits at i are (part of) a time of day: "17h50", "17 h 50", "15:17", "0800 GMT"."""
    n = len(tokens)
    if i + 1 < n and _clock_mark(tokens[i + 1], lex):
        return True
    # "15:17" is written without spaces; "17 h 50 : 12 soldats" is a time stamp, then a figure
    if i + 2 < n and tokens[i + 1].text == ":" and tokens[i + 2].is_digit and len(tokens[i + 2].text) == 2 \
            and tokens[i].end == tokens[i + 1].start == tokens[i + 2].start - 1:
        return True
    if i >= 2 and tokens[i - 1].text == ":" and tokens[i - 2].is_digit and len(tokens[i].text) == 2 \
            and tokens[i - 2].end == tokens[i - 1].start == tokens[i].start - 1:
        return True
    # the minutes of "17 h 50"
    return i >= 2 and tokens[i - 1].low in lex.clock_marks and tokens[i - 2].is_digit


def _after_fraction(tokens: tuple[Token, ...], i: int, lex: Lexicon) -> bool:
    """"a quarter of a million", "la moitié des 300": the number is not the count."""
    return any(tokens[b].low in lex.num_fractions for b in range(max(0, i - 3), i))


def number_at(tokens: tuple[Token, ...], i: int, lex: Lexicon) -> Number | None:
    tok = tokens[i]
    if tok.is_digit:
        if i > 0 and _after_fraction(tokens, i, lex):
            return None
        if is_clock_time(tokens, i, lex):
            return None
        # "20/06", "24-26": dates and ranges are not figures by themselves
        if i + 2 < len(tokens) and tokens[i + 1].text == "/" and tokens[i + 2].is_digit:
            return None
        if i >= 2 and tokens[i - 1].text == "/" and tokens[i - 2].is_digit:
            return None
        value = digits_value(tok.text)
        if value is None:
            return None
        year = len(tok.text) == 4 and 1800 <= value <= 2100
        return Number(i, i + 1, value, year_like=year)
    starts = lex.number_starts
    if not tok.is_word or (tok.low not in starts and tok.low.split("-")[0] not in starts):
        return None  # most words: no number word can start here
    if i > 0 and _after_fraction(tokens, i, lex):
        return None
    # approximate noun after its determiner: "une trentaine", "a dozen"
    if tok.low in lex.approx_numbers and i > 0 and tokens[i - 1].low in lex.approx_determiners:
        return Number(i - 1, i + 1, lex.approx_numbers[tok.low], approx=True)
    if tok.low in lex.num_ambiguous:
        return Number(i, i + 1, 1, ambiguous=True)
    parts: list[str] = []
    j = i
    while j < len(tokens) and j - i < MAX_WORDS:
        more = _parts(tokens, j, lex)
        if more is None:
            break
        parts.extend(more)
        j += 1
    # a trailing connector belongs to the sentence ("five and ...")
    while j > i and tokens[j - 1].low in lex.num_connectors:
        j -= 1
        parts = parts[:-1]
    if j == i:
        return None
    if len(parts) == 1 and parts[0] in lex.num_vague_scales:
        return None  # "des millions de morts": as vague as "des milliers"
    value = words_value(parts, lex)
    if value is None:
        return None
    if j < len(tokens) and tokens[j].low in lex.approx_numbers:
        # "two dozen": a count of approximate units
        return Number(i, j + 1, value * lex.approx_numbers[tokens[j].low], approx=True)
    return Number(i, j, value)


def find_numbers(tokens: tuple[Token, ...], lex: Lexicon) -> list[Number]:
    out: list[Number] = []
    i = 0
    while i < len(tokens):
        num = number_at(tokens, i, lex)
        if num is None:
            i += 1
            continue
        if num.start < i and out and out[-1].end > num.start:
            out.pop()
        out.append(num)
        i = max(num.end, i + 1)
    return out
