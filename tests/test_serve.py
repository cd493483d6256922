"""`herbot train` and `herbot serve` in real processes: real Rasa, real action server, real signals.

The model is trained once into the session's HERBOT_HOME (a few minutes) and shared by
every test here and by any later `herbot serve` in the session.
"""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from herbot.cli.client import Conversation
from herbot.rasa.channels.turns import LOST_THOUGHT
from herbot.settings import BOT_DIR, PROJECT_ROOT
from tests.support.histories import slot_events
from tests.support.ports import free_ports
from tests.support.process_tree import alive, descendants, processes_matching
from tests.support.serving import BOT_READY, HERBOT, Serving, health, herbot_env

pytestmark = pytest.mark.slow

ACTIONS_READY = (PROJECT_ROOT / "actions" / "__init__.py").is_file()
needs_bot = pytest.mark.skipif(
    not (BOT_READY and ACTIONS_READY),
    reason="the Rasa project is incomplete: bot/domain.yml (or bot/domain/) and the actions/ package are needed",
)


@pytest.mark.parametrize("taken", ["rasa", "action"])
def test_a_taken_port_stops_before_starting_anything(tmp_path, taken):
    home = tmp_path / "home"
    port, action_port = free_ports(2)
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", port if taken == "rasa" else action_port))
        occupant.listen()
        started = time.monotonic()
        result = subprocess.run([HERBOT, "serve", "--port", str(port)], capture_output=True, text=True, timeout=60,
                                env=herbot_env(home, port, action_port))
        elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert elapsed < 15, f"took {elapsed:.1f} s"
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    expected = f"herbot: port {port if taken == 'rasa' else action_port} is already in use by pid {os.getpid()} ("
    assert result.stderr.startswith(expected), result.stderr  # the pid to stop: this test holds the port
    assert "is herbot already running?); choose another with " in result.stderr
    assert not home.exists(), "nothing may be built or started when a port is taken"
    assert processes_matching([port, action_port], home) == []


def test_train_trains_then_skips_when_nothing_changed(trained_model, herbot_home):
    _, first_output, _ = trained_model
    assert "Model trained in" in first_output or "up to date" in first_output, first_output
    started = time.monotonic()
    result = subprocess.run([HERBOT, "train"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "HERBOT_HOME": str(herbot_home)})
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert "model up to date" in result.stdout, result.stdout
    assert elapsed < 5, f"an up-to-date check took {elapsed:.1f} s"
    assert not (PROJECT_ROOT / ".rasa").exists() and not (BOT_DIR / ".rasa").exists()


def test_a_half_written_model_is_noticed_and_retrained(trained_model, herbot_home, tmp_path):
    shutil.copytree(herbot_home / "models", tmp_path / "models")
    model = tmp_path / "models" / "herbot.tar.gz"
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    result = subprocess.run([HERBOT, "train"], capture_output=True, text=True, timeout=1800,
                            env={**os.environ, "HERBOT_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is damaged or half-written" in result.stdout
    again = subprocess.run([HERBOT, "train"], capture_output=True, text=True, timeout=600,
                           env={**os.environ, "HERBOT_HOME": str(tmp_path)})
    assert "Rasa model up to date" in again.stdout, again.stdout


def test_training_failure_is_one_line(tmp_path, settings):
    """A broken domain: Rasa's own complaint, condensed to one line, no model, no stamp."""
    from herbot.cli.train import BotSources, TrainingError, train

    bot = tmp_path / "bot"
    (bot / "data").mkdir(parents=True)
    (bot / "config.yml").write_text((BOT_DIR / "config.yml").read_text())
    (bot / "data" / "nlu.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n')
    (bot / "domain.yml").write_text('version: "3.1"\nintents:\n  - greet\nresponses:\n  utter_hi: hello\n')
    home = tmp_path / "home"
    with pytest.raises(TrainingError) as failure, open(os.devnull, "w") as quiet:
        train(replace(settings, home=home, models_dir=home / "models"), sources=BotSources.at(bot), out=quiet)
    message = str(failure.value)
    assert "\n" not in message
    assert "training failed" in message and "domain.yml" in message and "is not a list" in message
    assert not (home / "models" / "herbot.tar.gz").exists()


@needs_bot
def test_serve_answers_then_stops_cleanly_on_sigterm(trained_model, serving, settings):
    server = serving()
    server.wait_for("herbot is ready", timeout=600)
    ready = server.output[-1].strip()
    base = f"http://127.0.0.1:{server.port}"
    assert ready == (
        f"herbot is ready: open {base}/chat/ in your browser (REST: POST {base}/webhooks/rest/webhook). "
        "Press Ctrl-C to stop."
    )
    assert "starting action server" in server.text and "loading the model" in server.text
    children = descendants(server.process.pid)
    assert len(children) >= 2

    for message in ("hello", "who voices Samantha?"):  # the second calls the action server
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.port}/webhooks/rest/webhook",
            data=json.dumps({"sender": "t1", "message": message}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200
            messages = json.loads(response.read())
        assert isinstance(messages, list) and messages and all("recipient_id" in m for m in messages), messages
    rasa_log = server.home / "logs" / "rasa.log"
    assert rasa_log.stat().st_size > 0

    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    assert server.finish(timeout=30) == 0, server.text
    # Installed as the Rasa server started (herbot/rasa/channels/server_hooks.py), unless told not to;
    # the connections they keep to the action server closed as it stopped.
    log = rasa_log.read_text(encoding="utf-8", errors="replace")
    if settings.rasa_speedups:
        assert "herbot's speed-ups of Rasa 3.6.21 installed" in log and "closed the 1 kept session(s)" in log, log
    else:
        assert "HERBOT_RASA_SPEEDUPS=0: Rasa runs as shipped" in log and "kept session" not in log, log
    assert time.monotonic() - started < 30
    assert "herbot stopped." in server.text
    assert server.leftovers(children) == []
    assert settings.tracker_db.is_file(), (
        "the conversation did not go to HERBOT_TRACKER_DB: Rasa substitutes ${VAR} only in unquoted YAML values"
    )


@needs_bot
def test_ctrl_c_while_loading_stops_everything(trained_model, serving):
    server = serving()
    server.wait_for("loading the model", timeout=300)
    deadline = time.monotonic() + 10
    while len(children := descendants(server.process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # the line comes just before the Rasa server is spawned
    assert len(children) >= 2
    server.process.send_signal(signal.SIGINT)
    assert server.finish(timeout=30) == 0, server.text
    assert "herbot stopped." in server.text
    assert server.leftovers(children) == []


def ask(port: int, text: str, sender: str, timeout: float = 60) -> str:
    """What herbot's REST channel answers, through the same client as ``herbot ask``."""
    conversation = Conversation(f"http://127.0.0.1:{port}", timeout=timeout)
    conversation.sender = sender  # the same conversation across calls (and restarts)
    return " ".join(conversation.say(text).texts)


def child(server: Serving, marker: str) -> int:
    return next(pid for pid in descendants(server.process.pid)
                if marker in Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " "))


@needs_bot
def test_a_killed_action_server_is_restarted_and_meanwhile_the_user_is_told(trained_model, serving):
    server = serving()
    server.wait_for("herbot is ready", timeout=600)
    status, counts = health(server.port)
    assert (status, counts["status"], counts["action_server"]) == (200, "ok", "reachable"), counts
    os.kill(child(server, "rasa_sdk"), signal.SIGKILL)

    started = time.monotonic()
    reply = ask(server.port, "who plays Theodore?", "fault-1", timeout=5)
    assert time.monotonic() - started < 5
    assert reply == LOST_THOUGHT  # not silence, not []
    status, counts = health(server.port)  # a monitor sees it too
    assert (status, counts["status"], counts["action_server"]) == (503, "degraded", "unreachable"), counts
    assert counts["tracker_store"] == "reachable"

    server.wait_for("the action server is back", timeout=120)
    assert "the action server stopped (killed by SIGKILL); restarting it" in server.text
    assert "Phoenix" in ask(server.port, "who plays Theodore?", "fault-1")
    assert health(server.port)[0] == 200


def _gone_within(pids: set[int], seconds: float) -> float:
    """How long until none of ``pids`` is alive (fails after ``seconds``; the survivors are killed then)."""
    started = time.monotonic()
    while (living := {pid for pid in pids if alive(pid)}) and time.monotonic() - started < seconds:
        time.sleep(0.05)
    for pid in living:
        os.kill(pid, signal.SIGKILL)
    assert not living, [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in living if alive(pid)]
    return time.monotonic() - started


@needs_bot
def test_a_killed_supervisor_takes_its_servers_along_and_the_next_serve_starts(trained_model, serving):
    first = serving()
    first.wait_for("herbot is ready", timeout=600)
    children = descendants(first.process.pid)
    assert len(children) >= 3  # the warden, the action server and the Rasa server
    first.process.kill()  # SIGKILL: no handler of herbot's runs
    first.process.wait()
    took = _gone_within(children, 5)
    print(f"the last child of a SIGKILLed herbot serve was gone {took:.2f} s after it")
    assert processes_matching([first.port, first.action_port]) == []

    second = serving(ports=(first.port, first.action_port))
    second.wait_for("herbot is ready", timeout=600)
    assert "Phoenix" in ask(second.port, "who plays Theodore?", f"after-kill-{os.getpid()}")
    second.process.send_signal(signal.SIGTERM)
    assert second.finish(timeout=60) == 0


@needs_bot
def test_servers_a_killed_supervisor_and_warden_left_are_stopped_by_the_next_serve(trained_model, serving):
    first = serving()
    first.wait_for("herbot is ready", timeout=600)
    warden = child(first, "herbot.cli.processes")
    servers = descendants(first.process.pid) - {warden}
    os.kill(warden, signal.SIGKILL)  # as if both had been killed at once (the OOM killer, kill -9 -1)
    first.process.kill()
    first.process.wait()
    time.sleep(1)
    assert all(alive(pid) for pid in servers)  # orphans now, holding the ports

    second = serving(ports=(first.port, first.action_port))
    try:
        second.wait_for("herbot is ready", timeout=600)
    finally:
        _gone_within(servers, 1 if second.process.poll() is None else 0)
    assert "processes a killed herbot serve had left running" in second.text, second.text
    second.process.send_signal(signal.SIGTERM)
    assert second.finish(timeout=60) == 0


@needs_bot
@pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning")  # the child only execs herbot
def test_closing_the_terminal_stops_everything_cleanly(trained_model, herbot_home):
    """`make run` in a terminal that is closed: SIGHUP to herbot, whose output can no longer be written."""
    port, action_port = free_ports(2)
    pid, terminal = pty.fork()
    if pid == 0:  # the child: herbot serve as the session leader on its own terminal
        # as a shell in a new terminal starts it: hang-ups not ignored, even if the tests run under nohup
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        os.execve(HERBOT, [HERBOT, "serve"], herbot_env(herbot_home, port, action_port))
    output, deadline = b"", time.monotonic() + 600
    try:
        while b"herbot is ready" not in output and time.monotonic() < deadline:
            if select.select([terminal], [], [], 1)[0]:
                output += os.read(terminal, 65536)
        assert b"herbot is ready" in output, output.decode(errors="replace")
        children = descendants(pid)
    finally:
        os.close(terminal)  # the terminal goes away: the kernel hangs up its session leader
    started = time.monotonic()
    while (ended := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() - started < 30:
        time.sleep(0.1)
    assert ended[0] == pid, "herbot serve was still running 30 s after its terminal closed"
    assert os.waitstatus_to_exitcode(ended[1]) == 0
    _gone_within(children, 5)
    assert processes_matching([port, action_port]) == []


@needs_bot
def test_a_conversation_its_slots_and_ratings_survive_a_restart(trained_model, serving, herbot_home):
    first = serving()
    first.wait_for("herbot is ready", timeout=600)
    sender = f"restart-{os.getpid()}"
    assert "Phoenix" in ask(first.port, "who plays Theodore?", sender)
    ask(first.port, "thumbs up", sender)  # rates that answer (declining spoilers leaves nothing to rate)
    assert "spoil" in ask(first.port, "how does the film end?", sender).lower()  # asks for consent
    ask(first.port, "no spoilers please", sender)
    first.process.send_signal(signal.SIGTERM)
    assert first.finish(timeout=60) == 0

    second = serving()
    second.wait_for("herbot is ready", timeout=600)
    # "his" is still Theodore's actor, and the "no spoilers" answer still holds.
    assert "Phoenix" in ask(second.port, "what did the critics say about his performance?", sender)
    ending = ask(second.port, "how does the film end?", sender)
    assert "Do you mind spoilers" not in ending
    slots = {event["name"]: event["value"] for event in slot_events(herbot_home / "tracker.db", sender)}
    assert slots["spoiler_consent"] is False
    assert slots["ratings"][-1]["rating"] == "up"


@needs_bot
def test_a_dead_rasa_server_is_reported_and_the_rest_stopped(trained_model, serving):
    server = serving()
    server.wait_for("herbot is ready", timeout=600)
    children = descendants(server.process.pid)
    os.kill(child(server, "rasa run"), signal.SIGKILL)
    assert server.finish(timeout=30) == 1, server.text
    assert "herbot: the Rasa server stopped unexpectedly (killed by SIGKILL)" in server.text
    assert "last lines of" in server.text and "rasa.log" in server.text
    assert server.leftovers(children) == []


def test_a_changed_sentence_model_means_training_again(trained_model, settings, tmp_path):
    """The intent classifier's weights were fitted on the exported model's vectors: another model, another fit."""
    from herbot.cli.train import BotSources, model_problem

    assert model_problem(settings, BotSources.at()) is None
    folder = tmp_path / "encoder"
    shutil.copytree(settings.encoder_dir, folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["source_sha256"] = "0" * 64  # as if the model package had been upgraded
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    problem = model_problem(replace(settings, encoder_dir=folder), BotSources.at())
    assert problem == "the sentence model changed since the last training"


@needs_bot
def test_a_restart_that_cannot_load_the_index_never_stops_the_rasa_server(trained_model, serving, herbot_home,
                                                                         settings, tmp_path):
    """A damaged BM25 file the refresh cannot repair: the restarted action server fails its warm-up, the Rasa
    server keeps serving, and once `herbot index` has rebuilt the index the next restart answers again."""
    index_dir = tmp_path / "index"
    shutil.copytree(herbot_home / "index", index_dir)
    env = {"HERBOT_INDEX_DIR": str(index_dir), "HERBOT_MODELS_DIR": str(herbot_home / "models"),
           "HERBOT_ENCODER_DIR": str(settings.encoder_dir)}
    server = serving(home=tmp_path / "home", env=env)
    server.wait_for("herbot is ready", timeout=600)
    vocabulary = index_dir / "vocab.json"  # BM25's vocabulary
    vocabulary.write_bytes(vocabulary.read_bytes()[: vocabulary.stat().st_size // 2])
    blocker = index_dir.with_name("index.building")
    blocker.write_text("a file where a rebuild needs a folder\n")  # the refresh fails
    os.kill(child(server, "rasa_sdk"), signal.SIGKILL)

    server.wait_for("the Rasa server keeps serving", timeout=300)
    assert "the review index could not be refreshed" in server.text
    assert "failed its first action" in server.text
    time.sleep(2)
    assert server.process.poll() is None, server.text
    assert ask(server.port, "who plays Theodore?", f"no-index-{os.getpid()}", timeout=60)  # the Rasa server answers

    blocker.unlink()
    repaired = subprocess.run([HERBOT, "index"], capture_output=True, text=True, timeout=300,
                              env=herbot_env(tmp_path / "home", server.port, server.action_port, **env))
    assert "vocab.json: corrupt (checksum mismatch)" in repaired.stdout, repaired.stdout + repaired.stderr
    os.kill(child(server, "rasa_sdk"), signal.SIGKILL)
    server.wait_for("the action server is back", timeout=300)
    assert "Phoenix" in ask(server.port, "who plays Theodore?", f"no-index-{os.getpid()}")
    server.process.send_signal(signal.SIGTERM)
    assert server.finish(timeout=60) == 0
