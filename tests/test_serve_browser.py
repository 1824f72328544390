"""kanwu serve end to end in a real headless browser: Debian's chromium driven by Selenium.

`kanwu serve` runs as the editor runs it (a process of its own, on a copy of
the seed); the browser loads the page, sees the pages, follows a saved edit
without a reload, shows a failed build over the last good pages, marks a
clicked finding on its page with its source lines; Ctrl+C then stops kanwu
cleanly. scripts/bootstrap.sh installs chromium and chromium-driver (Debian
packages), pyproject's ``test`` extra Selenium; nothing is downloaded.

With ``KANWU_DESK_SHOTS=DIR`` the test also saves the guide's screenshots
(``desk-*.png``) into DIR.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from paths import SEED

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
WAIT = 60  # seconds for a build to show up (a seed build takes 2-5 s on a busy 2-core machine)


@pytest.fixture(scope="module")
def browser():
    """Headless chromium (Debian's), through Debian's chromedriver: Selenium downloads nothing."""
    missing = [str(p) for p in (CHROMIUM, DRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: `make setup` installs chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900", "--lang=zh-CN", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager never reaches for the network
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


class Served:
    """``kanwu serve`` running on an issue, its output read as it comes."""

    def __init__(self, issue: Path, cache: Path) -> None:
        env = {**os.environ, "KANWU_CACHE": str(cache), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "kanwu.cli", "serve", issue.name, "--no-open", "-o", "out"],
                                        cwd=issue.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, encoding="utf-8")
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=lambda s=stream, ls=lines: ls.extend(iter(s.readline, "")), daemon=True).start()

    def url(self) -> str:
        give_up = time.monotonic() + 30
        while time.monotonic() < give_up:
            for line in self.out:
                found = re.search(r"http://127\.0\.0\.1:\d+/", line)
                if found:
                    return found[0]
            assert self.process.poll() is None, "".join(self.err)
            time.sleep(0.05)
        raise AssertionError(f"no address printed: {self.out} {self.err}")

    def stop(self) -> int | None:
        """Ctrl+C, as in a terminal; the exit status, or None when kanwu did not stop (then its threads'
        tracebacks are in `err`: faulthandler writes them on SIGABRT)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)
            self.process.wait(timeout=20)
            time.sleep(0.5)  # the reader threads take in the tracebacks
            return None


def until(driver, script: str, what: str, timeout: float = WAIT):
    """Wait until `script` (a JavaScript expression) is true in the page; its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script(f"return {script}"), message=what)


PAGES_LOADED = ("document.querySelectorAll('#pages img').length > 0 && "
                "[...document.querySelectorAll('#pages img')].every(i => i.complete && i.naturalWidth > 0)")
IN_VIEW = """(() => { const r = document.querySelector(arguments_0).getBoundingClientRect(),
                            v = document.getElementById('pages').getBoundingClientRect();
                      return r.bottom > v.top + 20 && r.top < v.bottom - 20; })()"""


def shoot(driver, name: str) -> None:
    """A screenshot for the guide, when asked for (``KANWU_DESK_SHOTS``): reduced to a few hundred kB."""
    folder = os.environ.get("KANWU_DESK_SHOTS")
    if not folder:
        return
    from PIL import Image

    image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    image = image.resize((image.width * 3 // 4, image.height * 3 // 4), Image.LANCZOS)
    image.quantize(colors=96, method=Image.Quantize.MEDIANCUT).save(Path(folder) / f"desk-{name}.png", optimize=True)


def choose(driver, zoom: str) -> None:
    """Pick a zoom in the page's menu."""
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "zoom")).select_by_value(zoom)


def test_the_desk_in_a_browser(browser, tmp_path: Path, seed_cache: Path) -> None:
    folder = tmp_path / "issue"
    shutil.copytree(SEED.parent, folder, ignore=shutil.ignore_patterns("mixed*"))
    issue = folder / SEED.name
    served = Served(issue, seed_cache / "cache")
    try:
        url = served.url()
        assert url.startswith("http://127.0.0.1:")
        browser.get(url)
        until(browser, PAGES_LOADED, "the pages are shown")
        assert browser.execute_script("return document.querySelectorAll('#pages figure.page').length") == 2
        assert browser.find_element("id", "findings").find_elements("css selector", "li[data-code]")
        downloads = {a.get_attribute("data-kind") for a in browser.find_elements("css selector", "#downloads a")}
        assert {"proof", "print", "report"} <= downloads
        first_build = browser.execute_script("return document.getElementById('pages').dataset.build")
        if os.environ.get("KANWU_DESK_SHOTS"):  # the two pages side by side, for the guide
            choose(browser, "fit2")
            browser.find_element("css selector", "#stories li[data-story='lead']").click()
            time.sleep(2.5)  # the mark's pulse is over
            shoot(browser, "pages")
            choose(browser, "1")

        # a finding clicked: its page scrolls into view, marked, with its source lines
        browser.execute_script("document.getElementById('pages').scrollTop = 0")
        assert not browser.execute_script(f"return {IN_VIEW.replace('arguments_0', repr('#page-2'))}")
        source = browser.find_element("id", "source")
        assert not source.is_displayed()  # until a finding is clicked
        browser.find_element("css selector", "#findings li[data-code='repeated-text']").click()
        until(browser, "document.querySelector('#page-2 .mark.warning') !== null", "the finding is marked")
        until(browser, IN_VIEW.replace("arguments_0", repr("#page-2 .mark")), "the page scrolled to the finding")
        until(browser, "document.getElementById('source-title').textContent.includes('npc.md:1:34')",
              "the source is named")
        assert source.is_displayed()
        here = browser.find_element("css selector", "#source-lines .line.here").text
        assert "《上海市罢免和补选大会选举法》" in here
        shoot(browser, "finding")

        # a saved edit shows up by itself: no reload (the page keeps what the test put in it)
        browser.execute_script("window.kanwuNoReload = true")
        text = issue.read_text(encoding="utf-8")
        issue.write_text(text.replace("headline: 四平路街道完成杨浦区第十六届人大代表补选工作",
                                      "headline: 人大代表补选工作顺利完成"), encoding="utf-8")
        until(browser, "[...document.querySelectorAll('#stories .headline')].some("
                       "e => e.textContent === '人大代表补选工作顺利完成')", "the new headline appears")
        until(browser, f"document.getElementById('pages').dataset.build !== {first_build!r} && "
                       "[...document.querySelectorAll('#pages img')].every(i => i.src.includes("
                       "document.getElementById('pages').dataset.build))", "the new pages are swapped in")
        until(browser, PAGES_LOADED, "the new pages are shown")
        assert browser.execute_script("return window.kanwuNoReload === true")

        # a failed build: the error on top, the last good pages still there
        issue.write_text(text.replace("layout: tabloid-a3", "layout: [tabloid-a3"), encoding="utf-8")
        until(browser, "!document.getElementById('failed').hidden", "the error is shown")
        assert "siping-2020-12.yaml" in browser.find_element("id", "failed-list").text
        assert browser.execute_script(f"return {PAGES_LOADED}")
        shoot(browser, "failed")
        issue.write_text(text, encoding="utf-8")
        until(browser, "document.getElementById('failed').hidden", "the error is gone after the fix")
        assert browser.execute_script("return window.kanwuNoReload === true")
    finally:
        status = served.stop()
    assert status == 0, "".join(served.err)
    assert "Traceback" not in "".join(served.err) and "已停止" in served.out[-1]
