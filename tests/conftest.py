"""Shared fixtures: real settings, the real model and a real index built once per run.

Tests never touch the user's own ``var/``: HERBOT_HOME points at a temporary folder
for the whole session, so the index they build is theirs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from herbot.settings import get_settings, set_library_environment
from tests.support.corpora import DATA, MORE_REVIEWS, SEED_REVIEWS
from tests.support.ports import free_ports
from tests.support.serving import BOT_READY, HERBOT, NEW_CONVERSATIONS, SMALL_WINDOW_SECONDS, TRUSTED_PROXY, Serving


def pytest_configure(config):
    """The test session is a process of its own: the libraries' environment, as ``herbot`` sets it for itself."""
    set_library_environment()


@pytest.fixture(scope="session")
def herbot_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("herbot-home")
    os.environ["HERBOT_HOME"] = str(home)
    get_settings.cache_clear()
    return home


@pytest.fixture(scope="session")
def settings(herbot_home):
    return get_settings()


@pytest.fixture(scope="session")
def encoder(settings):
    from knowledge.embedding import open_encoder
    from knowledge.model_export import ensure_exported

    ensure_exported(settings.encoder_dir, settings.embedding_model)
    return open_encoder(settings)


@pytest.fixture(scope="session")
def built_index(settings):
    """The real corpus indexed once into the session's HERBOT_HOME."""
    from knowledge.pipeline import refresh_index

    return refresh_index(settings)


@pytest.fixture(scope="session")
def retriever(built_index, settings):
    from knowledge.retrieval import open_retriever

    return open_retriever(settings)


@pytest.fixture(scope="session")
def knowledge(built_index, settings):
    """The process-wide Knowledge the actions use, over the seed reviews."""
    from knowledge.loaded import get_knowledge

    return get_knowledge(settings)


@pytest.fixture(scope="session")
def knowledge_of(settings, encoder, tmp_path_factory):
    """A Knowledge over other review files (the six-review corpus, one review alone), indexed once each."""
    import shutil
    from dataclasses import replace

    from knowledge.ingest import META_SUFFIX
    from knowledge.loaded import open_knowledge
    from knowledge.pipeline import refresh_index

    made = {}

    def build(*files: Path):
        key = tuple(sorted(str(f) for f in files))
        if key not in made:
            home = tmp_path_factory.mktemp("corpus")
            (home / "reviews").mkdir()
            for path in files:
                shutil.copy(path, home / "reviews" / path.name)
                if (sidecar := path.with_name(path.stem + META_SUFFIX)).is_file():
                    shutil.copy(sidecar, home / "reviews" / sidecar.name)
            own = replace(settings, reviews_dir=home / "reviews", index_dir=home / "index")
            refresh_index(own)
            made[key] = open_knowledge(own)
        return made[key]

    return build


@pytest.fixture(scope="session")
def six_reviews(knowledge_of):
    return knowledge_of(*SEED_REVIEWS, *MORE_REVIEWS)


@pytest.fixture(scope="session")
def dev_set() -> dict:
    return yaml.safe_load((DATA / "retrieval_dev.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def held_out_set() -> dict:
    return yaml.safe_load((DATA / "retrieval_heldout.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def herbot_cli(herbot_home):
    """Run the installed ``herbot`` command in a fresh process with the test HERBOT_HOME."""
    import subprocess

    def run(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(Path(sys.executable).parent / "herbot"), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "HERBOT_HOME": str(herbot_home), **(env or {})},
        )

    return run


BOT = Path(__file__).resolve().parent.parent / "bot"


@pytest.fixture(scope="session")
def domain() -> dict:
    """The real domain as a dict (the action server is sent none: the actions never read it)."""
    from rasa.shared.core.domain import Domain

    return Domain.load(BOT / "domain").as_dict()


@pytest.fixture
def dispatcher():
    from rasa_sdk.executor import CollectingDispatcher

    return CollectingDispatcher()


@pytest.fixture
def tracker_for():
    """Build a real rasa-sdk Tracker for one user message, with entities and slots."""
    from rasa_sdk import Tracker

    def build(text: str, intent: str, entities: dict | None = None, *, events: list | None = None,
              **slots) -> Tracker:
        """``entities`` maps a name to a value, or to a list of values (one entity each)."""
        message = {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "intent_ranking": [{"name": intent, "confidence": 1.0}],
            "entities": [{"entity": name, "value": value} for name, values in (entities or {}).items()
                         for value in (values if isinstance(values, list) else [values])],
        }
        return Tracker("test-user", slots, message, events or [], False, None, {}, "action_listen")

    return build


@pytest.fixture(scope="session")
def bot(herbot_home, built_index):
    """One real `herbot serve` shared by the end-to-end tests, on free ports, stopped with SIGTERM at the end.

    Yields ``(base_url, herbot_home)``.
    """
    port, action_port = free_ports(2)
    env = {**os.environ, "HERBOT_HOME": str(herbot_home), "HERBOT_PORT": str(port),
           "HERBOT_ACTION_PORT": str(action_port)}
    process = subprocess.Popen([str(Path(sys.executable).parent / "herbot"), "serve"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline, seen = time.monotonic() + 900, []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen.append(line)
        if "herbot is ready" in line:
            break
        if not line and process.poll() is not None:
            pytest.fail("herbot serve exited:\n" + "".join(seen[-30:]))
    else:
        process.kill()
        pytest.fail("herbot serve was not ready in time:\n" + "".join(seen[-30:]))
    # keep reading, so that a full pipe never blocks the server while tests run
    threading.Thread(target=lambda: seen.extend(process.stdout), daemon=True).start()
    yield f"http://127.0.0.1:{port}", herbot_home
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


@pytest.fixture(scope="session")
def limited_bot(tmp_path_factory, settings, bot):
    """A Rasa server with small limits behind a trusted proxy (tests/support/serving.py); no action server.

    It reuses the model the shared ``bot`` trained; its own home keeps its conversations apart.
    Yields its port.
    """
    env = {"HERBOT_RATE_LIMIT": f"3/{SMALL_WINDOW_SECONDS} seconds",
           "HERBOT_NEW_CONVERSATIONS_PER_ADDRESS": f"{NEW_CONVERSATIONS}/minute",
           "HERBOT_TRUSTED_PROXIES": TRUSTED_PROXY, "HERBOT_INDEX_DIR": str(settings.index_dir),
           "HERBOT_MODELS_DIR": str(settings.models_dir)}
    server = Serving(tmp_path_factory.mktemp("limited"), *free_ports(2), "--rasa-only", env=env)
    try:
        server.wait_for("herbot is ready", timeout=600)
        threading.Thread(target=lambda: server.output.extend(server.process.stdout), daemon=True).start()
        yield server.port
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=60)
    finally:
        if server.process.poll() is None:
            server.kill()


@pytest.fixture(scope="session")
def trained_model(herbot_home, built_index):
    """The real bot trained once with `herbot train` into the session's HERBOT_HOME."""
    if not BOT_READY:
        pytest.skip("bot/domain.yml (or bot/domain/) does not exist yet")
    started = time.monotonic()
    result = subprocess.run([HERBOT, "train"], capture_output=True, text=True, timeout=3600,
                            env={**os.environ, "HERBOT_HOME": str(herbot_home)})
    assert result.returncode == 0, result.stdout + result.stderr
    model = herbot_home / "models" / "herbot.tar.gz"
    assert model.is_file()
    return model, result.stdout, time.monotonic() - started


@pytest.fixture
def serving(herbot_home):
    """Start `herbot serve` children on free ports (``serving(*args, home=..., env=..., ports=...)``); killed if
    left running."""
    started: list[Serving] = []

    def start(*args: str, home: Path | None = None, env: dict[str, str] | None = None,
              ports: tuple[int, int] | None = None) -> Serving:
        started.append(Serving(home or herbot_home, *(ports or free_ports(2)), *args, env=env))
        return started[-1]

    yield start
    for server in started:
        if server.process.poll() is None:
            server.kill()


@pytest.fixture
def shared_stores():
    """A fresh PostgreSQL and Redis for one test: ``(postgres, redis)`` (tests/support/databases.py)."""
    from tests.support import databases

    if reason := databases.missing():
        pytest.skip(reason)
    postgres = databases.PostgresServer()
    try:
        redis = databases.RedisServer()
    except BaseException:
        postgres.close()
        raise
    yield postgres, redis
    redis.close()
    postgres.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium per test module (tests/support/browser.py)."""
    from tests.support.browser import chromium

    driver = chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()
