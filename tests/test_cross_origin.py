"""herbot on other web sites (issue 16), against a real `herbot serve --cors ...`.

Over HTTP: a second origin allowed with ``--cors`` gets exactly one ACAO header, a foreign one
none, and only allowed origins may frame the chat page. In real Chromium, from other local
origins (:class:`browser.Site`): rasa-webchat (npm) talks to herbot's socket.io, and embed.js
opens herbot's own chat in a panel on an allowed site, leaving the site's page as it was, and
cannot on another. The embed test leaves the README's picture in reports/widget.png.
"""

from __future__ import annotations

import html
import json
import urllib.error
import urllib.request

import pytest

from herbot.settings import PROJECT_ROOT
from tests.support.browser import WAIT, ChatPage, Site, node_package_file
from tests.support.ports import free_ports
from tests.support.serving import Serving

ALLOWED, FOREIGN = "https://site.example", "https://evil.example"
SCREENSHOT = PROJECT_ROOT / "reports" / "widget.png"  # the README's picture (docs/widget.png)


@pytest.fixture(scope="module")
def site():
    """A web site on another local origin, allowed with ``--cors``: it embeds herbot."""
    allowed = Site()
    yield allowed
    allowed.close()


@pytest.fixture(scope="module")
def foreign_site():
    """A web site on an origin herbot was not told about."""
    other = Site()
    yield other
    other.close()


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


def test_only_allowed_origins_may_frame_the_chat_page(cors_bot, site):
    with urllib.request.urlopen(cors_bot + "/chat/", timeout=30) as response:
        policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["frame-ancestors"].split() == ["'self'", ALLOWED, site.origin]


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
    waited(browser, lambda _: widget_texts(browser, ".rw-response"), "greeting from herbot")
    # The widget re-renders as messages arrive: the box is looked up afresh until the keys reach it.
    waited(browser, lambda d: typed(d.find_element(By.CSS_SELECTOR, ".rw-new-message"),
                                    "Who voices Samantha?" + Keys.ENTER), "the message box")
    answer = waited(browser, lambda _: [text for text in widget_texts(browser, ".rw-response") if "Johansson" in text],
                    "answer about Samantha's voice")
    assert "Scarlett Johansson" in answer[0] and "Source: film facts" in answer[0], answer


def widget_texts(browser, selector: str) -> list[str]:
    """The texts of the widget's elements, read in one script (no element can go stale between lookup and read)."""
    return browser.execute_script(
        f"return Array.from(document.querySelectorAll({json.dumps(selector)}), e => e.innerText)")


def typed(box, keys: str) -> bool:
    """``keys`` sent to ``box``; False when the widget replaced the element first (the caller looks it up again)."""
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        box.send_keys(keys)
    except StaleElementReferenceException:
        return False
    return True


SITE_CSS = ("body { font: 18px/1.6 Georgia, serif; margin: 0; color: #222; background: #f4f1ea; }"
            " .banner { height: 160px; padding: 2rem; box-sizing: border-box; background: #2f4858; color: #fff; }"
            " main { max-width: 34rem; padding: 0 2rem; } button { font: inherit; padding: 0.4rem 1rem; }"
            " .more { height: 3000px; }")
SCROLLED = 160  # the page is scrolled past its banner before herbot opens; it must stay there


def furnish(site: Site) -> None:
    """The site's style sheet and an icon (so that the only errors in the console would be ours)."""
    site.add("/site.css", SITE_CSS, "text/css")
    site.add("/favicon.ico", b"", "image/x-icon")


def film_club_page(bot: str, embed: bool = True, herbot_url: str | None = None) -> str:
    """A web site's page, with herbot's one script tag (as the README gives it) or without."""
    given = html.escape(herbot_url if herbot_url is not None else bot)
    script = f'<script src="{bot}/chat/embed.js" data-herbot-url="{given}"></script>' if embed else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Film club: Her (2013)</title>
<link rel="stylesheet" href="/site.css"></head>
<body><div class="banner">The Sunday Film Club</div><main>
<h1>Film club: <cite>Her</cite> (2013)</h1>
<p>This month we watch Spike Jonze's <cite>Her</cite>: Theodore, a lonely letter writer in a near-future
Los Angeles, falls in love with Samantha, the voice of his new operating system.</p>
<p>Not sure what to make of it? Ask herbot what the critics wrote: every answer says where it comes from.</p>
<p><button type="button" id="join">Join the film club</button></p>
<div class="more"></div>
</main>
{script}
</body></html>"""


def site_policy(bot: str) -> dict[str, str]:
    """A strict CSP of the site's own, opened only for herbot's script and frame (as the README says)."""
    return {"Content-Security-Policy": f"default-src 'self'; script-src 'self' {bot}; frame-src {bot}; "
                                       "style-src 'self'; img-src 'self'"}


# What the embed must leave as it was: the page's computed styles, style sheets, globals, scroll.
PAGE_STATE = """
const look = selector => { const s = getComputedStyle(document.querySelector(selector));
  return [s.font, s.color, s.backgroundColor, s.margin, s.padding, s.display, s.overflow].join(' | '); };
return {styles: ['html', 'body', 'main', 'h1', 'p', '#join'].map(look),
        sheets: document.styleSheets.length, adopted: document.adoptedStyleSheets.length,
        globals: Object.keys(window).sort(), scroll: window.scrollY,
        overflow: getComputedStyle(document.documentElement).overflow + getComputedStyle(document.body).overflow};
"""
EMBED = "document.querySelector('[data-herbot-embed]').shadowRoot"  # the launcher's own little document


def visit(browser, url: str) -> None:
    """Open a site's page and wait for herbot's launcher on it."""
    browser.get(url)
    waited(browser, lambda _: browser.execute_script("return !!document.querySelector('[data-herbot-embed]')"),
           "the launcher")


def embed_part(browser, selector: str):
    return browser.execute_script(f"return {EMBED}.querySelector({json.dumps(selector)})")


def wait_until_open(browser) -> None:
    """The panel shown and its opening animation over (Selenium counts a transparent element as hidden)."""
    waited(browser, lambda _: browser.execute_script(
        f"const panel = {EMBED}.querySelector('.panel');"
        "return !panel.hidden && panel.getAnimations().every(a => a.playState === 'finished')"), "the open panel")


def focused_in_embed(browser) -> str | None:
    """The class of the embed's element that has the focus (the iframe: its tag), if the focus is in it."""
    return browser.execute_script(
        "const host = document.querySelector('[data-herbot-embed]');"
        "if (document.activeElement !== host || !host.shadowRoot.activeElement) return null;"
        "const el = host.shadowRoot.activeElement; return el.tagName === 'IFRAME' ? 'iframe' : el.className;")


@pytest.mark.slow
def test_embed_js_opens_herbots_chat_in_a_panel_and_leaves_the_page_alone(browser, cors_bot, site):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    furnish(site)
    browser.get_log("browser")  # what earlier tests left
    browser.get(site.add("/plain.html", film_club_page(cors_bot, embed=False), headers=site_policy(cors_bot)))
    browser.execute_script(f"window.scrollTo(0, {SCROLLED})")
    alone = browser.execute_script(PAGE_STATE)
    visit(browser, site.add("/film-club.html", film_club_page(cors_bot), headers=site_policy(cors_bot)))
    browser.execute_script(f"window.scrollTo(0, {SCROLLED})")
    assert browser.execute_script(PAGE_STATE) == alone  # no style, sheet or global of the page changed
    assert embed_part(browser, ".launcher").is_displayed()
    assert not embed_part(browser, ".panel").is_displayed()
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]  # nothing the CSP refused

    # keyboard only: Tab from the page's own button reaches the launcher, Enter opens the panel
    browser.execute_script("document.getElementById('join').focus({preventScroll: true})")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert focused_in_embed(browser) == "launcher"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait_until_open(browser)
    assert embed_part(browser, ".panel").is_displayed()
    assert embed_part(browser, ".launcher").get_attribute("aria-expanded") == "true"
    assert focused_in_embed(browser) == "iframe"

    browser.switch_to.frame(embed_part(browser, "iframe"))
    try:
        chat = ChatPage(browser, cors_bot + "/chat/")
        chat.wait_for_messages(1)  # the greeting
        assert browser.switch_to.active_element.get_attribute("id") == "message"
        answer = chat.ask("What did the critics think of the acting?")
        chat.settle()
        assert answer.find_elements(By.CSS_SELECTOR, ".quote figcaption"), answer.text  # quoted, with sources
        assert browser.find_element(By.ID, "speak").is_displayed()
        browser.switch_to.default_content()
        SCREENSHOT.parent.mkdir(exist_ok=True)
        browser.save_screenshot(str(SCREENSHOT))  # the README's picture: the launcher and the open chat
        browser.switch_to.frame(embed_part(browser, "iframe"))
        ActionChains(browser).send_keys(Keys.ESCAPE).perform()  # pressed in the chat, inside the iframe
    finally:
        browser.switch_to.default_content()
    waited(browser, lambda _: not embed_part(browser, ".panel").is_displayed(), "the panel closed by Escape")
    assert focused_in_embed(browser) == "launcher"
    assert embed_part(browser, ".launcher").get_attribute("aria-expanded") == "false"
    assert browser.execute_script("return window.scrollY") == SCROLLED  # the page never scrolled


@pytest.mark.slow
def test_the_launcher_and_its_panel_are_accessible_and_keep_still_for_reduced_motion(browser, cors_bot, site):
    furnish(site)
    visit(browser, site.add("/film-club.html", film_club_page(cors_bot), headers=site_policy(cors_bot)))
    browser.execute_script(node_package_file("axe-core/axe.min.js").read_text())
    embed_part(browser, ".launcher").click()
    wait_until_open(browser)
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {iframes: false}).then(r => done(r.violations.map(v => [v.id, v.impact,"
        " v.nodes.map(n => n.target.join(' '))])));")
    assert not [v for v in violations if v[1] in ("serious", "critical")], violations

    def panel_animation() -> str:
        return browser.execute_script(f"return getComputedStyle({EMBED}.querySelector('.panel'))"
                                      ".animationName")

    assert panel_animation() == "herbot-open"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]})
    try:
        assert panel_animation() == "none"
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    embed_part(browser, ".close").click()
    assert not embed_part(browser, ".panel").is_displayed()
    assert focused_in_embed(browser) == "launcher"


@pytest.mark.slow
def test_a_site_not_allowed_with_cors_cannot_frame_the_chat(browser, cors_bot, foreign_site):
    furnish(foreign_site)
    browser.get_log("browser")  # what earlier tests left
    visit(browser, foreign_site.add("/page.html", film_club_page(cors_bot)))
    browser.execute_script(f"{EMBED}.querySelector('iframe').addEventListener('load', () => window.framed = 1)")
    embed_part(browser, ".launcher").click()
    waited(browser, lambda _: browser.execute_script("return window.framed"), "the iframe's load event")
    browser.switch_to.frame(embed_part(browser, "iframe"))
    try:
        shown = browser.execute_script("return [location.href, !!document.getElementById('log')]")
    finally:
        browser.switch_to.default_content()
    assert shown == ["chrome-error://chromewebdata/", False]  # Chromium's error page, not the chat
    refusals = [e["message"] for e in browser.get_log("browser") if "frame-ancestors" in e["message"]]
    assert refusals and foreign_site.origin not in refusals[0], refusals


@pytest.mark.slow
@pytest.mark.parametrize("given", ["javascript:alert(1)", "ftp://bot.example", "http://["])
def test_an_unusable_herbot_url_draws_nothing_and_says_why(browser, cors_bot, site, given):
    furnish(site)
    browser.get_log("browser")  # what earlier tests left
    browser.get(site.add("/broken.html", film_club_page(cors_bot, herbot_url=given), headers=site_policy(cors_bot)))
    assert browser.execute_script("return document.readyState") == "complete"  # embed.js has run
    assert browser.execute_script("return document.querySelector('[data-herbot-embed]')") is None
    said = browser.get_log("browser")
    assert [e for e in said if e["level"] == "WARNING" and "data-herbot-url must be" in e["message"]], said
    assert not [e for e in said if e["level"] == "SEVERE"], said


@pytest.mark.slow
@pytest.mark.parametrize("given", ["", "  "])
def test_without_a_herbot_url_the_launcher_opens_the_herbot_the_script_came_from(browser, cors_bot, site, given):
    furnish(site)
    visit(browser, site.add("/short.html", film_club_page(cors_bot, herbot_url=given), headers=site_policy(cors_bot)))
    embed_part(browser, ".launcher").click()
    wait_until_open(browser)
    assert embed_part(browser, "iframe").get_attribute("src") == cors_bot + "/chat/"
