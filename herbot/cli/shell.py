"""``herbot shell``: chat with herbot in the terminal, over the same REST channel as any client.

When nothing answers at the address and it is one ``herbot serve`` could listen on,
the shell starts a ``herbot serve`` child itself (own process group, see
:mod:`herbot.cli.processes`) and stops it when the shell ends, so one command is enough
to talk to herbot. Suggestions are numbered so they can be picked by typing the
number; sources are printed in grey under the answer, as plain text when stdout is
not a terminal. Ctrl-C cancels the question at hand; Ctrl-D or ``/stop`` (as in ``rasa shell``)
leaves. With ``--transcript FILE`` the conversation is written there as Markdown when the shell ends, however it ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import urllib.parse
from collections import deque
from contextlib import ExitStack, suppress
from pathlib import Path

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.styles import Style

from herbot.cli import processes, transcripts
from herbot.cli.client import BotError, BotUnreachable, Button, Conversation, Reply, answers, check_url
from herbot.settings import LOOPBACK, Settings

# prompt_toolkit 3.0.28 (Rasa's pin) has no "dim" attribute; grey is how terminals show dim text.
STYLE = Style.from_dict({"speaker": "bold", "you": "bold", "dim": "fg:ansibrightblack", "problem": "fg:ansired"})
HISTORY_FILE = "shell-history"
# Typed alone, these leave as Ctrl-D does: "/stop" is how ``rasa shell`` is left, the others how most shells are.
LEAVE_COMMANDS = frozenset({"/stop", "/quit", "/exit", "quit", "exit"})
SERVE_STOP_GRACE_SECONDS = 30.0  # herbot serve itself gives its children 10 s before killing them


class ShellError(Exception):
    """The shell cannot start; the message is one line for the user."""


def print_reply(reply: Reply, *, speaker: str = "", file=None) -> None:
    """The answer, its suggestions numbered ``1) …``, and a grey sources line (``herbot ask`` prints the same)."""
    fragments: list[tuple[str, str]] = []
    for text in reply.texts:
        if speaker:
            fragments.append(("class:speaker", f"{speaker}: "))
        fragments.append(("", f"{text}\n"))
    for number, button in enumerate(reply.buttons, 1):
        fragments.append(("", f"  {number}) {button.title}\n"))
    if reply.sources:
        fragments.append(("class:dim", f"  sources: {'; '.join(reply.sources)}\n"))
    if not fragments:
        fragments.append(("class:dim", "  (herbot sent no reply)\n"))
    print_formatted_text(FormattedText(fragments), style=STYLE, end="", file=file or sys.stdout)


def note(text: str, style: str = "class:dim") -> None:
    print_formatted_text(FormattedText([(style, text)]), style=STYLE)


def run(settings: Settings, url: str | None = None, transcript: str | None = None) -> int:
    """Chat until Ctrl-D or ``/stop`` (exit status 0); a herbot this shell started is stopped on every way out.

    ``transcript`` names a file for the conversation as Markdown, checked now and written on every way out.
    """
    url = check_url(url or settings.base_url)
    transcript_file = transcript_path(transcript) if transcript is not None else None
    with ExitStack() as stack:
        try:
            # SIGTERM and SIGHUP (the terminal closed) unwind the shell, stopping its server on the way out
            stack.enter_context(processes.stop_on_signals(signal.SIGTERM, signal.SIGHUP))
            server = None
            if not answers(url):
                port = _servable_port(url, settings)
                if port is None:
                    raise ShellError(f"cannot reach herbot at {url}; start it there with 'herbot serve'")
                server = OwnServer(port, settings.home / "logs")
                stack.callback(server.stop)
                server.start(url)
            conversation, said = Conversation(url), []
            if transcript_file:
                stack.callback(save_transcript, transcript_file, said, conversation.sender)
            _chat(conversation, server, _history(settings.home), said)
        except processes.Stop as stop:  # SIGTERM or SIGHUP (the terminal closed)
            return 128 + stop.signum
    note("Goodbye! (herbot shell closed)", style="")
    return 0


def _chat(conversation: Conversation, server: OwnServer | None, history: History, said: list[dict]) -> None:
    """The prompt loop; every answered question and its answer go to ``said`` as transcript turns."""
    session: PromptSession[str] = PromptSession(history=history)
    note(f"herbot shell: ask about the film Her (herbot at {conversation.url}). "
         "A number picks a suggestion; Ctrl-C cancels a question, Ctrl-D (or /stop) leaves.", style="")
    buttons: list[Button] = []
    while True:
        try:
            text = session.prompt([("class:you", "you> ")], style=STYLE).strip()
        except KeyboardInterrupt:  # Ctrl-C at the prompt: drop the line, ask again
            continue
        except EOFError:  # Ctrl-D
            break
        if not text:
            continue
        if text.casefold() in LEAVE_COMMANDS:
            break
        asked = text
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            button = buttons[int(text) - 1]
            note(f"  → {button.title}")
            asked, text = button.title, button.payload
        try:
            reply = conversation.say(text)
            said.append(transcripts.message_turn("user", asked))
            said.extend(transcripts.reply_turns(reply.messages))
            buttons = reply.buttons
            print_reply(reply, speaker="herbot")
        except KeyboardInterrupt:  # Ctrl-C while waiting: abandon the request, back to the prompt
            note("  (cancelled)")
        except BotUnreachable as error:
            note(server.gone() if server and server.exited() else
                 f"herbot at {conversation.url} is not answering ({error.reason}); ask again once it is back.",
                 style="class:problem")
        except BotError as error:
            note(f"{error}; ask again?", style="class:problem")


def transcript_path(name: str) -> Path:
    """The ``--transcript`` file, refused now if it could not be written, rather than after the conversation."""
    path = Path(name).expanduser()
    if not name.strip() or path.is_dir():
        raise ShellError(f"--transcript {name!r} is not a file name")
    if not path.parent.is_dir():
        raise ShellError(f"--transcript {name!r}: there is no folder {str(path.parent)!r}")
    if not os.access(path if path.exists() else path.parent, os.W_OK):
        raise ShellError(f"--transcript {name!r}: not allowed to write there")
    return path


def save_transcript(path: Path, said: list[dict], sender: str) -> None:
    """Write the conversation as ``herbot transcript SENDER`` would print it; a failure is said, never raised."""
    try:
        path.write_text(transcripts.markdown(said, transcripts.title(sender)), encoding="utf-8")
        note(f"conversation saved to {path}")
    except OSError as error:  # the disk filled up, or the terminal is gone (then nothing can be said)
        with suppress(OSError):
            note(f"could not save the conversation to {path}: {error.strerror or error}", style="class:problem")


def _history(home: Path) -> History:
    """Previous questions across sessions (Up arrow, Ctrl-R), kept under HERBOT_HOME; in memory if that fails."""
    try:
        home.mkdir(parents=True, exist_ok=True)
        path = home / HISTORY_FILE
        path.touch()
        return FileHistory(str(path))
    except OSError:
        return InMemoryHistory()


def _servable_port(url: str, settings: Settings) -> int | None:
    """The port to start ``herbot serve`` on, if ``url`` is an address it would listen on; else None."""
    parts = urllib.parse.urlsplit(url)
    same_host = parts.hostname == settings.host or {parts.hostname, settings.host} <= set(LOOPBACK)
    if parts.scheme == "http" and same_host and parts.path in ("", "/"):
        return parts.port or 80
    return None


class OwnServer:
    """A ``herbot serve`` child started because nothing answered; its output is shown until it is ready."""

    def __init__(self, port: int, logs: Path):
        self.port, self.logs = port, logs
        self.process: subprocess.Popen | None = None
        self.last_lines: deque[str] = deque(maxlen=20)
        self.reader: threading.Thread | None = None

    def start(self, url: str) -> None:
        """Start ``herbot serve`` and show its progress until it says it is ready (Ctrl-C cancels)."""
        note(f"No herbot answers at {url}, so this shell starts one: the first time, training takes a minute "
             "or two (Ctrl-C cancels)…", style="")
        argv = [sys.executable, "-m", "herbot.cli", "serve", "--port", str(self.port)]
        try:
            with processes.stop_on_signals(), processes.signals_held():  # no Ctrl-C between spawn and record
                self.process = processes.spawn(argv, env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=Path.cwd(),
                                               output=subprocess.PIPE)
            for raw in self.process.stdout:
                line = raw.decode(errors="replace").rstrip()
                self.last_lines.append(line)
                if "herbot is ready" in line:
                    note("  herbot is ready (it stops when you leave this shell).")
                    break
                if line and not line.startswith("herbot: "):  # its error line ends up in ours
                    note(f"  {line}")
            else:
                raise ShellError(f"herbot serve stopped before it was ready ({self._why()})")
        except processes.Stop as stop:  # a Ctrl-C that came while spawning
            if stop.signum == signal.SIGINT:
                raise KeyboardInterrupt from None
            raise
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self) -> None:
        """Keep reading, so a full pipe never blocks the server; the last lines explain a crash."""
        for raw in self.process.stdout:
            self.last_lines.append(raw.decode(errors="replace").rstrip())

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def gone(self) -> str:
        return (f"the herbot server this shell started has stopped ({self._why()}). "
                "Leave with Ctrl-D and start the shell again.")

    def _why(self) -> str:
        """How it ended and, from herbot serve's own one-line error, why (else where its logs are)."""
        status = processes.describe_exit(self.process.wait())
        if self.reader:
            self.reader.join(timeout=2)  # the last lines come just before the pipe closes
        error = next((line for line in reversed(self.last_lines) if line.startswith("herbot: ")), None)
        return f"{status}: {error.removeprefix('herbot: ')}" if error else f"{status}; its logs are in {self.logs}"

    def stop(self) -> None:
        """SIGTERM to its process group; herbot serve stops its own servers; nothing is left behind."""
        if self.process is None:
            return
        with processes.signals_ignored():
            if self.process.poll() is None:
                with suppress(OSError):  # the terminal may be gone already
                    note("stopping the herbot server this shell started…")
            processes.stop(self.process, grace=SERVE_STOP_GRACE_SECONDS)
