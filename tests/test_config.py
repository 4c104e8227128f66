"""The configuration: the default runs as it is; each mistake gives one clear line and exit code 2."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from tests.conftest import PYTHON, ROOT, free_port


def test_default_config_runs_without_credentials() -> None:
    config = load_config(ROOT / "config" / "bot.yaml")
    assert config.database.startswith("sqlite:///data/")
    assert [s.type for s in config.sources] == ["folder"]
    assert config.sources[0].path == "seeds"
    assert [c.output for c in config.channels] == ["console"]
    assert not config.slack.enabled and not config.matrix.enabled


BAD = [
    ("sources:\n  - name: x\n    type: rss\n    url: http://a\n", "sources[0].type", "one of feed, page, file, folder"),
    ("sources:\n  - name: x\n    type: feed\n    url: http://a\n    interval: soon\n",
     "sources[0].interval", "a duration like 30s"),
    ("databse: sqlite:///x.db\n", "databse", "unknown key"),
    ("outputs:\n  slack:\n    bot_token: xoxb-123\n", "outputs.slack.bot_token", "bot_token_env"),
    ("outputs:\n  slack:\n    port: 99999\n", "outputs.slack.port", "a port number"),
    ("timezone: Mars/Olympus\n", "timezone", "an IANA time zone"),
    ("channels:\n  - output: console\n    digest: {cron: '0 8 * * 1-5'}\n", "channels[0].digest.cron", "day names"),
    ("channels:\n  - output: slack\n    id: C1\n", "channels[0].output", "an enabled output"),
    ("sources: [\n", "line", "not valid YAML"),
    ("language: 12\n", "language", "a two-letter language code"),
    ("- just\n- a list\n", "", "a mapping"),
    ("language: de\n", "language", "a language the bot writes in: en, fr"),
    ("sources:\n  - name: x\n    type: feed\n    url: http://a\n    interval: 0.001s\n", "sources[0].interval",
     "at least 10s"),
    ("outputs:\n  slack:\n    enabled: true\nchannels:\n  - output: slack\n", "channels[0].id", "a Slack channel id"),
    ("outputs:\n  matrix:\n    password: hunter2\n", "outputs.matrix.password", "set password_env"),
    ("outputs:\n  slack:\n    bot_token_env: xoxb-1-2\n", "outputs.slack.bot_token_env", "NAME of an environment"),
    ("outputs:\n  matrix:\n    enabled: true\n    homeserver: https://m.org\n", "outputs.matrix.user_id",
     "a Matrix user id"),
    ("sources:\n  - {name: a, type: feed, url: 'http://a'}\n  - {name: a, type: feed, url: 'http://b'}\n",
     "sources[1].name", "a name no other source has"),
    ("channels:\n  - output: console\n    types: [statement, bombing]\n", "channels[0].types[1]",
     "alert types among statement, fighting, casualty"),
    ("fetch:\n  max_bytes: 1.5\n", "fetch.max_bytes", "a whole number >= 0"),
    ("outputs:\n  console:\n    enabled: 'yes'\n", "outputs.console.enabled", "true or false"),
    ("health:\n  port: 0\n", "health.port", "a port number from 1 to 65535"),
    ("channels:\n  - output: console\n    quiet_hours: 22-7\n", "channels[0].quiet_hours", "a range like"),
]


@pytest.mark.parametrize(("text", "key", "expected"), BAD)
def test_bad_config_names_file_key_and_expectation(tmp_path: Path, text: str, key: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert message.startswith(str(path))
    assert key in message and expected in message
    assert "\n" not in message


@pytest.mark.parametrize(("text", "key", "expected"), BAD[:3])
def test_bad_config_stops_cli_with_one_line_and_exit_2(tmp_path: Path, text: str, key: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    proc = subprocess.run([PYTHON, "-m", "bot", "run", "--once", "-c", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and key in lines[0] and "Traceback" not in proc.stderr


def test_a_secret_pasted_where_a_variable_name_goes_is_not_echoed(tmp_path: Path) -> None:
    path = tmp_path / "leak.yaml"
    path.write_text("outputs:\n  slack:\n    signing_secret_env: 8f14e45fceea167a5a36dedd4bea2543\n"
                    "  matrix:\n    access_token_env: syt_bmV3c2JvdA_secretvalue\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "outputs.slack.signing_secret_env" in str(err.value)
    assert "8f14e45f" not in str(err.value) and "not shown" in str(err.value)


def test_empty_keys_keep_their_defaults(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("language: fr\ntimezone: Europe/Paris\nsources:\nfetch:\noutputs:\n  slack:\n"
                    "channels:\n  - output: console\n    digest: {cron: '0 8 * * mon-fri'}\n")
    config = load_config(path)
    assert config.fetch.concurrency == 50 and config.slack.port == 3000 and config.sources == ()
    assert config.channels[0].language == "fr" and config.channels[0].digest is not None
    assert config.channels[0].digest.timezone == "Europe/Paris" and config.channels[0].id == "console"


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.yaml")


def _cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([PYTHON, "-m", "bot", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_unreachable_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "pg.yaml"
    path.write_text("database: postgresql+psycopg://bot:hunter22@127.0.0.1:1/news\nsources: []\n")
    proc = _cli(["run", "--once", "-c", str(path)])
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: database:") and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "hunter22" not in proc.stderr


def test_a_chat_that_refuses_the_bot_stops_it_with_one_line(tmp_path: Path) -> None:
    port = free_port()
    path = tmp_path / "slack.yaml"
    path.write_text(f"database: sqlite:///{tmp_path / 'b.db'}\nsources: []\n"
                    f"outputs:\n  slack:\n    enabled: true\n    port: {port}\n    api_url: http://127.0.0.1:1/api/\n"
                    "channels:\n  - output: slack\n    id: C1\n")
    proc = _cli(["run", "-c", str(path)], {"SLACK_BOT_TOKEN": "xoxb-secret-1", "SLACK_SIGNING_SECRET": "s" * 32})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: could not start the slack adapter") and "Traceback" not in proc.stderr
    assert "xoxb-secret-1" not in proc.stderr
