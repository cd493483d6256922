"""Origins the browser may use: exact ones only, the bot's own page by default."""

from dataclasses import replace

import pytest

from herbot.settings import origins


def test_the_own_page_is_allowed_under_both_loopback_names(settings):
    local = replace(settings, host="127.0.0.1", port=5123, cors=())
    assert local.allowed_origins == ["http://127.0.0.1:5123", "http://localhost:5123"]
    assert local.chat_url == "http://127.0.0.1:5123/chat/"


def test_extra_origins_are_added_exactly(settings):
    public = replace(settings, host="chat.example.org", port=443, cors=origins(["https://example.org/ "]))
    assert public.allowed_origins == ["http://chat.example.org:443", "https://example.org"]


@pytest.mark.parametrize("bad", ["*", "https://*.example.org", "example.org", "https://example.org/chat",
                                 "javascript:alert(1)", "https://example.org.*"])
def test_wildcards_patterns_and_paths_are_refused(bad):
    with pytest.raises(SystemExit, match="not an exact origin"):
        origins([bad])


def test_serve_refuses_a_wildcard_origin_in_one_line(herbot_cli):
    result = herbot_cli("serve", "--cors", "*", timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == "herbot: --cors '*' is not an exact origin like http://example.org:8080"
