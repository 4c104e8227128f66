"""The article without what follows it on its page: reader comments, boxes of other stories, a blog's footer.

Pages come from feeds, scrapers and files with their furniture: a statement a reader pasted under the
article, a toll in the headline of another story, are no facts of this one. Three signs, each general,
their words in the language's lexicon:

- a line that is only a heading (`page_end_markers`: reader comments, "Charte de modération", "12
  commentaires"; `other_stories_markers`: "Dans la même rubrique", "Related articles", a share bar). Near
  the top of the page any such line is the page's menu or a link to the comments: it ends the article only
  when what follows reads as comments (`COMMENTS_AFTER_HEADING`). In the second half a comments heading
  ends it; a box of other stories ends it unless a paragraph of the article comes right after it (an
  inset box);
- a line that opens a blog engine's footer (`page_end_openers`: "Vous pouvez suivre les réponses à cet
  article…") ends it anywhere;
- with no heading, a run of lines in a reader's voice to the end of the page (`reader_voice`: "je",
  "vous", "I", "you" outside quotation marks, or an exclamation) after a plain article. Questions are no
  sign (an interview's questions, an explainer's subheadings), and a run with many questions is an
  interview: left whole. Short lines (time stamps, bylines) count for nothing either way.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.core.extract.lexicon import Lexicon, PhraseSet
from bot.core.extract.speechwords import speech_words
from bot.core.extract.text import Token, fold_word, tokenize

PAGE_END_AFTER = 400  # characters of body before any line can end the article
PAGE_END_HEADING = 60  # a longer line is text, not a heading
COUNTED_CHARS = 25  # a shorter line (a time stamp, a byline, a button) tells nothing of its voice
LONG_LINE = 200  # a line this long is a paragraph (right after a box of other stories: the box is an inset)
PARAGRAPH_CHARS = 80  # a line this long that ends a sentence is a paragraph too (wire copy is short)
BOX_REACH = 6  # lines after a box of other stories that are looked at for such a paragraph
MIN_LINES = 5  # counted lines below which neither an article nor its comments are told apart
COMMENTS_AFTER_HEADING = 0.25  # share of counted lines in a reader's voice after a heading: comments follow
RUN_LINES = 8  # counted lines a run of comments with no heading needs, to the end of the page
RUN_VOICES = 4  # lines in a reader's voice it needs
RUN_SHARE = 0.3  # and their share
ARTICLE_SHARE = 0.15  # at most this share in that voice before it: the plain article it is under
INTERVIEW_SHARE = 0.2  # a run with this share of questions is an interview
TICKER_LINES = 6  # lines opening on a dateline, of the next TICKER_WINDOW, that make a run of other stories
TICKER_WINDOW = 8
TICKER_PLACES = 5  # distinct datelines among them: a news feed from everywhere, not a live page on one war
# "(Londres) ...", "(AFP) ...": a dateline in brackets opening a line; a capitalised word or a few, no figure
_DATELINE = re.compile(r"\(((?:[A-ZÀ-Ý][\w'’.-]*)(?:[ -][A-ZÀ-Ý][\w'’.-]*){0,3})\)\s+\S")
# a run this long (counted lines) is a thread no article, essay or transcript is, and a title and a lead before
# it are the article: a blog's short post under a thousand lines of comments
LONG_RUN_LINES = 1000
LONG_RUN_ARTICLE = 2
MAX_QUOTE_CHARS = 2000  # a quotation mark left open does not hide the rest of a long line
_QUOTED = re.compile(f"«[^»]{{0,{MAX_QUOTE_CHARS}}}»|\"[^\"]{{0,{MAX_QUOTE_CHARS}}}\"|“[^”]{{0,{MAX_QUOTE_CHARS}}}”")
_WORDS = re.compile(r"([^\W\d_]+)(['’]?)")


@dataclass(frozen=True, slots=True)
class _Line:
    start: int  # offsets of the line in the text, its line break left out
    end: int
    head: str  # the line stripped, with a trailing " :|/" left out
    counted: bool
    voiced: bool
    question: bool


def page_body(text: str, lex: Lexicon) -> str:
    """The text up to where the article ends on its page (the whole text when nothing ends it), the
    headlines of boxes inside it blanked (same length: offsets hold)."""
    lines = _lines(text, lex)
    end = _headed_end(text, lines, lex)
    k = _comment_run(lines[:end])
    if k is not None:
        end = k
    k = _dateline_run(text, lines[:end], lex)
    if k is not None:
        end = k
    body = text if end == len(lines) else text[: lines[end].start]
    for a, b in _box_headlines(lines[:end], lex):
        body = body[:a] + re.sub(r"[^\n]", " ", body[a:b]) + body[b:]
    return body


def _lines(text: str, lex: Lexicon) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        line = raw.strip()
        if line:
            bare = _QUOTED.sub(" ", line).strip()
            question = bare.endswith("?")
            counted = len(line) >= COUNTED_CHARS
            voiced = counted and not question and (bare.endswith("!") or _says_i_or_you(bare, lex))
            out.append(_Line(pos, pos + len(raw.rstrip("\r\n")), line.rstrip(" :|/").strip(), counted, voiced,
                             question))
        pos += len(raw)
    return out


def _says_i_or_you(bare: str, lex: Lexicon) -> bool:
    """A word of the reader's voice; a word cut by an apostrophe counts only as an elided letter ("j'ai"):
    "Ma'arouf" is a name."""
    return any(w in lex.reader_voice and (not cut or len(w) == 1) for w, cut in _WORDS.findall(bare.lower()))


def _heading_words(head: str) -> list[Token]:
    """The tokens of a line short enough to be a heading, a count in it left out ("12 commentaires"); none
    for a longer line."""
    return [t for t in tokenize(head) if not t.is_digit] if len(head) <= PAGE_END_HEADING else []


def _whole_heading(words: list[Token], *marker_sets: PhraseSet) -> bool:
    """The line is one of these headings and nothing else."""
    for markers in marker_sets:
        m = markers.match(words, 0) if words else None
        if m is not None and m[0] == len(words):
            return True
    return False


def _headed_end(text: str, lines: list[_Line], lex: Lexicon) -> int:
    """The index of the line that a heading or a blog's footer ends the article at (the count of lines
    when none does). A heading written more than once is the furniture of each post of a live blog ("Share
    this article" under every entry): it ends nothing."""
    half = len(text) // 2
    repeated = _repeated(lines)
    for k, line in enumerate(lines):
        if line.start < PAGE_END_AFTER or line.head.lower() in repeated:
            continue
        words = _heading_words(line.head)
        comments = _whole_heading(words, lex.page_end_markers)
        box = not comments and _whole_heading(words, lex.other_stories_markers)
        if comments:  # near the top it is a link to the comments, under the standfirst
            if line.start >= half:
                return k
            continue
        if box:
            if _comments_follow(lines[k + 1 :]) or (line.start >= half and not _inset(lines[k + 1 :])):
                return k
            continue
        first = line.head.split(None, 1)[0].strip(",.:;!?")
        if first and lex.page_end_openers.may_start_with(fold_word(first)) \
                and lex.page_end_openers.match(tokenize(line.head[: PAGE_END_HEADING * 2]), 0) is not None:
            return k
    return len(lines)


def _repeated(lines: list[_Line]) -> set[str]:
    """Short lines written more than once on the page: furniture ("Share this article" under every post)."""
    seen = Counter(line.head.lower() for line in lines if len(line.head) <= PAGE_END_HEADING)
    return {head for head, times in seen.items() if times > 1}


def _comments_follow(rest: list[_Line]) -> bool:
    """What follows reads as comments: many lines in a reader's voice, few questions (an interview)."""
    counted = [line for line in rest if line.counted]
    return len(counted) >= MIN_LINES and sum(line.voiced for line in counted) >= COMMENTS_AFTER_HEADING * len(counted) \
        and sum(line.question for line in rest) < INTERVIEW_SHARE * len(rest)


def _paragraph(line: _Line) -> bool:
    """A paragraph of an article: long, or a whole sentence of some length, and not in a reader's voice."""
    return not line.voiced and (len(line.head) >= LONG_LINE or (
        len(line.head) >= PARAGRAPH_CHARS and line.head.endswith((".", "»", '"', "”"))))


def _inset(after: list[_Line]) -> bool:
    """A paragraph of the article comes right after the box's headlines: the box sits inside the article."""
    return any(_paragraph(line) for line in after[:BOX_REACH])


def _box_headlines(lines: list[_Line], lex: Lexicon) -> list[tuple[int, int]]:
    """The spans of the headlines under a box of other stories kept inside the article, or under a "Lire
    aussi" alone on its line: up to the next paragraph ("Yémen : 30 morts dans un raid" is another story)."""
    spans: list[tuple[int, int]] = []
    repeated = _repeated(lines)
    for k, line in enumerate(lines):
        if line.head.lower() in repeated or not _whole_heading(_heading_words(line.head), lex.other_stories_markers,
                                                                lex.link_markers):
            continue
        for nxt in lines[k + 1 : k + 1 + BOX_REACH]:
            if _paragraph(nxt):
                break
            spans.append((nxt.start, nxt.end))
    return spans


def _dateline_run(text: str, lines: list[_Line], lex: Lexicon) -> int | None:
    """The index of the line where a run of other stories' teasers begins, each opening on its own
    dateline ("(Londres) L'actrice ...", "(Athènes) Un incendie ..."): six such lines of the next eight, from
    five places at least, in the second half of the page. An article opens on one dateline at most; a live
    page's few dated entries stay (a run this long from so many places is the site's news feed)."""
    half = len(text) // 2
    credits = speech_words(lex.lang).credit_names
    dated = [m.group(1) if (m := _DATELINE.match(line.head)) and m.group(1).lower() not in credits else None
             for line in lines]  # ("(AFP) ..." is a credit, not a dateline)
    for k, line in enumerate(lines):
        window = [d for d in dated[k : k + TICKER_WINDOW] if d is not None]
        if dated[k] and line.start >= max(half, PAGE_END_AFTER) and len(window) >= TICKER_LINES \
                and len(set(window)) >= TICKER_PLACES:
            return k
    return None


def _comment_run(lines: list[_Line]) -> int | None:
    """The index of the line where a run of reader comments with no heading begins, or None."""
    counted = [k for k, line in enumerate(lines) if line.counted]
    voices = [lines[k].voiced for k in counted]
    total = sum(voices)
    if total < RUN_VOICES:
        return None
    questions_after = [0] * (len(lines) + 1)  # questions from line k to the end ("What happened?" is short)
    for k in range(len(lines) - 1, -1, -1):
        questions_after[k] = questions_after[k + 1] + lines[k].question
    before = 0
    for i, k in enumerate(counted):
        rest = len(counted) - i
        run_voices = total - before
        if voices[i] and lines[k].start >= PAGE_END_AFTER and rest >= RUN_LINES \
                and i >= (LONG_RUN_ARTICLE if rest >= LONG_RUN_LINES else MIN_LINES) \
                and run_voices >= RUN_VOICES and run_voices >= RUN_SHARE * rest and before <= ARTICLE_SHARE * i \
                and questions_after[k] < INTERVIEW_SHARE * (len(lines) - k):
            return k
        before += voices[i]
    return None
