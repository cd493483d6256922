"""The bots the speed benchmark compares: herbot (also on Rasa as shipped) and a bare ``rasa init`` bot.

Everything generated lives under ``$HERBOT_HOME/bench/`` and is never committed:

- ``bare/project``: the ``rasa init`` project, made once (``rasa init`` also trains it; that
  first model is thrown away, the benchmark trains its own); ``bare/models`` its model.
- ``herbot-train``: where herbot's training is timed, so the user's own model is never replaced.
- ``herbot``: ``HERBOT_HOME`` of the ``herbot serve`` under test (its logs and a fresh tracker
  database each start), reading the user's index and model, which must be current.
- ``herbot-speedups-off``: the same for a second Rasa server of herbot's on Rasa as shipped
  (``HERBOT_RASA_SPEEDUPS=0``), which calls the first one's action server.

Both bots are trained by :func:`herbot.cli.train.train` (forced: every component, no cache) and
started as their users start them: ``herbot serve``, and ``rasa run`` with the REST channel.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from herbot.cli import processes
from herbot.cli.client import BotError, BotUnreachable, Conversation
from herbot.cli.train import BotSources, model_path, rasa_env, train
from herbot.settings import PROJECT_ROOT, Settings
from tests.support.ports import free_ports

START_TIMEOUT_SECONDS = 600.0  # a cold start on a busy 2-core machine can take minutes
POLL_SECONDS = 0.25
STOP_GRACE_SECONDS = 30.0  # herbot serve itself gives its children 10 s before killing them
READY_TIMEOUT_SECONDS = 1200.0  # a first start may build the index and train the model on a busy machine


HERBOT = str(Path(sys.executable).parent / "herbot")


class BenchError(Exception):
    """A bot could not be built or started; the message says which and where its log is."""


@dataclass(frozen=True)
class Places:
    """Where the benchmark keeps what it generates, under ``$HERBOT_HOME/bench``."""

    root: Path

    @classmethod
    def of(cls, settings: Settings) -> Places:
        return cls(settings.home / "bench")

    @property
    def bare(self) -> Path:
        return self.root / "bare"

    @property
    def bare_project(self) -> Path:
        return self.bare / "project"

    @property
    def herbot_home(self) -> Path:
        return self.root / "herbot"

    @property
    def herbot_train(self) -> Path:
        return self.root / "herbot-train"

    @property
    def herbot_stock_home(self) -> Path:
        """``HERBOT_HOME`` of the Rasa server that runs herbot's bot on Rasa as shipped (``HERBOT_RASA_SPEEDUPS=0``)."""
        return self.root / "herbot-speedups-off"


def bare_settings(settings: Settings, places: Places) -> Settings:
    """Settings whose home and models folder are the bare bot's, for :func:`train` and :func:`rasa_env`."""
    return replace(settings, home=places.bare, models_dir=places.bare / "models")


def ensure_bare_project(settings: Settings, places: Places, out) -> bool:
    """Make the ``rasa init`` project unless it is there; True when it was made now.

    It is made in a scratch folder and renamed into place, so an interrupted ``rasa init``
    never leaves a half project that later runs would take as built.
    """
    project = places.bare_project
    if all((project / name).exists() for name in ("domain.yml", "config.yml", "data")):
        return False
    places.bare.mkdir(parents=True, exist_ok=True)
    scratch = places.bare / "project.partial"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    log = places.bare / "logs" / "init.log"
    print(f"Making the bare bot: rasa init --no-prompt (it trains a first model too; log: {log})", file=out, flush=True)
    argv = [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(scratch)]
    started = time.monotonic()
    status = run_logged(argv, rasa_env(bare_settings(settings, places)), scratch, log)
    if status != 0:
        raise BenchError(f"rasa init failed (exit status {status}); its log is {log}")
    shutil.rmtree(scratch / "models", ignore_errors=True)  # the benchmark trains and times its own model
    shutil.rmtree(project, ignore_errors=True)
    scratch.rename(project)
    print(f"Bare bot made in {time.monotonic() - started:.0f} s: {project}", file=out, flush=True)
    return True


def run_logged(argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> int:
    """Run a child to the end with its output in ``log``; a Ctrl-C stops its whole group."""
    log.parent.mkdir(parents=True, exist_ok=True)
    process = None
    with log.open("w", encoding="utf-8") as output:
        try:
            with processes.signals_held():
                process = processes.spawn(argv, env=env, cwd=cwd, output=output)
            return process.wait()
        finally:
            if process is not None:
                processes.stop(process, grace=5)


def train_bare(settings: Settings, places: Places, *, force: bool, out) -> float | None:
    """Train the bare bot (forced: timed; else only if its model is missing or stale); seconds, or None."""
    result = train(bare_settings(settings, places), force=force, sources=BotSources.at(places.bare_project), out=out)
    return result.seconds if result.trained else None


def train_herbot_timed(settings: Settings, places: Places, out) -> float:
    """A full, forced training of herbot's own bot, in the benchmark's folder (the user's model stays)."""
    timed = replace(settings, home=places.herbot_train, models_dir=places.herbot_train / "models")
    return train(timed, force=True, out=out).seconds


def bare_model(settings: Settings, places: Places) -> Path:
    return model_path(bare_settings(settings, places))


@dataclass
class Running:
    """A started bot: its process, when it was started, its output lines with their times."""

    name: str
    url: str
    process: subprocess.Popen
    started: float  # time.monotonic() just before the spawn
    log: Path
    lines: list[tuple[float, str]] = field(default_factory=list)

    def seconds_to(self, text: str) -> float | None:
        """Seconds from the start until the first output line containing ``text`` (None if never seen)."""
        return next((at - self.started for at, line in list(self.lines) if text in line), None)

    def failure(self, what: str) -> BenchError:
        tail = "\n".join(processes.tail(self.log, 15))
        return BenchError(f"the {self.name} bot {what}; its log is {self.log}\n{tail}")


def _spawn(name: str, url: str, argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> Running:
    """Start a server in its own process group, its output copied line by line, with times, to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    cwd.mkdir(parents=True, exist_ok=True)
    with processes.signals_held():
        started = time.monotonic()
        process = processes.spawn(argv, env=env, cwd=cwd, output=subprocess.PIPE)
        running = Running(name, url, process, started, log)
    threading.Thread(target=_copy_output, args=(running,), name=f"{name}-output", daemon=True).start()
    return running


def _copy_output(running: Running) -> None:
    """Keep reading the server's output (a full pipe would block it), stamping each line."""
    with running.log.open("w", encoding="utf-8") as log:
        for raw in iter(running.process.stdout.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            running.lines.append((time.monotonic(), line))
            log.write(line + "\n")
            log.flush()


def start_bare(settings: Settings, places: Places, port: int) -> Running:
    """``rasa run`` on the bare model with the REST channel only, on loopback (no action server needed)."""
    credentials = places.bare / "credentials.yml"
    credentials.write_text("rest:\n", encoding="utf-8")
    argv = [
        sys.executable, "-m", "rasa", "run",
        "--model", str(bare_model(settings, places)),
        "--credentials", str(credentials),
        "--endpoints", str(places.bare_project / "endpoints.yml"),
        "-i", "127.0.0.1", "-p", str(port),
    ]
    env = rasa_env(bare_settings(settings, places))
    return _spawn("bare", f"http://127.0.0.1:{port}", argv, env, places.bare_project, places.bare / "logs" / "rasa.log")


def start_herbot(settings: Settings, places: Places, port: int, action_port: int) -> Running:
    """``herbot serve`` as a user runs it, on the given ports, with a fresh conversation database.

    Its ``HERBOT_HOME`` is the benchmark's (logs, tracker), the index and model are the user's.
    """
    home = places.herbot_home
    env = serve_env(settings, home, port, action_port)
    return _spawn("herbot", f"http://127.0.0.1:{port}", [HERBOT, "serve"], env, home, home / "serve.log")


SPEEDUPS_OFF = "herbot, speed-ups off"


def start_herbot_speedups_off(settings: Settings, places: Places, port: int, action_port: int) -> Running:
    """A second Rasa server of herbot's (``herbot serve --rasa-only``) on Rasa as shipped, calling the action
    server of the herbot on ``action_port``: the speed-ups are the only difference (they are the Rasa server's)."""
    home = places.herbot_stock_home
    env = {**serve_env(settings, home, port, action_port), "HERBOT_RASA_SPEEDUPS": "0",
           "HERBOT_ACTION_URL": f"http://127.0.0.1:{action_port}/webhook"}
    return _spawn(SPEEDUPS_OFF, f"http://127.0.0.1:{port}", [HERBOT, "serve", "--rasa-only"], env, home,
                  home / "serve.log")


def serve_env(settings: Settings, home: Path, port: int, action_port: int) -> dict[str, str]:
    """The environment of a ``herbot serve`` a benchmark starts: logs and a fresh tracker database
    under ``home``, the user's own reviews, index, exported encoder and model, loopback, the given ports."""
    home.mkdir(parents=True, exist_ok=True)
    tracker = home / "tracker.db"
    for path in (tracker, home / "tracker.db-wal", home / "tracker.db-shm"):  # SQLite's write-ahead log too
        path.unlink(missing_ok=True)
    env = {
        **rasa_env(settings),
        "HERBOT_HOME": str(home),
        "HERBOT_REVIEWS_DIR": str(settings.reviews_dir),
        "HERBOT_INDEX_DIR": str(settings.index_dir),
        "HERBOT_ENCODER_DIR": str(settings.encoder_dir),
        "HERBOT_MODELS_DIR": str(settings.models_dir),
        "HERBOT_TRACKER_DB": str(tracker),
        "HERBOT_HOST": "127.0.0.1",
        "HERBOT_PORT": str(port),
        "HERBOT_ACTION_PORT": str(action_port),
        # this checkout's code, not the one the venv was installed from (a second worktree scored with a shared venv
        # otherwise serves the first one's working tree)
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("RASA_CACHE_DIRECTORY")  # serve sets its own, under its HERBOT_HOME
    return env


def first_answer(bot: Running, message: str, expect: str, timeout: float = START_TIMEOUT_SECONDS) -> float:
    """Seconds from the bot's start until ``message`` gets a reply containing ``expect``.

    Polls with a fresh conversation each time: refused connections, HTTP errors and
    replies without ``expect`` (a model or action server still loading) all mean "not yet".
    """
    while True:
        if bot.process.poll() is not None:
            raise bot.failure(f"exited while starting (status {bot.process.returncode})")
        try:
            reply = Conversation(bot.url, channel=f"bench-start-{bot.name}", timeout=timeout).say(message)
            if expect in " ".join(reply.texts):
                return time.monotonic() - bot.started
        except (BotUnreachable, BotError):
            pass
        if time.monotonic() - bot.started > timeout:
            raise bot.failure(f"did not answer {message!r} within {timeout:.0f} s")
        time.sleep(POLL_SECONDS)


def stop(*bots: Running) -> None:
    """SIGTERM every bot's process group together, then SIGKILL what is left after the grace period."""
    processes.stop(*(bot.process for bot in bots), grace=STOP_GRACE_SECONDS)


@dataclass(frozen=True)
class Served:
    """A ``herbot serve`` started by :func:`own_herbot`: where it answers and where it stores conversations."""

    url: str
    tracker_db: Path
    process: subprocess.Popen


@contextmanager
def own_herbot(settings: Settings, home: Path, env: dict[str, str] | None = None) -> Iterator[Served]:
    """``herbot serve`` on free ports until the block ends, with ``home`` as its ``HERBOT_HOME``.

    The logs stay in ``home`` after the run (to see why a reply failed), the tracker database
    is a fresh one each start, and the index and the model are the user's own; ``env`` adds
    or overrides settings. It runs in its own process group (:mod:`herbot.cli.processes`), so a
    Ctrl-C reaches the runner only, which then stops it with SIGTERM.
    """
    port, action_port = free_ports(2)
    served_env = {**serve_env(settings, home, port, action_port), **(env or {})}
    print(f"starting herbot serve on port {port} (its logs: {home / 'logs'})", file=sys.stderr, flush=True)
    process = None
    try:
        with processes.signals_held():
            process = processes.spawn([HERBOT, "serve"], env=served_env, cwd=home, output=subprocess.PIPE)
        _wait_until_ready(process)
        yield Served(f"http://127.0.0.1:{port}", Path(served_env["HERBOT_TRACKER_DB"]), process)
    finally:
        if process is not None:
            print("stopping herbot serve…", file=sys.stderr, flush=True)
            with processes.signals_ignored():
                processes.stop(process, grace=STOP_GRACE_SECONDS)


def _wait_until_ready(process: subprocess.Popen) -> None:
    """Echo serve's output to stderr until it says it is ready; then keep draining its pipe."""
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for raw in iter(process.stdout.readline, b""):
            lines.put(raw.decode("utf-8", errors="replace"))
        lines.put(None)

    threading.Thread(target=read, name="herbot-serve-output", daemon=True).start()
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1.0)
        except queue.Empty:
            continue
        if line is None:
            raise BenchError(f"herbot serve exited with status {process.wait()} before it was ready")
        print(f"  serve: {line.rstrip()}", file=sys.stderr, flush=True)
        if "herbot is ready" in line:
            return
    raise BenchError(f"herbot serve was not ready within {READY_TIMEOUT_SECONDS:.0f} s")
