"""herbot on other web sites (issue 16), against a real `herbot serve --cors ...`.

Over HTTP: a second origin allowed with ``--cors`` gets exactly one ACAO header, a foreign one
none. In real Chromium, from another local origin (:class:`browser.Site`): rasa-webchat (npm)
talks to herbot's socket.io.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from browser import WAIT, Site, node_package_file
from serving import Serving

from herbot.processes import free_ports

ALLOWED, FOREIGN = "https://site.example", "https://evil.example"


@pytest.fixture(scope="module")
def site():
    """A web site on another local origin, allowed with ``--cors``."""
    allowed = Site()
    yield allowed
    allowed.close()


@pytest.fixture(scope="module")
def cors_bot(herbot_home, built_index, site):
    """A real `herbot serve --cors https://site.example --cors <the site's origin>` on free ports."""
    port, action_port = free_ports(2)
    server = Serving(herbot_home, port, action_port, "--cors", ALLOWED, "--cors", site.origin)
    try:
        server.wait_for("herbot is ready", timeout=900)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.process.terminate()
        server.finish(timeout=120)


def request(url: str, origin: str, method: str = "GET", **headers: str) -> tuple[int, list[str]]:
    """Status and every Access-Control-Allow-Origin header of a real request from ``origin``."""
    req = urllib.request.Request(url, method=method, headers={"Origin": origin, **headers})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.headers.get_all("Access-Control-Allow-Origin") or []
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_all("Access-Control-Allow-Origin") or []


PATHS = ["/socket.io/?EIO=4&transport=polling", "/chat/", "/webhooks/rest/"]


@pytest.mark.parametrize("path", PATHS)
def test_allowed_origin_gets_one_header(cors_bot, path):
    status, acao = request(cors_bot + path, ALLOWED)
    assert status == 200
    assert acao == [ALLOWED]


def test_foreign_origin_is_refused_by_socketio(cors_bot):
    status, acao = request(cors_bot + PATHS[0], FOREIGN)
    assert status >= 400
    assert acao == []


@pytest.mark.parametrize("path", PATHS[1:])
def test_foreign_origin_gets_no_header(cors_bot, path):
    assert request(cors_bot + path, FOREIGN)[1] == []


def test_rest_preflight(cors_bot):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = request(cors_bot + "/webhooks/rest/webhook", ALLOWED, "OPTIONS", **preflight)
    assert allowed[0] < 400 and allowed[1] == [ALLOWED]
    assert request(cors_bot + "/webhooks/rest/webhook", FOREIGN, "OPTIONS", **preflight)[1] == []


# --- in Chromium, from other origins ---

def waited(browser, condition, what: str, timeout: float = WAIT):
    """``condition``'s first true value; on a timeout, fail with what the browser's console said."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(browser, timeout).until(condition)
    except TimeoutException:
        pytest.fail(f"no {what} within {timeout} s; the browser said: {browser.get_log('browser')}")


@pytest.mark.slow
def test_rasa_webchat_from_npm_on_an_allowed_origin_shows_a_grounded_answer(browser, cors_bot, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    site.add("/rasa-webchat.js", node_package_file("rasa-webchat/lib/index.js").read_bytes(), "text/javascript")
    options = {"socketUrl": cors_bot, "socketPath": "/socket.io/", "initPayload": "/greet", "title": "herbot",
               "params": {"storage": "session"}}
    site.add("/rasa-webchat-init.js", f"WebChat.default({json.dumps(options)}, null);", "text/javascript")
    browser.get(site.add("/rasa-webchat.html", "<!doctype html><html lang=en><title>A site</title><body>"
                         "<script src=/rasa-webchat.js></script><script src=/rasa-webchat-init.js></script>"))
    waited(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".rw-launcher"), "rasa-webchat launcher")[0].click()
    waited(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".rw-response"), "greeting from herbot")
    box = browser.find_element(By.CSS_SELECTOR, ".rw-new-message")
    box.send_keys("Who voices Samantha?")
    box.send_keys(Keys.ENTER)
    answer = waited(browser, lambda d: [m.text for m in d.find_elements(By.CSS_SELECTOR, ".rw-response")
                                        if "Johansson" in m.text], "answer about Samantha's voice")
    assert "Scarlett Johansson" in answer[0] and "Source: film facts" in answer[0], answer
