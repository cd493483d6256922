"""The web chat in a real browser (Debian's headless Chromium) against a real `herbot serve`.

What a user sees: the greeting, a grounded answer with its quoted source, buttons,
thumbs that are stored, a reload that keeps the conversation (and the bot's memory of
it: the socket.io room fix), text that can never become HTML, a phone-sized screen,
no request to anywhere but the bot, answers read aloud, the conversation saved as
Markdown, and what the page weighs.
"""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from herbot.cli.transcripts import markdown, turns
from herbot.settings import PROJECT_ROOT
from tests.support.browser import ChatPage, on_every_page
from tests.support.histories import slot_events

pytestmark = pytest.mark.slow

SCREENSHOT = PROJECT_ROOT / "reports" / "chat.png"


@pytest.fixture
def page(browser, bot) -> ChatPage:
    return ChatPage(browser, f"{bot[0]}/chat/").open()


def test_the_page_greets_in_the_persona_and_asks_nothing_of_the_network(page, bot):
    greeting = page.messages("bot")[0].text
    assert "herbot" in page.driver.title and "Her" in page.driver.title
    assert "herbot" in greeting and "Her" in greeting  # utter_greet, from the domain
    page.settle()
    resources = page.driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(name.startswith(bot[0] + "/") for name in resources), resources
    problems = [entry for entry in page.driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not problems, problems  # CSP violations and script errors land here


def test_an_answer_shows_its_quote_and_source_and_a_button_asks_the_next_question(page, retriever):
    from selenium.webdriver.common.by import By

    answer = page.ask("What did the critics think of the acting?")
    page.settle()
    quotes = answer.find_elements(By.CSS_SELECTOR, ".quote")
    assert quotes, answer.text
    for quote in quotes:  # real sentences of a real passage (a short one with the next), verbatim, under its source
        sentence = quote.find_element(By.TAG_NAME, "blockquote").text  # the quote marks are CSS
        caption = quote.find_element(By.TAG_NAME, "figcaption").text
        passage = next(p for p in retriever.passages if sentence in p.text and any(s in sentence for s in p.sentences))
        assert caption.startswith(f"— {passage.source_label}"), caption
        assert sentence not in answer.find_element(By.CSS_SELECTOR, ".bubble").text  # shown apart, once
    page.driver.save_screenshot(str(_screenshot_path()))  # the page on its own (the README's: test_cross_origin)

    button = answer.find_elements(By.CSS_SELECTOR, ".choices button")[0]
    title, bots = button.text, len(page.messages("bot"))
    button.click()
    page.wait_for_messages(bots + 1)
    assert page.messages("user")[-1].text == title
    assert not page.driver.find_elements(By.CSS_SELECTOR, ".msg:not(:last-child) .choices button"), \
        "answered suggestions are closed"


def test_a_thumb_is_stored_with_the_answers_sources(page, bot):
    from selenium.webdriver.common.by import By

    answer = page.ask("Who plays Theodore?")
    page.settle()
    bots = len(page.messages("bot"))
    answer.find_element(By.CSS_SELECTOR, ".rating button[data-vote='up']").click()
    thanks = page.wait_for_messages(bots + 1)[bots]
    assert thanks.text
    page.settle()
    slots = slot_events(Path(bot[1]) / "tracker.db", page.session_id())
    ratings = [e["value"] for e in slots if e["name"] == "ratings"][-1]
    assert ratings[-1]["rating"] == "up"
    assert any(source.startswith("facts:cast:Joaquin") for source in ratings[-1]["sources"])
    assert ratings[-1]["question"] == "Who plays Theodore?"
    pressed = answer.find_element(By.CSS_SELECTOR, ".rating button[aria-pressed='true']")
    assert pressed.get_attribute("data-vote") == "up"


def test_a_reload_keeps_the_conversation_and_the_bot_remembers_it(page):
    page.ask("Who plays Theodore?")
    page.settle()
    shown = [message.text for message in page.messages()]
    session = page.session_id()

    assert len(page.stored()["resumeToken"]) == 64  # the server takes the session back only with it
    page.open(fresh=False)
    assert [message.text for message in page.messages()] == shown
    assert page.session_id() == session
    # The reply reaches the reloaded page (the awaited room join), and the bot still
    # knows who "his" is: the conversation went on on the server too.
    answer = page.ask("what did the reviewers say about his performance?")
    page.settle()
    assert "Phoenix" in answer.text or "Theodore" in answer.text, answer.text


def test_new_chat_starts_a_new_session_with_a_greeting_and_a_reload_keeps_it(page):
    from selenium.webdriver.common.by import By

    page.ask("Who plays Theodore?")
    page.settle()
    old = page.stored()
    page.driver.find_element(By.ID, "restart").click()
    page.wait(lambda _: page.stored()["sessionId"] not in (None, old["sessionId"]))
    page.wait_for_messages(1)  # the greeting, and nothing of the old conversation
    page.settle()
    shown = [message.text for message in page.messages()]
    assert "Who plays Theodore?" not in shown
    new = page.stored()
    assert new["resumeToken"] not in (None, old["resumeToken"])
    page.open(fresh=False)
    assert page.session_id() == new["sessionId"]
    assert [message.text for message in page.messages()] == shown


@pytest.mark.parametrize("text", [
    '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">',
    "[click me](javascript:window.pwned=3) <a href=\"data:text/html,<b>x</b>\">data link</a>",
])
def test_markup_in_a_message_is_shown_as_text(page, text):
    reply = page.ask(text)
    page.settle()
    assert page.messages("user")[-1].text == text
    assert reply.text  # the bot answered, as text
    hostile = page.driver.execute_script(
        "return document.querySelectorAll('.log script, .log img, .log a, .log iframe').length")
    assert hostile == 0
    assert page.driver.execute_script("return window.pwned") is None


def test_it_fits_a_phone_and_works_with_the_keyboard_alone(browser, bot):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(375, 740)
    try:
        page = ChatPage(browser, f"{bot[0]}/chat/").open()
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        assert browser.switch_to.active_element.get_attribute("id") == "message"  # focus starts in the box
        answer = page.ask("what can you do?")
        page.settle()
        suggestion = answer.find_elements(By.CSS_SELECTOR, ".choices button")[0]
        title, bots = suggestion.text, len(page.messages("bot"))
        for _ in range(40):  # Tab until a suggestion has the focus, then press Enter on it
            if browser.switch_to.active_element == suggestion:
                break
            ActionChains(browser).send_keys(Keys.TAB).perform()
        else:
            pytest.fail("the suggestions cannot be reached with Tab")
        ActionChains(browser).send_keys(Keys.ENTER).perform()
        page.wait_for_messages(bots + 1)
        assert page.messages("user")[-1].text == title
        page.settle()
        composer = browser.find_element(By.ID, "composer").rect
        assert composer["y"] + composer["height"] <= 740
    finally:
        browser.set_window_size(1000, 900)


def test_the_page_is_served_with_a_content_security_policy(bot):
    with urllib.request.urlopen(f"{bot[0]}/chat/", timeout=10) as response:
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    for path in ("/chat/../../herbot/settings.py", "/chat/vendor/../../settings.py", "/chat/nothing.js"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{bot[0]}{path}", timeout=10)
        assert refused.value.code == 404, path


def test_head_on_the_page_answers_like_get_without_a_body(bot):
    for path in ("/chat/", "/chat/chat.js"):
        with urllib.request.urlopen(urllib.request.Request(f"{bot[0]}{path}", method="HEAD"), timeout=10) as head, \
                urllib.request.urlopen(f"{bot[0]}{path}", timeout=10) as get:
            assert head.status == 200 and head.read() == b"", path
            assert head.headers["Content-Type"] == get.headers["Content-Type"]
            assert head.headers["Content-Security-Policy"] == get.headers["Content-Security-Policy"]


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is needed to rebuild the vendored assets")
def test_vendored_assets_are_rebuilt_byte_for_byte_from_the_lockfile(tmp_path):
    import subprocess

    web = tmp_path / "web"
    web.mkdir()
    for name in ("package.json", "package-lock.json", "build.mjs"):
        shutil.copy(PROJECT_ROOT / "web" / name, web / name)
    for command in (["npm", "ci", "--no-audit", "--no-fund"], ["npm", "run", "build"]):
        result = subprocess.run(command, cwd=web, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
    committed = PROJECT_ROOT / "herbot" / "rasa" / "web" / "vendor"
    rebuilt = tmp_path / "herbot" / "rasa" / "web" / "vendor"
    assert sorted(p.name for p in rebuilt.iterdir()) == sorted(p.name for p in committed.iterdir())
    for built in rebuilt.iterdir():
        assert built.read_bytes() == (committed / built.name).read_bytes(), built.name


# Every utterance the page queues, and every cancel, in order; the real speechSynthesis still gets them.
RECORD_SPEECH = """
window.spoken = [];
if (window.speechSynthesis) {
  const synth = window.speechSynthesis, speak = synth.speak.bind(synth), cancel = synth.cancel.bind(synth);
  synth.speak = utterance => { window.spoken.push(utterance.text); speak(utterance); };
  synth.cancel = () => { window.spoken.push(null); cancel(); };
}
"""


def spoken(page: ChatPage) -> list[str | None]:
    """What the page asked the browser to say (None: it stopped the voice)."""
    return page.driver.execute_script("return window.spoken")


def words(text: str) -> str:
    return " ".join(text.split())


def test_read_aloud_is_off_until_switched_on_then_reads_each_answer_with_its_quotes(browser, bot):
    from selenium.webdriver.common.by import By

    with on_every_page(browser, RECORD_SPEECH):
        page = ChatPage(browser, f"{bot[0]}/chat/").open()
        toggle = browser.find_element(By.ID, "speak")
        assert toggle.is_displayed() and toggle.get_attribute("aria-pressed") == "false"
        page.ask("Who plays Theodore?")
        page.settle()
        assert not [text for text in spoken(page) if text], "nothing is read while the toggle is off"

        toggle.click()
        assert toggle.get_attribute("aria-pressed") == "true"
        assert browser.execute_script("return localStorage.getItem('herbot.chat.speak')") == "on"
        answer = page.ask("What did the critics think of the acting?")
        page.settle()
        said = [text for text in spoken(page) if text]
        assert len(said) == 1, said
        quotes = answer.find_elements(By.CSS_SELECTOR, ".quote")
        assert quotes, answer.text
        assert said[0].startswith(words(answer.find_element(By.CSS_SELECTOR, ".bubble").text))
        for quote in quotes:  # each quote with its source, without the page's quote marks or dash
            sentence = quote.find_element(By.TAG_NAME, "blockquote").text
            source = quote.find_element(By.TAG_NAME, "figcaption").text.removeprefix("— ")
            assert f"From {source}: {words(sentence)}" in said[0], said[0]
        assert not re.search(r"[<>*_`#“”—]", said[0]), said[0]

        before = len(spoken(page))
        browser.find_element(By.ID, "log").click()  # a click stops the voice
        assert spoken(page)[before:] == [None]
        page.ask("Who directed Her?")  # a new question stops the answer being read before the next is read
        page.settle()
        after = spoken(page)[before + 1:]
        assert after[0] is None and any("Spike Jonze" in text for text in after[1:] if text), after

        page.open(fresh=False)  # remembered across a reload
        assert browser.find_element(By.ID, "speak").get_attribute("aria-pressed") == "true"


def test_without_speech_synthesis_the_speaker_toggle_is_hidden_and_the_chat_works(browser, bot):
    from selenium.webdriver.common.by import By

    with on_every_page(browser, "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;"):
        page = ChatPage(browser, f"{bot[0]}/chat/").open()
        assert browser.execute_script("return 'speechSynthesis' in window") is False
        assert not browser.find_element(By.ID, "speak").is_displayed()
        assert "Phoenix" in page.ask("Who plays Theodore?").text
        page.settle()
        assert not [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_save_conversation_downloads_the_markdown_herbot_transcript_writes(browser, bot, tmp_path):
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    try:
        page = ChatPage(browser, f"{bot[0]}/chat/").open()
        page.ask("What did the critics think of the acting?")
        page.settle()
        page.ask("Who plays Theodore?")
        page.settle()
        browser.find_element(By.ID, "save").click()
        saved = page.wait(lambda _: [path for path in tmp_path.iterdir() if path.suffix == ".md"])
    finally:
        browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "default"})
    assert re.fullmatch(r"herbot-conversation-\d{4}-\d{2}-\d{2}\.md", saved[0].name)
    text = saved[0].read_text(encoding="utf-8")

    # What the tracker store holds of this conversation, as `herbot transcript` writes it, less the
    # greeting's /greet payload (the page never shows it). Rasa stores a turn after sending its replies.
    shown = len(page.messages())
    stored = page.wait(lambda _: (said := [turn for turn in turns(Path(bot[1]) / "tracker.db", page.session_id())
                                           if not (turn["who"] == "user" and turn["text"].startswith("/"))])
                       and len(said) == shown and said)
    assert text == markdown(stored)
    assert "**You:** What did the critics think of the acting?" in text
    assert re.search(r"^> “.+” — .+$", text, re.MULTILINE) and "\nSources: " in text, text


PAGE_WEIGHT_LIMIT = 150_000  # bytes transferred: the chat page and the embed script, everything included


def test_the_chat_page_and_the_embed_script_weigh_under_150_kb(browser, bot):
    browser.execute_cdp_cmd("Network.clearBrowserCache", {})
    page = ChatPage(browser, f"{bot[0]}/chat/").open()
    page.settle()
    # The icon (which Chromium fetches outside the page's timeline) and the embed script, fetched as a site would.
    measured = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        Promise.all(['favicon.svg', 'embed.js'].map(name => fetch(name, {cache: 'no-store'}).then(r => r.text())))
          .then(() => done([...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
            .map(entry => [new URL(entry.name).pathname, entry.transferSize, entry.decodedBodySize])));""")
    weights = {path: (sent, size) for path, sent, size in measured if path.startswith("/chat/")}
    assert set(weights) == {"/chat/", "/chat/chat.css", "/chat/chat.js", "/chat/vendor/socket.io.min.js",
                            "/chat/favicon.svg", "/chat/embed.js"}, weights
    assert all(sent > 0 for sent, _ in weights.values()), weights  # over the network, none from the cache
    total = sum(sent for sent, _ in weights.values())
    print(f"page weight: {total} bytes transferred ({total / 1000:.1f} KB), "
          + ", ".join(f"{path} {sent}" for path, (sent, _) in sorted(weights.items())))
    assert total < PAGE_WEIGHT_LIMIT


def _screenshot_path() -> Path:
    SCREENSHOT.parent.mkdir(exist_ok=True)
    return SCREENSHOT
