"""Run a coroutine to completion from synchronous test code, whatever the calling thread holds.

The browser tests' session-wide Playwright (sync API) keeps an asyncio loop running on the main
thread for the rest of the pytest session, and ``asyncio.run`` refuses to start inside a running
loop. The coroutine then runs on a fresh thread with its own loop.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any


def run_to_completion(coro: Coroutine[Any, Any, Any]) -> Any:
    """``asyncio.run(coro)``, on a helper thread when this thread already runs a loop; errors re-raised."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["value"] = asyncio.run(coro)
        except BaseException as err:  # handed back to the caller below
            outcome["error"] = err

    thread = threading.Thread(target=work, name="load-test-loop")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
