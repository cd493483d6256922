"""The chat page checked by axe-core in real Chromium, with a real conversation on it."""

from __future__ import annotations

import pytest
from browser import ChatPage, node_package_file

pytestmark = pytest.mark.slow


def test_axe_finds_no_serious_or_critical_violations_on_a_real_conversation(browser, bot):
    page = ChatPage(browser, f"{bot[0]}/chat/").open()
    page.ask("What did the critics think of the acting?")
    page.settle()
    page.ask("how does it end?")
    page.settle()
    page.ask("yes, tell me")  # consent: the answer comes with its spoiler warning
    page.settle()
    shown = browser.execute_script(
        "return ['.quote', '.badge', '.choices button'].map(s => document.querySelectorAll(s).length)")
    assert all(shown), f"quotes, spoiler badge, suggestions on the page: {shown}"
    browser.execute_script(node_package_file("axe-core/axe.min.js").read_text())
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations.map(v => [v.id, v.impact,"
        " v.nodes.map(n => n.target.join(' ') + ': ' + (n.any[0] && n.any[0].message))])));")
    print(f"axe violations (all impacts): {len(violations)} {violations}")
    assert not [v for v in violations if v[1] in ("serious", "critical")], violations
