"""WeasyPrint's layout, run in a process of its own: it is Python working for seconds,
and in a thread it would hold the interpreter lock the web server's loop needs. This
module imports nothing of the portal, so the process starts light."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from functools import cache


def write(html: str, base_url: str) -> bytes:
    from weasyprint import HTML  # loads Pango: only in the PDF process

    return HTML(string=html, base_url=base_url).write_pdf()


@cache
def _pool() -> ProcessPoolExecutor:
    # "spawn": a fork would copy the server's open database connections and event loop.
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


_queued = 0  # PDFs asked of this web worker's PDF process and not yet back


def busy() -> bool:
    """Whether the PDF process has a PDF to lay out (one more would wait for it)."""
    return _queued > 0


async def write_elsewhere(html: str, base_url: str) -> bytes:
    """The PDF of `html`, laid out in the PDF process (one at a time, the others queue)."""
    global _queued
    _queued += 1
    try:
        return await asyncio.get_running_loop().run_in_executor(_pool(), write, html, base_url)
    finally:
        _queued -= 1
