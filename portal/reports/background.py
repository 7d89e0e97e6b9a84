"""Work a page starts and does not wait for (a complaint export, a statistics PDF, a
combination of filters counted): a task of the event loop, kept until it ends, its
failure logged. The asker's page reloads until the work's result is there."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("portal.reports")
_tasks: set[asyncio.Task[None]] = set()  # kept so the loop does not drop them half-way


def start(work: Coroutine[Any, Any, None], what: str) -> None:
    """Run `work` in the background; `what` names it in the log if it fails."""

    async def logged() -> None:
        try:
            await work
        except Exception:
            log.exception("%s failed", what)

    task = asyncio.create_task(logged())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
