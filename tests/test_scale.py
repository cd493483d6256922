"""More than one Rasa server on PostgreSQL and Redis, and a tracker database that goes away.

Real servers only: PostgreSQL and Redis from Debian's packages on free ports of their own
(tests/support/databases.py), `herbot serve --rasa-only` twice and `herbot serve --actions-only`
once, and the histories read back from PostgreSQL with :mod:`herbot.cli.stored_events`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from herbot.cli.client import Conversation
from herbot.rasa.channels.turns import LOST_THOUGHT
from tests.support.histories import history_problems, user_messages
from tests.support.ports import free_ports
from tests.support.serving import HERBOT, health, herbot_env

QUESTIONS = [
    "who plays Theodore?",
    "who directed the film?",
    "what did the critics think of the acting?",
    "who voices Samantha?",
    "what did the reviewers say about the city?",
    "when did it come out?",
]
CONVERSATIONS = 20
READY_SECONDS = 900  # two Rasa servers and an action server loading at once on a small machine


def ask(port: int, text: str, sender: str, timeout: float = 120) -> str:
    conversation = Conversation(f"http://127.0.0.1:{port}", timeout=timeout)
    conversation.sender = sender
    return " ".join(conversation.say(text).texts)


def shared_env(postgres, redis, herbot_home: Path, **extra: str) -> dict[str, str]:
    """Settings every process of the topology shares: the stores, and the session's model and index."""
    return {"HERBOT_TRACKER_URL": postgres.url, "HERBOT_LOCK_URL": redis.url,
            "HERBOT_MODELS_DIR": str(herbot_home / "models"), "HERBOT_INDEX_DIR": str(herbot_home / "index"),
            "HERBOT_ENCODER_DIR": str(herbot_home / "encoder"),
            **extra}


@pytest.mark.slow
def test_two_rasa_servers_share_every_conversation_and_one_can_die(trained_model, shared_stores, serving,
                                                                    herbot_home, tmp_path):
    postgres, redis = shared_stores
    env = shared_env(postgres, redis, herbot_home)
    actions = serving("--actions-only", home=tmp_path / "actions", env=env)
    actions.wait_for("action server is ready", timeout=READY_SECONDS)
    env["HERBOT_ACTION_URL"] = f"http://127.0.0.1:{actions.action_port}/webhook"
    instances = [serving("--rasa-only", home=tmp_path / f"rasa-{n}", env=env) for n in (1, 2)]
    for instance in instances:
        instance.wait_for("herbot is ready", timeout=READY_SECONDS)
    assert "starting action server" not in instances[0].text  # only the Rasa server
    ports = [instance.port for instance in instances]
    senders = [f"scale-{os.getpid()}-{n}" for n in range(CONVERSATIONS)]
    sent: dict[str, list[str]] = {sender: [] for sender in senders}

    def talk(sender: str, turns: list[tuple[int, str]]) -> list[str]:
        replies = []
        for port, text in turns:
            sent[sender].append(text)
            replies.append(ask(port, text, sender))
        return replies

    def phase(plan) -> None:
        with ThreadPoolExecutor(CONVERSATIONS) as pool:
            results = dict(zip(senders, pool.map(lambda sender: talk(sender, plan(sender)), senders), strict=True))
        for sender, replies in results.items():
            assert all(reply and reply != LOST_THOUGHT for reply in replies), (sender, replies)

    # Both servers: each conversation's turns go alternately to one and the other.
    phase(lambda sender: [(ports[(n + senders.index(sender)) % 2], QUESTIONS[(n + senders.index(sender)) % 6])
                          for n in range(4)])
    for port in ports:
        status, counts = health(port)
        assert status == 200 and counts["status"] == "ok", counts

    instances[0].kill()  # the whole first instance, at once
    phase(lambda sender: [(ports[1], QUESTIONS[(n + 4 + senders.index(sender)) % 6]) for n in range(2)])

    problems = {sender: history_problems(sent[sender], user_messages(postgres.url, sender)) for sender in senders}
    assert {sender: found for sender, found in problems.items() if found} == {}
    assert all(len(messages) == 6 for messages in sent.values())
    status, counts = health(ports[1])
    assert status == 200 and counts["unstored_events"] == 0 and counts["failed_saves"] == 0, counts


@pytest.mark.slow
def test_a_lost_tracker_database_is_loud_and_nothing_is_lost(trained_model, shared_stores, serving, herbot_home,
                                                            tmp_path):
    postgres, redis = shared_stores
    server = serving(home=tmp_path / "home", env=shared_env(postgres, redis, herbot_home))
    server.wait_for("herbot is ready", timeout=READY_SECONDS)
    talker, newcomer = f"outage-{os.getpid()}", f"outage-new-{os.getpid()}"
    assert "Phoenix" in ask(server.port, "who plays Theodore?", talker)
    assert health(server.port)[0] == 200

    postgres.stop()
    status, counts = health(server.port)  # noticed before anyone talks
    assert (status, counts["tracker_store"], counts["unstored_events"]) == (503, "unreachable", 0), counts
    during = ["what did the critics say about his performance?", "who voices Samantha?"]
    assert "Phoenix" in ask(server.port, during[0], talker)  # the context ("his") is still there
    assert "Johansson" in ask(server.port, during[1], talker)
    assert "Jonze" in ask(server.port, "who directed the film?", newcomer)  # a conversation begun in the outage
    status, counts = health(server.port)
    assert status == 503 and counts["status"] == "degraded", counts
    assert counts["tracker_store"] == "unreachable" and counts["unstored_conversations"] == 2, counts
    assert counts["unstored_events"] > 0
    log = (tmp_path / "home" / "logs" / "rasa.log").read_text(encoding="utf-8")
    assert "ERROR" in log and "tracker database error" in log
    assert "Falling back to use the 'InMemoryTrackerStore'" not in log  # Rasa's silent fallback never ran
    assert set(counts) == {"status", "tracker_store", "action_server", "unstored_conversations", "unstored_events",
                           "failed_saves", "failed_reads", "recovered_conversations"}  # counts only, no addresses

    postgres.start()
    deadline = time.monotonic() + 60
    while (result := health(server.port))[0] != 200 and time.monotonic() < deadline:
        time.sleep(1)
    assert result[0] == 200 and result[1]["status"] == "ok", result
    assert result[1]["unstored_events"] == 0 and result[1]["recovered_conversations"] == 2

    assert "Johansson" in ask(server.port, "who voices Samantha?", talker)
    sent = ["who plays Theodore?", *during, "who voices Samantha?"]
    assert history_problems(sent, user_messages(postgres.url, talker)) == []
    assert history_problems(["who directed the film?"], user_messages(postgres.url, newcomer)) == []
    server.process.send_signal(signal.SIGTERM)
    assert server.finish(timeout=60) == 0


@pytest.mark.parametrize("down", ["postgresql", "redis"])
def test_serve_refuses_when_the_stores_do_not_answer(tmp_path, down, request):
    nothing = free_ports(1)[0]
    if down == "postgresql":
        urls = {"HERBOT_TRACKER_URL": f"postgresql://herbot:pw@127.0.0.1:{nothing}/herbot",
                "HERBOT_LOCK_URL": f"redis://127.0.0.1:{nothing}/0"}
        expected = f"herbot: PostgreSQL at postgresql://herbot@127.0.0.1:{nothing}/herbot (HERBOT_TRACKER_URL) " \
                   "does not answer: "
    else:
        postgres, _ = request.getfixturevalue("shared_stores")
        urls = {"HERBOT_TRACKER_URL": postgres.url, "HERBOT_LOCK_URL": f"redis://127.0.0.1:{nothing}/0"}
        expected = f"herbot: Redis at redis://127.0.0.1:{nothing}/0 (HERBOT_LOCK_URL) does not answer: "
    home = tmp_path / "home"
    started = time.monotonic()
    result = subprocess.run([HERBOT, "serve"], capture_output=True, text=True, timeout=60,
                            env=herbot_env(home, *free_ports(2), **urls))
    assert result.returncode == 1
    assert time.monotonic() - started < 20
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith(expected), result.stderr
    assert "pw@" not in result.stderr and "s3cret" not in result.stderr  # no password shown
    assert not home.exists(), "nothing may be built or started when a store does not answer"
