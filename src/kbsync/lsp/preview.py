"""The previews "Open preview" starts: one ``kbsync watch`` per knowledge base, a process
of its own (the preview keeps its own workspace and server, and a crash of one never
takes the other down), stopped with the language server or by "Stop preview"."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import re
import signal
from pathlib import Path

from kbsync.errors import KbsyncError
from kbsync.lsp.spawned import HOME, module_command

__all__ = ["Previews"]

#: The line ``kbsync watch`` prints when it serves: its URL.
_SERVING = re.compile(r" on (?P<url>https?://\S+) \(Ctrl-C to stop\)")
#: How long a preview may take to read the knowledge base and listen.
START_TIMEOUT = 120.0


class Previews:
    """The running previews, by knowledge-base root."""

    def __init__(self) -> None:
        self._running: dict[Path, tuple[asyncio.subprocess.Process, str]] = {}
        self._drains: set[asyncio.Task[None]] = set()

    async def url(self, root: Path) -> str:
        """The URL of the preview of ``root``, started if it is not running."""
        found = self._running.get(root)
        if found is not None and found[0].returncode is None:
            return found[1]
        process = await asyncio.create_subprocess_exec(
            *module_command("kbsync", "-C", str(root), "watch", "--port", "0"), cwd=HOME,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"})
        try:
            url = await asyncio.wait_for(_serving(process), START_TIMEOUT)
        except BaseException:
            await _stop(process)
            raise
        self._running[root] = (process, url)
        drain = asyncio.get_running_loop().create_task(_drain(process))
        self._drains.add(drain)
        drain.add_done_callback(self._drains.discard)
        return url

    def kill(self) -> None:
        """Stop every preview at once, without a loop (the server's has ended)."""
        for process, _ in self._running.values():
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGTERM)
        self._running.clear()

    async def stop(self) -> int:
        """Stop every preview; how many were running."""
        running = [process for process, _ in self._running.values()
                   if process.returncode is None]
        self._running.clear()
        for process in running:
            await _stop(process)
        return len(running)


async def _serving(process: asyncio.subprocess.Process) -> str:
    """The URL the preview prints once it serves; its last lines when it stops first."""
    assert process.stdout is not None
    last: collections.deque[str] = collections.deque(maxlen=5)
    while True:
        line = (await process.stdout.readline()).decode("utf-8", "replace")
        if not line:
            await process.wait()
            said = "; ".join(s.strip() for s in last if s.strip())
            raise KbsyncError(f"the preview stopped (exit {process.returncode}): {said}")
        found = _SERVING.search(line)
        if found is not None:
            return found.group("url")
        last.append(line)


async def _drain(process: asyncio.subprocess.Process) -> None:
    """Read what the preview prints, so its pipe never fills and blocks it."""
    assert process.stdout is not None
    while await process.stdout.read(65536):
        pass


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM (the preview stops as on Ctrl-C), then SIGKILL after 10 s."""
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), 10)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
