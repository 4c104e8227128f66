"""Rendering of core messages for Matrix: escaping, no pings, safe links. No server needed."""

from __future__ import annotations

from bot.chat.matrix_render import (
    WORD_JOINER,
    edit_content,
    message_content,
    neutralize,
    render_html,
    render_plain,
    safe_href,
)
from bot.core.models import Line, Message, Span


def test_headline_is_escaped_and_cannot_ping_room() -> None:
    content = message_content(Message(headline='@room <b>x</b> "q" & \'s\''))
    assert "@room" not in content["body"]
    assert "@room" not in content["formatted_body"]
    assert f"@{WORD_JOINER}room" in content["body"]
    assert "&lt;b&gt;x&lt;/b&gt;" in content["formatted_body"]
    assert "&quot;q&quot; &amp; &#x27;s&#x27;" in content["formatted_body"]
    assert "<b>x</b>" not in content["formatted_body"].replace("<b>@", "")
    assert content["format"] == "org.matrix.custom.html"
    assert content["m.mentions"] == {}


def test_user_mentions_are_broken_but_emails_and_plain_at_are_kept() -> None:
    text = "ask @alice:example.org or @Room, mail press@example.org, meet @ noon"
    out = neutralize(text)
    assert "@alice:example.org" not in out and f"@{WORD_JOINER}alice:example.org" in out
    assert "@Room" not in out
    assert "meet @ noon" in out
    assert out.replace(WORD_JOINER, "") == text


def test_links_only_from_href_and_only_http() -> None:
    msg = Message(headline="h", lines=(
        Line.of(Span("source", href="https://example.org/a?b=1&c=\"2\"")),
        Line.of(Span("evil", href="javascript:alert(1)")),
        Line.of(Span("data", href="data:text/html,<script>")),
        Line.of("<a href=\"https://x.test\">not a link</a>"),
    ))
    html = render_html(msg)
    assert html.count("<a ") == 1
    assert '<a href="https://example.org/a?b=1&amp;c=&quot;2&quot;">source</a>' in html
    assert "javascript" not in html and "data:" not in html
    assert "&lt;a href=&quot;https://x.test&quot;&gt;" in html
    plain = render_plain(msg)
    assert "source <https://example.org/a?b=1&c=\"2\">" in plain
    assert "javascript" not in plain


def test_safe_href() -> None:
    assert safe_href("http://a.test/x") == "http://a.test/x"
    assert safe_href("HTTPS://a.test") == "HTTPS://a.test"
    for bad in (None, "", "ftp://a.test", "//a.test", "https://", "java\nscript:x", "https://a .test",
                "mxc://a/b", "vbscript:x"):
        assert safe_href(bad) is None, bad


def test_quotes_keep_their_language() -> None:
    msg = Message(headline="Statement", lines=(
        Line.of(Span("Nous ne céderons pas", "quote", lang="fr")),
        Line.of("He said ", Span("<never>", "quote", lang="en"), " twice"),
        Line.of(Span("x", "quote", lang='fr" onmouseover="x')),
    ))
    html = render_html(msg)
    assert '<blockquote lang="fr">Nous ne céderons pas</blockquote>' in html
    assert 'He said “<span lang="en">&lt;never&gt;</span>” twice' in html
    assert "onmouseover" not in html
    plain = render_plain(msg)
    assert "> Nous ne céderons pas" in plain
    assert "He said “<never>” twice" in plain


def test_styles_and_newlines() -> None:
    msg = Message(headline="H", lines=(
        Line.of(Span("b", "bold"), Span("i", "italic"), Span("c", "code")),
        Line.of("two\nlines"),
    ))
    assert render_html(msg) == "<b>H</b><br><b>b</b><i>i</i><code>c</code><br>two<br>lines"
    assert render_plain(msg) == "H\nbi`c`\ntwo\nlines"


def test_edit_content_has_fallback_and_new_content() -> None:
    content = edit_content(Message(headline="@room new"), "$orig")
    assert content["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$orig"}
    assert content["body"].startswith("* ")
    assert content["m.new_content"]["body"] == f"@{WORD_JOINER}room new"
    assert "m.relates_to" not in content["m.new_content"]
