"""Operations: /healthz and /metrics answer on loopback; logs are JSON on request and never hold secrets."""

from __future__ import annotations

import io
import json
import logging

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.core.models import Article, Casualty
from bot.service.health import Metrics, start_health_server
from bot.service.logs import JsonFormatter, scrub
from bot.store import SourceState, Store


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape, parsed the way Prometheus would read it."""
    return {(smp.name, frozenset(smp.labels.items())): smp.value
            for family in text_string_to_metric_families(text) for smp in family.samples}


def _bucket(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], what: str, le: str) -> float:
    return samples[("newsbot_latency_seconds_bucket", frozenset({("what", what), ("le", le)}))]


async def test_healthz_and_metrics(store: Store, unused_tcp_port: int) -> None:
    aid, _ = store.add_article(Article(id="1", text="t"))
    store.add_alert(Casualty(article_id="1", killed=3), article_id=aid, story_id=None)
    store.save_source_state(SourceState(name="broken feed", failures=3))
    store.save_source_state(SourceState(name='AFP "live" \\ blog\nfr', failures=1))
    metrics = Metrics()
    metrics.observe_command(0.02)
    metrics.observe_poll(3.0)
    metrics.observe_delivery(0.2)
    runner = await start_health_server(store, "127.0.0.1", unused_tcp_port, metrics)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{unused_tcp_port}/healthz") as r:
                assert r.status == 200
                body = await r.json()
                assert body["status"] == "ok" and set(body["failing_sources"]) >= {"broken feed"}
            async with http.get(f"http://127.0.0.1:{unused_tcp_port}/metrics") as r:
                assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain; version=")
                text = await r.text()
    finally:
        await runner.cleanup()
    samples = _samples(text)
    assert samples[("newsbot_articles_total", frozenset())] == 1
    assert samples[("newsbot_alerts_total", frozenset({("type", "casualty")}))] == 1
    assert samples[("newsbot_source_failures", frozenset({("source", "broken feed")}))] == 3
    # A source name with quotes, a backslash and a newline is escaped, not a broken scrape.
    assert samples[("newsbot_source_failures", frozenset({("source", 'AFP "live" \\ blog\nfr')}))] == 1
    assert _bucket(samples, "command", "0.025") == 1 and _bucket(samples, "command", "0.01") == 0
    assert _bucket(samples, "poll", "2.5") == 0 and _bucket(samples, "poll", "5.0") == 1
    assert _bucket(samples, "delivery", "0.25") == 1
    assert samples[("newsbot_uptime_seconds", frozenset())] >= 0


def test_latency_histogram_is_cumulative() -> None:
    m = Metrics()
    for seconds in (0.001, 0.02, 0.3, 30):
        m.observe("command", seconds)
    samples = _samples(m.render(None))
    assert _bucket(samples, "command", "0.005") == 1
    assert _bucket(samples, "command", "0.5") == 3
    assert _bucket(samples, "command", "+Inf") == 4
    assert samples[("newsbot_latency_seconds_count", frozenset({("what", "command")}))] == 4
    assert samples[("newsbot_latency_seconds_sum", frozenset({("what", "command")}))] == pytest.approx(30.321)
    # Polls and deliveries are there from the start, at zero, so a dashboard sees a flat line, not a gap.
    assert _bucket(samples, "poll", "+Inf") == 0 and _bucket(samples, "delivery", "+Inf") == 0


def test_each_metrics_object_keeps_its_own_samples() -> None:
    first, second = Metrics(), Metrics()
    first.observe_delivery(0.5)
    first.inc("sends", "slack")
    assert _bucket(_samples(second.render(None)), "delivery", "+Inf") == 0
    assert "newsbot_sends_total" not in second.render(None)
    assert _samples(first.render(None))[("newsbot_sends_total", frozenset({("kind", "slack")}))] == 1


def test_scrub_hides_tokens_and_configured_secrets() -> None:
    line = ("POST https://slack.com/api/chat.postMessage Authorization: Bearer xoxb-123-456-abc "
            "app xapp-1-A-2 matrix ?access_token=syt_abc_def pg postgresql://bot:hunter22@db/x custom s3cr3t-value")
    clean = scrub(line, ["s3cr3t-value"])
    for secret in ("xoxb-123-456-abc", "xapp-1-A-2", "syt_abc_def", "hunter22", "s3cr3t-value"):
        assert secret not in clean
    assert "postgresql://bot:***@db/x" in clean


def test_json_logs_carry_the_source_and_no_secret() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter(["topsecret-token"]))
    log = logging.getLogger("test.jsonlogs")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("fetch failed with topsecret-token", extra={"source": "AFP feed"})
    finally:
        log.removeHandler(handler)
    record = json.loads(out.getvalue())
    assert record["level"] == "warning" and record["source"] == "AFP feed"
    assert "topsecret-token" not in out.getvalue()


def test_scrub_hides_credential_query_parameters() -> None:
    line = ("GET https://api.example.org/v1/feed?lang=fr&api_key=k-123456&apikey=abcdef&key=AIzaXY "
            "&token=t0k3n&sig=deadbeef&signature=c0ffee&secret=s3cr&password=pw1 ok")
    clean = scrub(line)
    for secret in ("k-123456", "abcdef", "AIzaXY", "t0k3n", "deadbeef", "c0ffee", "s3cr", "pw1"):
        assert secret not in clean, secret
    assert "api_key=***" in clean and "lang=fr" in clean and "monkey=banana" in scrub("monkey=banana")


def test_json_logs_scrub_secrets_holding_quotes_and_backslashes() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    secret = 'pa"ss\\word-42'
    handler.setFormatter(JsonFormatter([secret]))
    log = logging.getLogger("test.jsonlogs.escape")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("login with %s failed", secret, extra={"detail": f"tried {secret}"})
        try:
            raise ValueError(f"bad {secret}")
        except ValueError:
            log.exception("boom")
    finally:
        log.removeHandler(handler)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert lines[0]["message"] == "login with *** failed" and lines[0]["detail"] == "tried ***"
    assert secret not in lines[1]["error"] and "bad ***" in lines[1]["error"]
    assert 'pa\\"ss' not in out.getvalue()
