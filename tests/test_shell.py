"""`herbot shell` and `herbot ask` in real processes against a real `herbot serve`.

The shell runs in a pseudo-terminal (pexpect), so prompt_toolkit, Ctrl-C and Ctrl-D
behave as for a person at a terminal. Keys are sent only once a new prompt is up: the
terminal is in raw mode only while prompting, and a Ctrl-D typed in between is eaten
by the terminal's own line discipline, as it would be for a person.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pexpect
import pytest

from tests.support.ports import free_ports
from tests.support.process_tree import alive, descendants, processes_matching

HERBOT = str(Path(sys.executable).parent / "herbot")
# A new prompt, drawn after prompt_toolkit turned on raw mode and bracketed paste
# (it draws the space after "you>" as a cursor move).
PROMPT = re.compile(r"\x1b\[\?2004h(?:\x1b\[[0-9;?]*[A-Za-z])*you>")
REPLY_SECONDS = 90  # a busy 2-core machine can take seconds per reply
START_SECONDS = 600  # a full herbot serve start, training included if the model is missing


def spawn_shell(*args: str, home: Path, env: dict | None = None) -> pexpect.spawn:
    """`herbot shell` in a wide pseudo-terminal; no cursor position requests (nothing here answers them)."""
    environment = {**os.environ, "HERBOT_HOME": str(home), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1",
                   **(env or {})}
    return pexpect.spawn(HERBOT, ["shell", *args], env=environment, dimensions=(50, 300), encoding="utf-8",
                         timeout=REPLY_SECONDS)


def leave(shell: pexpect.spawn) -> int:
    """Ctrl-D at the prompt; the shell must say goodbye and end by itself."""
    shell.sendcontrol("d")
    shell.expect("Goodbye")
    shell.expect(pexpect.EOF, timeout=60)
    shell.close()
    return shell.exitstatus


def ask(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([HERBOT, "ask", *args], capture_output=True, text=True, timeout=REPLY_SECONDS + 30,
                          env={**os.environ, "HERBOT_HOME": str(home)})


def one_line_error(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == message, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_shell_numbered_suggestions_sources_and_ctrl_d(bot):
    url, home = bot
    shell = spawn_shell("--url", url, home=home)
    try:
        shell.expect_exact("herbot shell: ")
        shell.expect_exact("Ctrl-D (or /stop) leaves")
        shell.expect(PROMPT)
        shell.sendline("what can you do?")
        shell.expect(r"(\d)\) Who voices Samantha\?")
        number = shell.match.group(1)
        shell.expect(PROMPT)
        shell.sendline(number)
        shell.expect_exact("→ Who voices Samantha?")
        shell.expect("herbot: ")
        shell.expect("Scarlett Johansson")
        shell.expect(r"sources: film facts \(cast: Scarlett Johansson\)[^\r\n]*\(her-[a-z-]+/p\d+\)")
        shell.expect(PROMPT)
        assert leave(shell) == 0
    finally:
        shell.close(force=True)
    assert "what can you do?" in (home / "shell-history").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("command", ["/stop", "EXIT"])
def test_shell_leaves_on_stop_as_rasa_shell_does(bot, command):
    """"/stop" leaves (as it does ``rasa shell``) and is never sent to herbot as a question."""
    url, home = bot
    shell = spawn_shell("--url", url, home=home)
    try:
        shell.expect(PROMPT)
        shell.sendline(command)
        shell.expect("Goodbye")
        before = shell.before
        shell.expect(pexpect.EOF, timeout=60)
        shell.close()
        assert shell.exitstatus == 0
        assert "herbot: " not in before  # nothing was asked, so nothing was answered
    finally:
        shell.close(force=True)


@pytest.mark.slow
def test_shell_transcript_is_the_markdown_herbot_transcript_prints(bot, tmp_path):
    url, home = bot
    saved = tmp_path / "talk.md"
    shell = spawn_shell("--url", url, "--transcript", str(saved), home=home)
    try:
        shell.expect(PROMPT)
        shell.sendline("What did the critics think of the acting?")
        shell.expect("sources: ")
        shell.expect(PROMPT)
        shell.sendline("who plays Theodore?")
        shell.expect("Joaquin Phoenix")
        shell.expect(PROMPT)
        shell.sendcontrol("d")
        shell.expect_exact(f"conversation saved to {saved}")
        shell.expect("Goodbye")
        shell.expect(pexpect.EOF, timeout=60)
        shell.close()
        assert shell.exitstatus == 0
    finally:
        shell.close(force=True)
    text = saved.read_text(encoding="utf-8")
    sender = re.match(r"# Conversation (shell-[0-9a-f]+)\n", text)
    assert sender, text
    printed = subprocess.run([HERBOT, "transcript", sender.group(1)], capture_output=True, text=True, timeout=120,
                             env={**os.environ, "HERBOT_HOME": str(home)})
    assert printed.returncode == 0, printed.stderr
    assert text == printed.stdout  # the same Markdown, from what the shell heard and from the tracker store
    assert "**You:** What did the critics think of the acting?" in text
    assert re.search(r"^> “.+” — .+$", text, re.MULTILINE) and "\nSources: " in text, text


def test_shell_refuses_a_transcript_file_it_could_not_write_before_it_starts(herbot_home, tmp_path):
    (port,) = free_ports(1)
    for target, why in ((tmp_path / "missing" / "talk.md", f"there is no folder '{tmp_path / 'missing'}'"),
                        (tmp_path, "is not a file name")):
        result = subprocess.run([HERBOT, "shell", "--url", f"http://127.0.0.2:{port}", "--transcript", str(target)],
                                capture_output=True, text=True, timeout=60,
                                env={**os.environ, "HERBOT_HOME": str(herbot_home)})
        one_line_error(result, f"herbot: --transcript '{target}'{':' if 'folder' in why else ''} {why}")


@pytest.mark.slow
def test_ctrl_c_at_the_prompt_clears_the_line_and_stays(bot):
    url, home = bot
    shell = spawn_shell("--url", url, home=home)
    try:
        shell.expect(PROMPT)
        shell.send("how does it e")
        shell.sendcontrol("c")
        shell.expect(PROMPT)
        time.sleep(0.5)
        assert shell.isalive()
        shell.sendline("who directed Her?")  # had the line been kept, this would follow "how does it e"
        shell.expect("herbot: ")
        shell.expect("Spike Jonze")
        shell.expect(PROMPT)
        shell.sendline("   ")  # empty input is not sent
        shell.expect(PROMPT)
        assert "herbot: " not in shell.before
        assert leave(shell) == 0
    finally:
        shell.close(force=True)


@pytest.mark.slow
def test_ask_prints_the_answer_once(bot):
    url, home = bot
    result = ask("--url", url, "who plays Theodore?", home=home)
    assert result.returncode == 0, result.stderr
    assert "Joaquin Phoenix" in result.stdout
    assert "  sources: film facts (cast: Joaquin Phoenix)" in result.stdout
    assert "\x1b" not in result.stdout, "no terminal styling when stdout is not a terminal"
    assert result.stderr == ""


def test_ask_when_nothing_answers_is_one_line(herbot_home):
    (port,) = free_ports(1)
    url = f"http://127.0.0.1:{port}"
    one_line_error(ask("--url", url, "who plays Theodore?", home=herbot_home),
                   f"herbot: cannot reach herbot at {url} (connection refused); start it with 'herbot serve'")


def test_ask_refuses_bad_input(herbot_home):
    one_line_error(ask("   ", home=herbot_home), "herbot: the question is empty")
    one_line_error(ask("--url", "localhost:5005", "hi", home=herbot_home),
                   "herbot: 'localhost:5005' is not a server address; give one like http://127.0.0.1:5005")


def test_shell_does_not_start_a_server_it_could_not_reach(herbot_home):
    """127.0.0.2 is not where herbot serve listens (HERBOT_HOST), so starting one would not help."""
    (port,) = free_ports(1)
    result = subprocess.run([HERBOT, "shell", "--url", f"http://127.0.0.2:{port}"], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "HERBOT_HOME": str(herbot_home)})
    one_line_error(result, f"herbot: cannot reach herbot at http://127.0.0.2:{port}; start it there with "
                           "'herbot serve'")


class OwnServerShell:
    """`herbot shell` with nothing running at its address: it starts herbot serve in a home of its own.

    The home gets a copy of the session's index and trained model (so serve starts in
    seconds, not minutes) and free ports, so whatever is left behind is found by its
    home or ports alone.
    """

    def __init__(self, trained_home: Path, home: Path):
        for folder in ("index", "models"):
            shutil.copytree(trained_home / folder, home / folder)
        self.home, self.ports = home, free_ports(2)
        self.shell = spawn_shell(home=home, env={"HERBOT_PORT": str(self.ports[0]),
                                                 "HERBOT_ACTION_PORT": str(self.ports[1])})
        self.children: set[int] = set()

    def wait_until_ready(self) -> None:
        self.shell.expect_exact(f"No herbot answers at http://127.0.0.1:{self.ports[0]}, so this shell starts one")
        self.shell.expect("herbot is ready", timeout=START_SECONDS)
        self.shell.expect(PROMPT)
        self.children = descendants(self.shell.pid)
        assert len(self.children) >= 3, "herbot serve, its action server and its Rasa server"

    def child(self, marker: str) -> int:
        return next(pid for pid in self.children
                    if marker in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())

    def leftovers(self) -> list[str]:
        return [f"pid {pid}" for pid in self.children if alive(pid)] + processes_matching(self.ports, self.home)

    def kill(self) -> None:
        """Last resort after a failed test."""
        for pid in self.children | descendants(self.shell.pid):
            with suppress(OSError):
                os.kill(pid, signal.SIGCONT)
                os.kill(pid, signal.SIGKILL)
        self.shell.close(force=True)


@pytest.fixture
def own_server_shell(bot, tmp_path):
    started = OwnServerShell(bot[1], tmp_path / "home")
    yield started
    if started.leftovers() or started.shell.isalive():
        started.kill()


@pytest.mark.slow
def test_shell_starts_herbot_when_none_runs_and_stops_it_on_leaving(own_server_shell):
    own = own_server_shell
    own.wait_until_ready()
    shell = own.shell
    shell.sendline("who plays Theodore?")
    shell.expect("Joaquin Phoenix")
    shell.expect(PROMPT)

    rasa = own.child("rasa run")
    os.kill(rasa, signal.SIGSTOP)  # a server that hangs: Ctrl-C must give the prompt back
    try:
        shell.sendline("who directed Her?")
        time.sleep(1.5)
        shell.sendcontrol("c")
        shell.expect_exact("(cancelled)")
        shell.expect(PROMPT)
    finally:
        os.kill(rasa, signal.SIGCONT)
    shell.sendline("when did it come out?")
    shell.expect("2013")
    shell.expect(PROMPT)

    shell.sendcontrol("d")
    shell.expect_exact("stopping the herbot server this shell started")
    shell.expect("Goodbye")
    shell.expect(pexpect.EOF, timeout=60)
    shell.close()
    assert shell.exitstatus == 0
    assert own.leftovers() == []


@pytest.mark.slow
def test_shell_says_when_its_server_has_gone_and_keeps_the_prompt(own_server_shell):
    own = own_server_shell
    own.wait_until_ready()
    serve = own.child("herbot.cli serve")
    os.kill(own.child("rasa run"), signal.SIGKILL)  # herbot serve then stops the action server and exits
    deadline = time.monotonic() + 60
    while alive(serve) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(serve)

    own.shell.sendline("who plays Theodore?")
    own.shell.expect_exact("the herbot server this shell started has stopped (exit status 1: the Rasa server "
                           "stopped unexpectedly (killed by SIGKILL); its log is ")
    own.shell.expect(PROMPT)
    assert re.search(r"herbot: |Traceback", own.shell.before) is None
    assert leave(own.shell) == 0
    assert own.leftovers() == []
