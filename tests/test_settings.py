"""Origins the browser may use: exact ones only, the bot's own page by default."""

from dataclasses import replace

import pytest
import yaml

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


@pytest.fixture
def environment(monkeypatch, herbot_home):
    """Settings read afresh from a changed environment (and again afterwards)."""
    from herbot.settings import get_settings

    def read(**variables: str):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        return get_settings()

    yield read
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.parametrize(("variables", "message"), [
    ({"HERBOT_TRACKER_URL": "mysql://h/db", "HERBOT_LOCK_URL": "redis://h/0"},
     "HERBOT_TRACKER_URL is not a URL like postgresql://user:password@127.0.0.1:5432/herbot"),
    ({"HERBOT_TRACKER_URL": "postgresql://h:5432/", "HERBOT_LOCK_URL": "redis://h/0"}, "HERBOT_TRACKER_URL is not"),
    ({"HERBOT_TRACKER_URL": "postgresql://h/db"}, "set HERBOT_TRACKER_URL and HERBOT_LOCK_URL together"),
    ({"HERBOT_TRACKER_URL": "postgresql://h/db", "HERBOT_LOCK_URL": "redis://h/x"}, "a Redis database number"),
    ({"HERBOT_ACTION_URL": "actions:5055"}, "HERBOT_ACTION_URL='actions:5055' is not a URL"),
])
def test_store_urls_are_checked_in_one_line(environment, variables, message):
    with pytest.raises(SystemExit, match=message) as refusal:
        environment(**variables)
    assert "\n" not in str(refusal.value)


def test_endpoints_default_to_the_sqlite_file_and_one_process(environment):
    from herbot.cli.endpoints import TRACKER_STORE, endpoints

    settings = environment()
    config = endpoints(settings)
    assert config["tracker_store"] == {"type": TRACKER_STORE, "dialect": "sqlite", "db": str(settings.tracker_db),
                                       "sole_writer": True}
    assert "lock_store" not in config  # Rasa's in-memory lock store
    assert config["action_endpoint"]["url"] == f"http://127.0.0.1:{settings.action_port}/webhook"
    assert config["action_endpoint"]["enable_selective_domain"] is True  # the actions never read it


def test_endpoints_on_postgresql_and_redis_keep_passwords_out_of_the_file(environment, tmp_path):
    from herbot.cli.endpoints import secrets, write_endpoints

    settings = environment(HERBOT_TRACKER_URL="postgresql://bot:p%40ss@db.internal:6543/chats",
                           HERBOT_LOCK_URL="redis://:r3d@cache:6380/2", HERBOT_ACTION_URL="http://actions:5055/webhook")
    written = write_endpoints(settings, tmp_path / "endpoints.yml")
    text = written.read_text()
    assert "p@ss" not in text and "r3d" not in text and written.stat().st_mode & 0o077 == 0
    config = yaml.safe_load(text)
    store, lock = config["tracker_store"], config["lock_store"]
    assert (store["dialect"], store["url"], store["port"], store["db"], store["username"]) == (
        "postgresql", "db.internal", 6543, "chats", "bot")
    assert "  password: ${HERBOT_TRACKER_PASSWORD}\n" in text  # unquoted: Rasa substitutes only those
    assert (lock["type"], lock["url"], lock["port"], lock["db"]) == ("redis", "cache", 6380, 2)
    assert config["action_endpoint"]["url"] == "http://actions:5055/webhook"
    assert secrets(settings) == {"HERBOT_TRACKER_PASSWORD": "p@ss", "HERBOT_LOCK_PASSWORD": "r3d"}
    assert "p@ss" not in repr(settings.tracker_url)


def test_trusted_proxies_are_addresses_in_one_spelling(environment):
    settings = environment(HERBOT_TRUSTED_PROXIES="10.0.0.2, ::ffff:127.0.0.1,[::1]")
    assert settings.trusted_proxies == ("10.0.0.2", "127.0.0.1", "::1")
    assert environment(HERBOT_TRUSTED_PROXIES="").trusted_proxies == ()
    with pytest.raises(SystemExit, match="HERBOT_TRUSTED_PROXIES: 'nginx' does not appear to be an IPv4 or IPv6"):
        environment(HERBOT_TRUSTED_PROXIES="10.0.0.2,nginx")


def test_the_new_conversation_limit_is_a_rate(environment):
    assert environment(HERBOT_NEW_CONVERSATIONS_PER_ADDRESS="5/minute").new_conversations_per_address == "5/minute"
    with pytest.raises(SystemExit, match="HERBOT_NEW_CONVERSATIONS_PER_ADDRESS='many' is not a rate"):
        environment(HERBOT_NEW_CONVERSATIONS_PER_ADDRESS="many")


def test_every_variable_settings_reads_is_in_the_readme_table():
    """The README's Configuration table is the list users read: a variable missing from it does not exist for them."""
    import re

    from herbot.settings import PROJECT_ROOT

    read = set(re.findall(r'"(HERBOT_[A-Z_]+)"', (PROJECT_ROOT / "herbot" / "settings.py").read_text()))
    listed = set(re.findall(r"^\| `(HERBOT_[A-Z_]+)` \|", (PROJECT_ROOT / "README.md").read_text(), re.MULTILINE))
    assert "HERBOT_RASA_SPEEDUPS" in read
    assert read - listed == set()
