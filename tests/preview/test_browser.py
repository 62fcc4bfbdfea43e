"""The preview in a real headless Chromium (Debian's, through its chromedriver).

One browser and one running ``kbsync watch`` (real watchdog, real HTTP) serve the whole
module, on a copy of example-kb. Skipped only when Chromium or chromedriver is absent;
``.ci/run`` installs both, so CI runs these.
"""

from __future__ import annotations

import io
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbsync.commands import watch as command
from kbsync.config import load_config
from kbsync.console import Console

from .conftest import EXAMPLE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
                       reason="needs Debian's chromium and chromium-driver "
                              "(apt-get install chromium chromium-driver)"),
]
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--window-size=1280,900")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser") / "kb"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".kbsync", "kbsync.lock"))
    return root


@pytest.fixture(scope="module")
def url(root: Path) -> Iterator[str]:
    console = Console(color=False, stdout=io.StringIO(), stderr=io.StringIO())
    ready: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=command.run, args=(lambda: load_config(root), console),
                              kwargs={"port": 0, "stop": stop, "on_ready": ready.put})
    thread.start()
    try:
        yield ready.get(timeout=30)
    finally:
        stop.set()
        thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="kbsync-chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _wait_for(browser: WebDriver, condition: object, what: str) -> None:
    try:
        WebDriverWait(browser, 10, poll_frequency=0.02).until(condition)  # type: ignore[arg-type]
    except TimeoutException:
        raise AssertionError(f"the page never showed {what}") from None


def _main_text(browser: WebDriver) -> str:
    """The page body's text, read in one script (the element may be swapped meanwhile)."""
    return str(browser.execute_script("return document.getElementById('kb-main').innerText"))


def _open(browser: WebDriver, url: str) -> None:
    browser.get(url)
    _wait_for(browser, lambda b: b.execute_script(
        "return document.getElementById('kb-live').className") == "on", "a live connection")
    browser.execute_script("window.kbsyncNotReloaded = true")


def _not_reloaded(browser: WebDriver) -> bool:
    return bool(browser.execute_script("return window.kbsyncNotReloaded === true"))


def test_an_edit_shows_without_a_reload(browser: WebDriver, url: str, root: Path) -> None:
    _open(browser, url + "/billing/refunds")
    path = root / "billing" / "refunds.md"
    path.write_text(path.read_text() + "\nRefunds for labels now arrive within one hour.\n")
    _wait_for(browser, lambda b: "within one hour" in _main_text(b), "the edited text")
    assert _not_reloaded(browser)


def test_broken_front_matter_shows_the_error_and_a_fix_recovers(
        browser: WebDriver, url: str, root: Path) -> None:
    _open(browser, url + "/account/export-your-data")
    path = root / "account" / "export-your-data.md"
    good = path.read_text()
    path.write_text(good.replace("---\ntitle:", "---\ntitle: [", 1) + "\nNot shown yet.\n")
    _wait_for(browser, lambda b: "invalid YAML" in _main_text(b), "the error")
    banner = browser.find_element(By.CSS_SELECTOR, "#kb-main .kb-problems").text
    assert "account/export-your-data.md:2: invalid YAML" in banner
    assert "last valid version" in banner and "Not shown yet." not in _main_text(browser)
    assert browser.find_element(By.CSS_SELECTOR, "h1.kb-title").text == "Export your data"
    path.write_text(good + "\nShown now.\n")
    _wait_for(browser, lambda b: "Shown now." in _main_text(b), "the fixed version")
    assert not browser.find_elements(By.CSS_SELECTOR, "#kb-main .kb-problems")
    assert _not_reloaded(browser)


def test_the_sidebar_and_a_link_between_articles(browser: WebDriver, url: str) -> None:
    browser.get(url + "/")
    browser.find_element(By.CSS_SELECTOR, 'nav#kb-side a[href="/billing/"]').click()
    _wait_for(browser, lambda b: b.current_url == url + "/billing/", "the collection page")
    assert browser.find_element(By.CSS_SELECTOR, "h1.kb-title").text == "Billing and plans"
    browser.find_element(By.CSS_SELECTOR, 'nav#kb-side a[href="/billing/refunds"]').click()
    _wait_for(browser, lambda b: b.current_url == url + "/billing/refunds", "the article")
    browser.find_element(By.LINK_TEXT, "your own carrier account").click()
    target = url + "/shipping/carriers/connect-your-own-carrier-account"
    _wait_for(browser, lambda b: b.current_url == target, "the linked article")
    assert browser.find_element(By.CSS_SELECTOR, "h1.kb-title").text == (
        "Connect your own carrier account")
    current = browser.find_element(By.CSS_SELECTOR, 'nav#kb-side a[aria-current="page"]')
    assert current.get_attribute("href") == target and current.is_displayed()


def test_the_search_box_finds_an_article(browser: WebDriver, url: str) -> None:
    browser.get(url + "/")
    box = browser.find_element(By.CSS_SELECTOR, "header input[type=search]")
    box.send_keys("money back for an unused label", Keys.ENTER)
    _wait_for(browser, lambda b: "/.kbsync/search" in b.current_url, "the results")
    results = browser.find_elements(By.CSS_SELECTOR, "#kb-main .kb-list a")
    assert results and results[0].text == "Refunds"
    results[0].click()
    _wait_for(browser, lambda b: b.current_url == url + "/billing/refunds", "the article")


def test_a_draft_shows_its_badge(browser: WebDriver, url: str) -> None:
    browser.get(url + "/shipping/schedule-a-pickup")
    badge = browser.find_element(By.CSS_SELECTOR, "h1.kb-title .kb-badge")
    assert badge.text == "DRAFT" and badge.is_displayed()
    browser.get(url + "/billing/refunds")
    assert not browser.find_elements(By.CSS_SELECTOR, "h1.kb-title .kb-badge")


def test_the_portal_colour_is_the_header(browser: WebDriver, url: str) -> None:
    browser.get(url + "/")
    header = browser.find_element(By.ID, "kb-top")
    assert header.value_of_css_property("background-color") == "rgba(14, 124, 102, 1)"
    assert header.find_element(By.CLASS_NAME, "kb-name").text == "Parcelly Help Center"


def test_a_new_local_image_shows_as_soon_as_it_is_saved(
        browser: WebDriver, url: str, root: Path) -> None:
    """A screenshot added in a branch exists only in the folder: the preview loads it
    from there (the example publishes to a base URL that does not have it)."""
    _open(browser, url + "/billing/change-your-plan")
    (root / "images" / "plan-picker.png").write_bytes((root / "images" / "invoice.png")
                                                       .read_bytes())
    path = root / "billing" / "change-your-plan.md"
    path.write_text(path.read_text() + "\n![The plan picker](../images/plan-picker.png)\n")
    loaded = ("var i = document.querySelector('#kb-main img[alt=\"The plan picker\"]');"
              "return i && i.complete && i.naturalWidth > 0 ? i.src : null")
    _wait_for(browser, lambda b: b.execute_script(loaded), "the new image, loaded")
    assert browser.execute_script(loaded) == url + "/images/plan-picker.png"
    assert _not_reloaded(browser)


@pytest.mark.parametrize(("page", "kind", "border", "background"), [
    ("/shipping/print-shipping-labels", "note", "rgba(9, 105, 218, 1)", "rgba(238, 246, 255, 1)"),
    ("/getting-started/04-ship-your-first-order", "tip", "rgba(26, 127, 55, 1)",
     "rgba(237, 250, 239, 1)"),
    ("/billing/refunds", "important", "rgba(130, 80, 223, 1)", "rgba(246, 240, 255, 1)"),
    ("/troubleshooting/label-printing-problems", "warning", "rgba(191, 135, 0, 1)",
     "rgba(255, 248, 225, 1)"),
    ("/integrations/api-keys", "caution", "rgba(209, 36, 47, 1)", "rgba(253, 236, 236, 1)"),
])
def test_callouts_are_styled_like_the_portal(browser: WebDriver, url: str, page: str,
                                            kind: str, border: str, background: str) -> None:
    browser.get(url + page)
    callout = browser.find_element(By.CSS_SELECTOR, f".kb-body .kb-callout-{kind}")
    style = {name: callout.value_of_css_property(name) for name in (
        "border-left-style", "border-left-width", "border-left-color", "background-color")}
    assert style == {"border-left-style": "solid", "border-left-width": "4px",
                     "border-left-color": border, "background-color": background}
