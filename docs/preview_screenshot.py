"""Take docs/preview.png: example-kb's draft article in ``kbsync watch``, headless Chromium.

    python docs/preview_screenshot.py

Runs the preview on a copy of example-kb (nothing in the repository is touched) and
Debian's Chromium through its chromedriver, as the browser tests and bench_watch.py do.
"""

from __future__ import annotations

import io
import queue
import shutil
import tempfile
import threading
from pathlib import Path

from chromium import chromium  # docs/ is the script's folder

from kbsync.commands import watch as watch_command
from kbsync.config import load_config
from kbsync.console import Console

HERE = Path(__file__).resolve().parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "example-kb"
        shutil.copytree(HERE.parent / "example-kb", root,
                        ignore=shutil.ignore_patterns(".kbsync", "kbsync.lock"))
        ready: queue.Queue[str] = queue.Queue()
        stop = threading.Event()
        console = Console(color=False, stdout=io.StringIO(), stderr=io.StringIO())
        server = threading.Thread(target=watch_command.run,
                                  args=(lambda: load_config(root), console),
                                  kwargs={"port": 0, "stop": stop, "on_ready": ready.put})
        server.start()
        try:
            with chromium(Path(tmp) / "profile", (1280, 820)) as driver:
                driver.get(ready.get(timeout=60) + "/shipping/schedule-a-pickup")
                driver.execute_script("return document.fonts.ready")
                driver.save_screenshot(str(HERE / "preview.png"))
        finally:
            stop.set()
            server.join(10)
    print(HERE / "preview.png")


if __name__ == "__main__":
    main()
