"""Feed parsing: well-formed RSS and Atom, and the malformed inputs real feeds produce."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.config import SourceConfig
from bot.ingest.feeds import FeedError, parse_feed
from bot.ingest.text import decode_bytes, fragment_to_text
from tests.ingest.ingest_helpers import atom, rss

SRC = SourceConfig(name="wire", type="feed", url="http://127.0.0.1/feed", lang="fr", tags=("libya",))


def test_rss_entries() -> None:
    body = rss([
        {"title": "Premier", "link": "https://ex.org/a?utm_source=rss", "guid": "g-1",
         "pubDate": "Mon, 08 Apr 2019 10:00:00 GMT", "description": "<p>Un <b>texte</b></p><p>Deux &amp; trois</p>"},
        {"title": "Second", "link": "https://ex.org/b", "guid": "g-2", "pubDate": "Tue, 09 Apr 2019 10:00:00 GMT",
         "description": "court", "content": "<p>Le texte complet de l'article.</p>"},
    ])
    entries = parse_feed(body.encode(), source=SRC, url=SRC.url or "")
    # A guid that is not a URL is resolved against the feed's URL by feedparser: stable all the same.
    assert [e.key for e in entries] == ["id:http://127.0.0.1/g-1", "id:http://127.0.0.1/g-2"]
    first = entries[0].article
    assert first.url == "https://ex.org/a" and first.title == "Premier"
    assert first.text == "Un texte\nDeux & trois"
    assert first.published == dt.date(2019, 4, 8) and first.lang == "fr" and first.source == "wire"
    assert entries[0].published == dt.datetime(2019, 4, 8, 10, tzinfo=dt.UTC)
    assert entries[1].article.text == "Le texte complet de l'article."  # content:encoded beats a short summary



def test_markup_in_entries_never_reaches_the_text() -> None:
    # feedparser's own sanitizer is off (the text is made by fragment_to_text): scripts, styles, comments,
    # event handlers and escaped tags in a summary, its title or its content stay out of the article.
    body = rss([{"title": "Titre <b>gras</b><script>alert(1)</script>", "guid": "g",
                 "description": "<p onclick='x()'>Avant</p><script>var a = 1 > 0;</script>"
                                "<style>p > b { color: red }</style><!-- note > ignoree -->"
                                "<p>Après <a href='/rel'>lien</a> &lt;b&gt;</p>"}])
    [entry] = parse_feed(body.encode(), source=SRC, url="http://x/")
    assert entry.article.title == "Titre gras"
    assert entry.article.text == "Avant\nAprès lien <b>"

def test_atom_entries() -> None:
    body = atom([{"title": "Atom one", "id": "urn:1", "link": "https://ex.org/one#top",
                  "updated": "2026-11-25T09:00:00Z", "content": "<p>Atom content here.</p>"}])
    [entry] = parse_feed(body.encode(), source=SourceConfig(name="a", type="feed", url="http://x/"), url="http://x/")
    assert entry.key == "id:urn:1" and entry.article.url == "https://ex.org/one"
    assert entry.article.text == "Atom content here." and entry.article.lang == "en"
    assert entry.article.published == dt.date(2026, 11, 25)


def test_missing_ids_and_dates_fall_back_to_link_then_hash() -> None:
    body = rss([
        {"title": "Sans guid", "link": "https://ex.org/x?fbclid=abc", "description": "texte un"},
        {"title": "Ni guid ni lien", "description": "texte deux"},
    ])
    a, b = parse_feed(body.encode(), source=SRC, url="http://x/")
    assert a.key == "url:https://ex.org/x" and a.published is None and a.article.published is None
    assert b.key.startswith("hash:") and b.article.url is None
    again = parse_feed(body.encode(), source=SRC, url="http://x/")
    assert [e.key for e in again] == [a.key, b.key]  # stable across polls


def test_broken_xml_is_read_as_far_as_possible() -> None:
    body = rss([{"title": "Bon", "guid": "1", "description": "ok"},
                {"title": "Aussi", "guid": "2", "description": "x"}])
    broken = body.replace("</channel></rss>", "<item><title>Coupé <b>sans fin")
    entries = parse_feed(broken.encode(), source=SRC, url="http://x/")
    assert [e.key for e in entries][:2] == ["id:http://x/1", "id:http://x/2"]


def test_wrong_declared_encoding() -> None:
    # Declared UTF-8, actually Latin-1: feedparser falls back, nothing raises, accents survive.
    body = rss([{"title": "Médecins tués", "guid": "1", "description": "Deux médecins ont été tués."}])
    entries = parse_feed(body.encode("latin-1"), source=SRC, url="http://x/",
                         headers={"content-type": "application/rss+xml; charset=utf-8"})
    assert entries and "decins" in entries[0].article.text
    # Declared Latin-1, actually UTF-8.
    body2 = rss([{"title": "Été", "guid": "2", "description": "Un été chaud à Tripoli."}], encoding="iso-8859-1")
    entries2 = parse_feed(body2.encode("utf-8"), source=SRC, url="http://x/")
    assert entries2 and "Tripoli" in entries2[0].article.text


@pytest.mark.parametrize("body", [
    b"<html><body><h1>Welcome</h1><p>This is a home page.</p></body></html>",
    b"",
    b"\x00\x01\x02 binary junk \xff\xfe",
    b"/etc/passwd",  # feedparser must never take the body for a path to open
])
def test_not_a_feed(body: bytes) -> None:
    with pytest.raises(FeedError, match="wire"):
        parse_feed(body, source=SRC, url="http://x/")


def test_decode_bytes_prefers_valid_utf8_then_declared() -> None:
    assert decode_bytes("Libération".encode(), "text/html; charset=iso-8859-1") == "Libération"
    assert decode_bytes("Libération".encode("latin-1"), "text/html; charset=iso-8859-1") == "Libération"
    assert decode_bytes('<meta charset="windows-1252">Bient\x93t'.encode("latin-1")).endswith("Bient“t")
    assert decode_bytes(b"\xef\xbb\xbfBOM") == "BOM"


def test_fragment_to_text_drops_scripts_and_tags() -> None:
    html = "<div><script>alert(1)</script><p>Un&nbsp;paragraphe</p><br/>fin <img src=x onerror=y></div>"
    assert fragment_to_text(html) == "Un paragraphe\nfin"
