"""`herbot serve` as a child process whose output a test reads line by line (fixtures: conftest.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import suppress
from pathlib import Path

import pytest

from herbot.settings import BOT_DIR
from tests.support.process_tree import alive, descendants, processes_matching

HERBOT = str(Path(sys.executable).parent / "herbot")
# The ``limited_bot`` fixture's server: small limits, 127.0.0.1 its trusted proxy (so that
# python-socketio's client, which cannot choose its source address, can be forwarded) and
# 127.0.0.2 an untrusted peer (on Linux any 127.x address can be a source address).
SMALL_WINDOW_SECONDS = 6
NEW_CONVERSATIONS = 3
TRUSTED_PROXY, UNTRUSTED_PEER = "127.0.0.1", "127.0.0.2"
BOT_READY = (BOT_DIR / "domain.yml").is_file() or (BOT_DIR / "domain").is_dir()


def herbot_env(home: Path, port: int, action_port: int, **extra: str) -> dict[str, str]:
    return {**os.environ, "HERBOT_HOME": str(home), "HERBOT_PORT": str(port), "HERBOT_ACTION_PORT": str(action_port),
            **extra}


class Serving:
    """A `herbot serve` child (``args``: ``--rasa-only`` and the like; ``env``: more settings)."""

    def __init__(self, home: Path, port: int, action_port: int, *args: str, env: dict[str, str] | None = None):
        self.home, self.port, self.action_port = home, port, action_port
        self.process = subprocess.Popen(
            [HERBOT, "serve", *args], env=herbot_env(home, port, action_port, **(env or {})),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.output: list[str] = []

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            self.output.append(line)
            if text in line:
                return
            if not line and self.process.poll() is not None:
                pytest.fail(f"herbot serve exited ({self.process.returncode}) before {text!r}:\n{self.text}")
        pytest.fail(f"no {text!r} within {timeout} s:\n{self.text}")

    def finish(self, timeout: float) -> int:
        rest, _ = self.process.communicate(timeout=timeout)
        self.output.append(rest)
        return self.process.returncode

    @property
    def text(self) -> str:
        return "".join(self.output)

    def leftovers(self, started: set[int]) -> list[str]:
        # by ports only: the session's shared `bot` fixture runs on the same HERBOT_HOME
        return [f"pid {pid}" for pid in started if alive(pid)] + processes_matching([self.port, self.action_port])

    def kill(self) -> None:
        """Last resort after a failed test: take every process below herbot down."""
        for pid in descendants(self.process.pid):
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        self.process.kill()
        self.process.wait()


def health(port: int) -> tuple[int, dict]:
    """Status and body of herbot's ``/health`` on this machine's ``port`` (a 503 "degraded" too)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
