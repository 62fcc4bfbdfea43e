"""Headless Chromium for the screenshot scripts of docs/: Debian's Chromium through its
chromedriver, as the browser tests and bench_watch.py drive it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--hide-scrollbars")


@contextmanager
def chromium(profile: Path, size: tuple[int, int]) -> Iterator[WebDriver]:
    """A browser with its window at ``size`` (width, height) and its profile in
    ``profile``, quit afterwards."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in (*FLAGS, f"--window-size={size[0]},{size[1]}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(
        service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
        options=options)
    try:
        yield driver
    finally:
        driver.quit()
