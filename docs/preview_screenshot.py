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

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from kbsync.commands import watch as watch_command
from kbsync.config import load_config
from kbsync.console import Console

HERE = Path(__file__).resolve().parent
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--window-size=1280,820", "--hide-scrollbars")


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
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for flag in (*FLAGS, f"--user-data-dir={tmp}/profile"):
            options.add_argument(flag)
        driver = webdriver.Chrome(
            service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
            options=options)
        try:
            driver.get(ready.get(timeout=60) + "/shipping/schedule-a-pickup")
            driver.execute_script("return document.fonts.ready")
            driver.save_screenshot(str(HERE / "preview.png"))
        finally:
            driver.quit()
            stop.set()
            server.join(10)
    print(HERE / "preview.png")


if __name__ == "__main__":
    main()
