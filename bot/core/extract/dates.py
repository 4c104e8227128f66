"""Dates in a sentence, resolved against the article's publication date.

A weekday or a day-month without year is the most recent such day on or before publication:
news reports on the past, so "dimanche" in a Monday paper is the day before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.extract.lexicon import Lexicon, PhraseSet
from bot.core.extract.numbers import Number, digits_value, year_value
from bot.core.extract.text import Token, fold_word


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    date: dt.date
    since: bool = False  # introduced by "depuis"/"since": the start of a count


def _last_weekday(published: dt.date, weekday: int) -> dt.date:
    return published - dt.timedelta(days=(published.weekday() - weekday) % 7)


def _day_month(day: int, month: int, year: int | None, published: dt.date | None) -> dt.date | None:
    try:
        if year is not None:
            return dt.date(year, month, day)
        if published is None:
            return None
        candidate = dt.date(published.year, month, day)
        if candidate > published + dt.timedelta(days=1):
            candidate = dt.date(published.year - 1, month, day)
        return candidate
    except (ValueError, OverflowError):  # "31/02", a year of twelve digits, a day past date.max
        return None


def _year_at(tokens: tuple[Token, ...], i: int) -> int | None:
    value = year_value(tokens[i]) if i < len(tokens) else None
    return value if value is not None and 1800 <= value <= 2100 else None


def _day_at(tokens: tuple[Token, ...], i: int) -> int | None:
    if 0 <= i < len(tokens) and len(tokens[i].text) <= 2 and tokens[i].text.isdecimal():
        value = int(tokens[i].text)
        if 1 <= value <= 31:
            return value
    return None


def _match_at(
    tokens: tuple[Token, ...], i: int, lex: Lexicon, pub: dt.date | None
) -> tuple[int, dt.date] | None:
    """(end, date) of a date expression starting at token i."""
    tok = tokens[i]
    low = tok.low
    if not tok.is_digit and low not in lex.date_starts and low.split("-")[0] not in lex.date_starts:
        return None  # most tokens: no date word can start here
    if pub is not None:
        if low in lex.weekdays:
            return i + 1, _last_weekday(pub, lex.weekdays[low])
        for phrases, delta in ((lex.day_before_yesterday, 2), (lex.yesterday, 1), (lex.today, 0)):
            m = phrases.match(tokens, i)
            if m is not None:
                return i + m[0], pub - dt.timedelta(days=delta)
    parts = low.split("-")
    if len(parts) == 2 and parts[0] in lex.mid_month and parts[1] in lex.months:
        year = _year_at(tokens, i + 1)
        date = _day_month(15, lex.months[parts[1]], year, pub)
        return (i + (2 if year else 1), date) if date else None
    day = _day_at(tokens, i)
    if day is not None:
        j = i + 1
        # "1er", "24th": ordinal suffix
        if j < len(tokens) and tokens[j].low in lex.ordinal_suffixes:
            j += 1
        # "18-12-2014", "18.12.2014": only with a four-digit year ("10-15" is a range)
        if j + 3 < len(tokens) and tokens[j].text in "-." and tokens[j + 2].text == tokens[j].text \
                and _day_at(tokens, j + 1) is not None and _year_at(tokens, j + 3) is not None \
                and int(tokens[j + 1].text) <= 12:
            date = _day_month(day, int(tokens[j + 1].text), _year_at(tokens, j + 3), pub)
            return (j + 4, date) if date else None
        if j + 1 < len(tokens) and tokens[j].text == "/" and _day_at(tokens, j + 1) is not None:
            month = int(tokens[j + 1].text)
            if 1 <= month <= 12:
                end = j + 2
                year = None
                raw = digits_value(tokens[end + 1].text) if end + 1 < len(tokens) and tokens[end].text == "/" else None
                if raw is not None:  # "20/06/2011", "20/06/11"; "20/06/2,5" has no year
                    year = raw if raw > 100 else 2000 + raw
                    end += 2
                date = _day_month(day, month, year, pub)
                return (end, date) if date else None
        if j < len(tokens) and tokens[j].low.rstrip(".") in lex.months:
            year = _year_at(tokens, j + 1)
            date = _day_month(day, lex.months[tokens[j].low], year, pub)
            return (j + (2 if year else 1), date) if date else None
        return None
    if (low in lex.months and tok.is_cap) or (low in lex.months and len(low) > 3):
        month = lex.months[low]
        day = _day_at(tokens, i + 1)
        if day is not None:
            year = _year_at(tokens, i + 2) or (_year_at(tokens, i + 3) if i + 2 < len(tokens)
                                               and tokens[i + 2].text == "," else None)
            date = _day_month(day, month, year, pub)
            return (i + 2, date) if date else None
        year = _year_at(tokens, i + 1)
        date = _day_month(1, month, year, pub)
        return (i + (2 if year else 1), date) if date else None
    return None


def find_dates(tokens: tuple[Token, ...], lex: Lexicon, published: dt.date | None) -> list[DateMention]:
    out: list[DateMention] = []
    i = 0
    while i < len(tokens):
        try:
            hit = _match_at(tokens, i, lex, published)
        except OverflowError:  # "yesterday" in an article dated 1 January of year 1
            hit = None
        if hit is None and published is not None and lex.year_start.may_start(tokens[i]):
            # "depuis le début de l'année": 1 January, as the start of a count only
            m = lex.year_start.match(tokens, i)
            counted = lex.since.match_end(tokens, i) > 0 or (
                i >= 2 and tokens[i - 1].low in lex.articles and lex.since.match_end(tokens, i - 1) > 0)
            hit = (i + m[0], dt.date(published.year, 1, 1)) if m is not None and counted else None
        if hit is None:
            i += 1
            continue
        end, date = hit
        if tokens[i].low in lex.weekdays:
            # "lundi 3 mars", "Tuesday, May 6": the explicit date names the day
            j = end + 1 if end < len(tokens) and tokens[end].text == "," else end
            explicit = j < len(tokens) and tokens[j].low not in lex.weekdays
            nxt = _match_at(tokens, j, lex, published) if explicit else None
            if nxt is not None:
                end, date = nxt
        since = lex.since.match_end(tokens, i) > 0 or (
            # "depuis le 4 avril", "since last Thursday"
            i >= 2 and (tokens[i - 1].low in lex.articles or tokens[i - 1].low in lex.date_ignore_before)
            and lex.since.match_end(tokens, i - 1) > 0
        )
        out.append(DateMention(i, end, date, since))
        i = max(end, i + 1)
    return _day_after(tokens, lex, out, published)


def _day_after(tokens: tuple[Token, ...], lex: Lexicon, dates: list[DateMention],
               published: dt.date | None) -> list[DateMention]:
    """"a annoncé samedi ..., au lendemain de tirs contre Alep", "a day after the attack": what
    follows the phrase happened the day before the sentence's day (publication's without one)."""
    if not lex.day_after.occurs_in(tokens):
        return dates
    out = list(dates)
    for i in range(len(tokens)):
        m = lex.day_after.match(tokens, i) if lex.day_after.may_start(tokens[i]) else None
        if m is None:
            continue
        before = [d for d in dates if d.end <= i and not d.since]
        day = before[-1].date if before else published
        if day is not None:
            out.append(DateMention(i, i + m[0], day - dt.timedelta(days=1)))
    return sorted(out, key=lambda d: d.start)


def _labels_at(tokens: tuple[Token, ...], phrases: PhraseSet) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        m = phrases.match(tokens, i) if phrases.may_start(tokens[i]) else None
        if m is None:
            i += 1
            continue
        out.append((i, i + m[0], m[1]))
        i += m[0]
    return out


def event_start_dates(tokens: tuple[Token, ...], lex: Lexicon, dates: list[DateMention],
                      starts: dict[str, dt.date]) -> None:
    """Notes the day an event began where the sentence dates it ("l'offensive lancée le 4 avril",
    "the offensive began on Thursday"): an event noun, a launch word and a date. The first such
    day of each kind of event is kept."""
    if not dates or not lex.event_launch.occurs_in(tokens):
        return
    for start, _, label in _labels_at(tokens, lex.event_nouns):
        if label in starts:
            continue
        # a noun inside "since the start of the offensive" dates nothing
        if lex.event_starts.match_end(tokens, start + 1) or lex.event_starts.match_end(tokens, start + 2):
            continue
        nearest = min(dates, key=lambda d: abs(d.start - start))
        if abs(nearest.start - start) <= 12:
            starts[label] = nearest.date


SINCE_REACH = 16  # tokens from "since" to the date of "since the conflict erupted in March 2011"


def since_event(tokens: tuple[Token, ...], lex: Lexicon, starts: dict[str, dt.date],
                dates: list[DateMention] | None = None) -> list[DateMention]:
    """"depuis le début de l'offensive", "since the start of the war": the count runs from the day
    the article gave for that start, when it gave one; "since the conflict erupted in March 2011",
    "depuis l'entrée en vigueur le 12 avril du cessez-le-feu": from the date of that clause."""
    out: list[DateMention] = []
    taken = {i for d in dates or () for i in range(d.start, d.end)}
    for i, tok in enumerate(tokens):
        # "depuis 2011", "since 2014": a bare year a count runs from
        year = year_value(tok) if len(tok.text) == 4 and i not in taken else None
        if year is not None and 1800 <= year <= 2100 and lex.since.match_end(tokens, i):
            out.append(DateMention(i, i + 1, dt.date(year, 1, 1), since=True))
    for d in dates or ():
        if d.since:
            continue
        for s in range(d.start - 1, max(-1, d.start - SINCE_REACH), -1):
            if tokens[s].text in ".;:!?":
                break
            n = lex.since.match_end(tokens, s + 1)
            if n and (lex.event_launch.occurs_in(tokens[s + 1 : d.start])
                      or lex.event_nouns.occurs_in(tokens[s + 1 : d.start])):
                out.append(DateMention(d.start, d.end, d.date, since=True))
                break
    for start, end, label in _labels_at(tokens, lex.event_starts):
        day = starts.get(label)
        if day is None:
            continue
        counted = lex.since.match_end(tokens, start) > 0 or (
            start >= 2 and tokens[start - 1].low in lex.articles and lex.since.match_end(tokens, start - 1) > 0)
        if counted:
            out.append(DateMention(start, end, day, since=True))
    return out


def count_windows(tokens: tuple[Token, ...], numbers: list[Number], lex: Lexicon,
                  published: dt.date | None) -> list[DateMention]:
    """"tués en deux jours", "killed in the past 24 hours", "over three weeks": a count over a
    stretch of time ending at publication runs from its first day (a day counts as a whole)."""
    if published is None:
        return []
    out: list[DateMention] = []
    for num in numbers:
        if num.end >= len(tokens) or num.value <= 0:
            continue
        unit = fold_word(tokens[num.end].low)
        per = lex.window_units.get(unit)
        opener = lex.window_openers.match_end(tokens, num.start)
        if per is None or not opener:
            continue
        # hours count in days ("24 heures" is one day back); a month is thirty days
        days = max(1, -(-num.value // 24)) if per == 0 else num.value * per
        if days > 3660:
            continue
        out.append(DateMention(num.start - opener, num.end + 1, published - dt.timedelta(days=days), since=True))
    return out
