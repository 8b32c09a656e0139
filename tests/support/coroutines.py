"""TEST ONLY: run a coroutine to its end from a synchronous test.

`asyncio.run` refuses to start while another event loop runs in the thread, and the browser tests' session-wide
Playwright keeps one running in the main thread for the rest of the run. `run_async` therefore gives the
coroutine a fresh event loop in a thread of its own and waits for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(coroutine)` in a new thread; its result, or the exception it raised."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="run-async") as executor:
        return executor.submit(asyncio.run, coroutine).result()
