"""The chat page's accessibility in real Chromium, with a real conversation on it: axe-core, the
accessible name of every button, visible keyboard focus that reaches every control, and motion
that stops for people who asked their system for less of it."""

from __future__ import annotations

import pytest

from tests.support.browser import ChatPage, node_package_file

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def conversation(browser, bot) -> ChatPage:
    """The page with an answer with quotes, a spoiler warning and suggestions on it."""
    page = ChatPage(browser, f"{bot[0]}/chat/").open()
    page.ask("What did the critics think of the acting?")
    page.settle()
    page.ask("how does it end?")
    page.settle()
    page.ask("yes, tell me")  # consent: the answer comes with its spoiler warning
    page.settle()
    return page


def test_axe_finds_no_serious_or_critical_violations_on_a_real_conversation(browser, conversation):
    shown = browser.execute_script(
        "return ['.quote', '.badge', '.choices button', '.rating button', '#speak', '#save']"
        ".map(s => [...document.querySelectorAll(s)].filter(e => e.checkVisibility()).length)")
    assert all(shown), f"quotes, spoiler badge, suggestions, thumbs, speaker and save on the page: {shown}"
    browser.execute_script(node_package_file("axe-core/axe.min.js").read_text())
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations.map(v => [v.id, v.impact,"
        " v.nodes.map(n => n.target.join(' ') + ': ' + (n.any[0] && n.any[0].message))])));")
    print(f"axe violations (all impacts): {len(violations)} {violations}")
    assert not [v for v in violations if v[1] in ("serious", "critical")], violations


def test_every_button_has_an_accessible_name(browser, conversation):
    """As Chromium's accessibility tree gives them to a screen reader."""
    tree = browser.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
    buttons = [node for node in tree if not node.get("ignored") and node.get("role", {}).get("value") == "button"]
    names = [node.get("name", {}).get("value", "").strip() for node in buttons]
    assert len(buttons) >= 8 and all(names), names
    assert {"Read answers aloud", "Save conversation", "New chat", "Send", "Helpful answer",
            "Unhelpful answer"} <= set(names), names


def test_tab_reaches_every_control_with_a_visible_focus(browser, conversation):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.execute_script("document.getElementById('message').focus()")
    reached = []
    for _ in range(80):  # round the page once, from the message box back to it
        ActionChains(browser).send_keys(Keys.TAB).perform()
        focused = browser.execute_script(
            "const el = document.activeElement, style = getComputedStyle(el);"
            "return [el.id || el.parentElement.className || el.tagName, el.matches(':focus-visible'),"
            " style.outlineStyle, parseFloat(style.outlineWidth)]")
        reached.append(focused[0])
        if focused[0] == "BODY":  # past the last control: the browser's own toolbar, then the page again
            continue
        assert focused[1:] == [True, "solid", 3.0], focused  # the focus ring, on keyboard focus
        if focused[0] == "message":
            break
    else:
        pytest.fail(f"Tab never came back to the message box: {reached}")
    assert {"send", "speak", "save", "restart", "rating", "choices"} <= set(reached), reached


def test_motion_stops_when_the_system_asks_for_less(browser, conversation):
    def typing_dot_animation() -> list:
        return browser.execute_script("const s = getComputedStyle(document.querySelector('.typing .dot'));"
                                      "return [s.animationName, parseFloat(s.animationDuration)]")

    assert typing_dot_animation() == ["blink", 1.2]
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]})
    try:
        assert browser.execute_script("return matchMedia('(prefers-reduced-motion: reduce)').matches")
        name, duration = typing_dot_animation()
        assert name == "none" or duration == 0, (name, duration)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
