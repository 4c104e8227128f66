"""Exactly one answer per command across SIGTERM and SIGKILL, with the bot as a real process.

Twelve commands are queued while the bot is down; it is started, stopped right after its third reply
(SIGTERM in one run, SIGKILL in the other), started again, and every command must have one answer.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.matrix.matrix_helpers import Human, reply_to, uniq
from tests.matrix.synapse_harness import Synapse

pytestmark = pytest.mark.matrix

MakeHuman = Callable[[str], Awaitable[Human]]


class BotProcess:
    def __init__(self, synapse: Synapse, user_id: str, token: str, room: str, database: str,
                 delay: float) -> None:
        self.args = [sys.executable, "-m", "tests.matrix.matrix_bot_process", synapse.url, user_id, room,
                     database, str(delay)]
        self.env = {**os.environ, "MATRIX_ACCESS_TOKEN": token,
                    "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        self.proc = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=subprocess.PIPE)
        assert self.proc.stdout is not None
        line = await asyncio.to_thread(self.proc.stdout.readline)
        assert line.strip() == b"started", line

    async def stop(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)
        code = await asyncio.to_thread(self.proc.wait, 20)
        assert code == (0 if sig == signal.SIGTERM else -signal.SIGKILL), code


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
async def test_twelve_queued_commands_get_exactly_twelve_answers_across_a_stop(
        synapse: Synapse, make_human: MakeHuman, tmp_path: Path, sig: int) -> None:
    account = synapse.register(uniq("newsbot"))
    alice = await make_human("alice")
    room = await alice.create_room(invite=(account.user_id,))
    bot = BotProcess(synapse, account.user_id, account.access_token, room,
                     f"sqlite:///{tmp_path / 'bot.db'}", delay=0.25)
    await bot.start()  # first start: joins, marks the present
    await alice.wait_member(room, account.user_id)
    await bot.stop(signal.SIGTERM)

    commands = [await alice.send_text(room, f"!news command-{n}") for n in range(12)]
    asked = set(commands)

    def answer(e: dict[str, Any]) -> bool:
        return e.get("sender") == account.user_id and reply_to(e) in asked

    await bot.start()
    await alice.wait_for(answer, count=3, timeout=30)
    await bot.stop(sig)
    answered_before = len({reply_to(e) for e in alice.events if answer(e)})
    assert answered_before < 12, "the stop came too late to test anything"
    print(f"\n{signal.Signals(sig).name}: {answered_before} of 12 answered before the stop")

    await bot.start()
    await alice.wait_for(answer, count=12, timeout=60)
    await asyncio.sleep(2.0)  # anything sent twice would show up by now
    await alice.sync(500)
    await bot.stop(signal.SIGTERM)
    per_command = Counter(reply_to(e) for e in alice.events if answer(e))
    assert set(per_command) == asked
    assert sorted(per_command.values()) == [1] * 12, per_command
    print(f"after the restart: {sum(per_command.values())} answers for {len(per_command)} commands")
