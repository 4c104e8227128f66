"""Feed dates feedparser does not read: month names in other languages than English.

`lun., 08 avr. 2019 10:00:00 +0200`, `8 avril 2019`, `mardi 9 avril 2019 à 10h15`. The month words
(full names and abbreviations) come from every lexicon's `months` and `month_abbrev`; a word that is
the start of exactly one month name across them is that month too (`sept.`, `janv.`). The day is the
number just before the month word (or just after it: `April 9`), the year a 4-digit number, the time
`HH:MM[:SS]` or `HHhMM`, the offset `+HHMM` (none: UTC). An ordinal suffix of the lexicons may follow
the day (`1er mai`).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from bot.core.extract.lexicon import available_languages, load_lexicon

_TOKEN = re.compile(
    r"(?P<time>\d{1,2}[:h]\d{2}(?::\d{2})?)|(?P<offset>[+-]\d{2}:?\d{2})\b|(?P<num>\d+)|(?P<word>[^\W\d_]+)")
MIN_PREFIX = 3


@cache
def _months() -> tuple[dict[str, int], tuple[tuple[str, int], ...]]:
    """(exact words -> month, every known month word with its month for prefix matches)."""
    exact: dict[str, int] = {}
    clashes: set[str] = set()
    for lang in available_languages():
        for word, month in load_lexicon(lang).months.items():
            if exact.get(word, month) != month:
                clashes.add(word)
            exact[word] = month
    for word in clashes:
        del exact[word]
    return exact, tuple(sorted(exact.items()))


@cache
def _ordinal_suffixes() -> frozenset[str]:
    return frozenset().union(*(load_lexicon(lang).ordinal_suffixes for lang in available_languages()))


def month_of(word: str) -> int | None:
    from bot.core.extract.text import fold_word

    folded = fold_word(word)
    exact, every = _months()
    if folded in exact:
        return exact[folded]
    if len(folded) < MIN_PREFIX:
        return None
    found = {month for name, month in every if name.startswith(folded)}
    return found.pop() if len(found) == 1 else None


def parse_feed_date(value: str) -> dt.datetime | None:
    """The UTC time a date string names, or None when it does not name one clearly."""
    tokens = [(m.lastgroup or "", m.group()) for m in _TOKEN.finditer(value[:200])]
    year = next((int(t) for kind, t in tokens if kind == "num" and len(t) == 4), None)
    if year is None:
        return None
    day = month = None
    # The day before the month word first (`08 avr.`), then after it (`April 9`): a weekday
    # abbreviation that is also a month's start (`mar.` for mardi) comes before the day, not after.
    for before in (True, False):
        for i, (kind, text) in enumerate(tokens):
            if kind != "word" or (m := month_of(text)) is None:
                continue
            j = i - 1 if before else i + 1
            if before and j > 0 and tokens[j][0] == "word" and tokens[j][1].lower() in _ordinal_suffixes():
                j -= 1  # `1er mai`
            if 0 <= j < len(tokens) and tokens[j][0] == "num" and len(tokens[j][1]) <= 2 \
                    and 1 <= int(tokens[j][1]) <= 31:
                day, month = int(tokens[j][1]), m
                break
        if month is not None:
            break
    if day is None or month is None:
        return None
    hour = minute = second = 0
    time = next((t for kind, t in tokens if kind == "time"), None)
    if time is not None:
        parts = [int(p) for p in re.split(r"[:h]", time)]
        hour, minute = parts[0], parts[1]
        second = parts[2] if len(parts) > 2 else 0
    offset = next((t for kind, t in tokens if kind == "offset"), None)
    tz = dt.UTC
    if offset is not None:
        digits = offset[1:].replace(":", "")
        delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        tz = dt.timezone(-delta if offset[0] == "-" else delta)
    try:
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=tz).astimezone(dt.UTC)
    except ValueError:
        return None
