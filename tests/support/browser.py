"""The browser the web tests drive: Debian's headless Chromium, the chat page as a user sees it,
the npm packages (web/package-lock.json) a test serves to the browser, and other web sites
(:class:`Site`, a second local origin) that embed herbot.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pytest

from herbot.settings import PROJECT_ROOT

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
WAIT = 60  # seconds; a first answer loads nothing (serve warms up), but CI machines are slow


def chromium(profile: Path):
    """Debian's headless Chromium under ChromeDriver, with a fresh profile and no background traffic."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("Debian's chromium and chromium-driver are needed: `make test` installs them")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 f"--user-data-dir={profile}", "--window-size=1000,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    return driver


@contextmanager
def on_every_page(driver, source: str) -> Iterator[None]:
    """Run ``source`` in every document before its own scripts (CDP), while the block lasts.

    What a test needs to observe or take away from the browser (speech synthesis), never a hook in herbot's code.
    """
    added = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]})


class ChatPage:
    """The chat page as a user drives it: type, click, read."""

    def __init__(self, driver, url: str):
        self.driver, self.url = driver, url

    def open(self, fresh: bool = True) -> ChatPage:
        if fresh:  # each test starts its own conversation: forget the stored one while no page of it runs
            # (cleared under a running page, that page's late session would be saved again)
            self.driver.get("about:blank")
            origin = urljoin(self.url, "/").rstrip("/")
            self.driver.execute_cdp_cmd("Storage.clearDataForOrigin",
                                        {"origin": origin, "storageTypes": "local_storage"})
        self.driver.get(self.url)
        self.wait_for_messages(1)  # the greeting
        return self

    def wait(self, condition, timeout: float = WAIT):
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(condition)

    def messages(self, who: str = "") -> list:
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, f".log .msg{'.' + who if who else ''}")

    def wait_for_messages(self, count: int, who: str = "bot") -> list:
        self.wait(lambda _: len(self.messages(who)) >= count)
        return self.messages(who)

    def ask(self, text: str) -> object:
        """Type ``text``, press Enter, and return the first bot message that answers it."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        before = len(self.messages("bot"))
        box = self.driver.find_element(By.ID, "message")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)
        return self.wait_for_messages(before + 1)[before]

    def settle(self) -> None:
        """Wait until the bot stopped typing (the server says when a turn is over)."""
        from selenium.webdriver.common.by import By

        self.wait(lambda driver: not driver.find_element(By.ID, "typing").is_displayed())

    def stored(self) -> dict:
        return json.loads(self.driver.execute_script("return localStorage.getItem('herbot.chat.v1')"))

    def session_id(self) -> str:
        return self.stored()["sessionId"]


WEB = PROJECT_ROOT / "web"


def node_package_file(relative: str) -> Path:
    """A file of an npm package pinned in web/package-lock.json (``rasa-webchat/lib/index.js``).

    ``npm ci`` runs once when web/node_modules is missing or older than the lock file; the
    packages are for the tests only (the page ships what herbot/rasa/web/vendor/ holds).
    """
    installed = WEB / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < (WEB / "package-lock.json").stat().st_mtime:
        result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WEB, capture_output=True,
                                text=True, timeout=900)
        if result.returncode != 0:
            pytest.fail("npm ci in web/ failed:\n" + result.stdout + result.stderr)
    path = WEB / "node_modules" / relative
    if not path.exists():
        pytest.fail(f"{relative} is not in web/node_modules: is it in web/package-lock.json?")
    return path


class Site:
    """Another web site on this machine: a tiny http.server on a free port of 127.0.0.1, its own origin.

    ``add()`` puts a file at a path, with its content type and any headers (a page's own CSP).
    """

    def __init__(self):
        files: dict[str, tuple[bytes, dict[str, str]]] = {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                body, headers = files.get(self.path.split("?")[0], (b"Not found", {"Content-Type": "text/plain"}))
                self.send_response(200 if self.path.split("?")[0] in files else 404)
                for name, value in {**headers, "Content-Length": str(len(body)), "Cache-Control": "no-store"}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet: the test says what went wrong
                pass

        self.files = files
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8",
            headers: dict[str, str] | None = None) -> str:
        """Serve ``body`` at ``path``; returns its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.files[path] = (data, {"Content-Type": content_type, **(headers or {})})
        return self.origin + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
