"""URL normalisation and the URL guard."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ingest import guard
from bot.ingest.guard import BlockedURL, guard_url
from bot.ingest.urls import normalize_url


@pytest.mark.parametrize(("raw", "expected"), [
    ("HTTPS://Example.COM/Path?b=2&a=1#frag", "https://example.com/Path?a=1&b=2"),
    ("http://example.com:80/a?utm_source=x&utm_medium=y&id=3", "http://example.com/a?id=3"),
    ("https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ref=tw", "https://example.com/a"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com:8443/x", "https://example.com:8443/x"),
    ("https://news.example.org/2019/04/08/libye?xtor=RSS-1&page=2", "https://news.example.org/2019/04/08/libye?page=2"),
])
def test_normalize_url(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


@given(st.from_regex(r"https?://[A-Za-z]{1,10}\.(com|org)(/[a-z]{0,5}){0,3}(\?([a-z_]{1,6}=[a-z0-9]{0,3}&?){0,4})?",
                     fullmatch=True))
def test_normalize_url_is_idempotent(url: str) -> None:
    once = normalize_url(url)
    assert normalize_url(once) == once
    assert "utm_" not in once


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://10.1.2.3/x", "http://192.168.0.10/", "http://172.16.5.4/",
    "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://[::1]/", "http://0.0.0.0/",
    "http://224.0.0.1/", "http://240.0.0.1/", "http://[::ffff:127.0.0.1]/", "http://100.64.1.1/",
    "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:7f00:1::]/", "http://[fe80::1]/", "http://2130706433/",
])
async def test_guard_refuses_internal_addresses(url: str) -> None:
    with pytest.raises(BlockedURL, match="refused"):
        await guard_url(url, allow_private=False)
    await guard_url(url, allow_private=True)


async def test_guard_refuses_localhost_by_resolving_it() -> None:
    with pytest.raises(BlockedURL, match="localhost: refused"):
        await guard_url("http://localhost:8080/", allow_private=False)


@pytest.mark.parametrize(("answer", "reason"), [
    (["10.0.0.7"], "private"), (["169.254.169.254"], "metadata"), (["93.184.216.34", "127.0.0.1"], "loopback"),
])
async def test_guard_refuses_a_hostname_resolving_inside(
    monkeypatch: pytest.MonkeyPatch, answer: list[str], reason: str,
) -> None:
    async def fake_resolve(host: str, port: int) -> list[str]:
        assert host == "news.example.test" and port == 443
        return answer

    monkeypatch.setattr(guard, "resolve", fake_resolve)
    with pytest.raises(BlockedURL, match=reason):
        await guard_url("https://news.example.test/a", allow_private=False)
    await guard_url("https://news.example.test/a", allow_private=True)


async def test_guard_allows_public_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]

    monkeypatch.setattr(guard, "resolve", fake_resolve)
    await guard_url("https://example.com/", allow_private=False)
    await guard_url("http://93.184.216.34/", allow_private=False)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x", "http:///nohost"])
async def test_guard_refuses_other_schemes_even_when_private_is_allowed(url: str) -> None:
    with pytest.raises(BlockedURL):
        await guard_url(url, allow_private=True)


async def test_unresolvable_host_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fail(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    monkeypatch.setattr(guard, "resolve", fail)
    with pytest.raises(BlockedURL, match="cannot be resolved"):
        await guard_url("https://nowhere.invalid/", allow_private=False)


def test_redact_url_hides_userinfo_query_values_and_fragment_tokens() -> None:
    from bot.ingest.urls import redact_url, redact_urls

    assert redact_url("https://u:p@h.org/rss?api_key=abc&lang=fr") == "https://***@h.org/rss?api_key=***&lang=***"
    assert redact_url("https://h.org/cb#access_token=abc") == "https://h.org/cb#access_token=***"
    assert redact_url("https://h.org/a/b#top") == "https://h.org/a/b#top"
    text = "source 'w': https://h.org/f?token=zz: HTTP 500 (see 'http://x.org/?sig=1')."
    assert redact_urls(text) == "source 'w': https://h.org/f?token=***: HTTP 500 (see 'http://x.org/?sig=***')."
