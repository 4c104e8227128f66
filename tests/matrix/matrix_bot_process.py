"""The Matrix adapter as its own process, for tests that stop it with SIGTERM or SIGKILL.

Usage: python -m tests.matrix.matrix_bot_process HOMESERVER USER_ID ROOM DATABASE_URL DELAY_S
The access token comes from MATRIX_ACCESS_TOKEN. State (sync token, answered events) is kept in the
real store at DATABASE_URL, as in production; commands are answered by the echo conversation after
DELAY_S seconds each, so that a stop lands in the middle of a queue of commands. SIGTERM stops the
adapter the way `bot run` does (the event being answered is finished, the rest left for the restart).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bot.chat.matrix import MatrixAdapter
from bot.store import Store
from tests.matrix.matrix_helpers import EchoConversation


async def main(homeserver: str, user_id: str, room: str, database: str, delay: float) -> None:
    store = Store.open(database)
    bot = MatrixAdapter(homeserver=homeserver, user_id=user_id, conversation=EchoConversation(delay=delay),
                        state=store, access_token=os.environ["MATRIX_ACCESS_TOKEN"], rooms=[room],
                        sync_timeout_ms=1000)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await bot.start()
    print("started", flush=True)
    await stop.wait()
    await bot.stop()
    store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])))
