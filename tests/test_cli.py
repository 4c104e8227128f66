"""The command line: every command has help; extract prints the evaluation schema."""

from __future__ import annotations

import argparse
import json
import subprocess

import pytest

from bot.cli import build_parser, main
from tests.conftest import PYTHON, ROOT, SEEDS


def _subcommands() -> list[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(actions[0].choices)


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    names = _subcommands()
    assert {"run", "extract"} <= set(names)
    for name in names:
        with pytest.raises(SystemExit) as done:
            main([name, "--help"])
        assert done.value.code == 0
        text = capsys.readouterr().out
        assert f"python -m bot {name}" in text and len(text.splitlines()) > 3, name


def test_unknown_command_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["frobnicate"])
    assert done.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_extract_prints_json_lines_in_the_eval_schema() -> None:
    proc = subprocess.run([PYTHON, "-m", "bot", "extract", str(SEEDS)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    alerts = [json.loads(line) for line in proc.stdout.splitlines()]
    for alert in alerts:
        assert alert["type"] in {"statement", "fighting", "casualty"}
        assert alert["article_id"] and "evidence" in alert


def test_extract_reports_a_bad_file_clearly(tmp_path: object) -> None:
    from pathlib import Path

    bad = Path(str(tmp_path)) / "bad.jsonl"
    bad.write_text('{"id": "1", "text": "ok"}\n{not json\n')
    proc = subprocess.run([PYTHON, "-m", "bot", "extract", str(bad)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert "bad.jsonl:2: not valid JSON" in proc.stderr and "Traceback" not in proc.stderr
