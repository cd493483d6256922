"""Child processes that never outlive herbot: own process group, stopped as a group.

Each child starts in a new session (its own process group), so a Ctrl-C in the terminal
reaches herbot only and herbot decides how to stop the children: SIGTERM to the whole
group, a grace period, then SIGKILL. SIGINT, SIGTERM and SIGHUP (the terminal closed)
become :class:`Stop` in herbot; while a child is being spawned they are held back, so no
child can start unrecorded.

A supervisor killed outright (SIGKILL, the OOM killer) runs no handler, so a :class:`Family`
does not rely on one: every process it starts, and whatever those start (in any process
group), carries the family's tag in its environment; a warden in a session of its own waits on a pipe from the
supervisor and, when the pipe closes because the supervisor is gone, stops every tagged
process. The family is also recorded under ``run/``, so that the next supervisor stops
what a dead one left behind should the warden have died with it (:func:`clear_stale`).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

STOP_GRACE_SECONDS = 10.0
ORPHAN_GRACE_SECONDS = 3.0  # nobody waits on an orphan's clean stop: SIGKILL comes sooner
TAG_VARIABLE = "HERBOT_FAMILY"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stop(BaseException):
    """SIGINT, SIGTERM or SIGHUP arrived: unwind, stopping every child on the way out.

    A BaseException, like KeyboardInterrupt, so ``except Exception`` cannot swallow it.
    """

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _Signals:
    """Turns the stop signals into :class:`Stop`, except while held (see :func:`signals_held`)."""

    def __init__(self) -> None:
        self.depth = 0
        self.pending: int | None = None

    def handle(self, signum, _frame) -> None:
        if self.depth:
            self.pending = signum
        else:
            raise Stop(signum)


_signals = _Signals()


@contextmanager
def signals_held() -> Iterator[None]:
    """Delay :class:`Stop` to the end of the block: spawn a child and record it in one step."""
    _signals.depth += 1
    try:
        yield
    finally:
        _signals.depth -= 1
        if not _signals.depth and _signals.pending is not None:
            signum, _signals.pending = _signals.pending, None
            raise Stop(signum)


@contextmanager
def _signals_to(handler, signals: tuple[signal.Signals, ...]) -> Iterator[None]:
    """Within this block, ``signals`` go to ``handler``; the previous handlers come back after.

    A signal ignored when herbot started stays ignored: ``nohup herbot serve`` must survive its terminal.
    """
    previous = {sig: signal.signal(sig, handler) for sig in signals if signal.getsignal(sig) != signal.SIG_IGN}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def stop_on_signals(*signals: signal.Signals):
    """Within this block, ``signals`` (SIGINT, SIGTERM and SIGHUP unless others are named) raise :class:`Stop`
    (main thread only)."""
    return _signals_to(_signals.handle, signals or STOP_SIGNALS)


def signals_ignored():
    """Let a shutdown finish: a second Ctrl-C (or the terminal closing) must not leave a half-stopped child behind."""
    return _signals_to(signal.SIG_IGN, STOP_SIGNALS)


def describe_exit(status: int) -> str:
    """How a child ended, from its exit status (negative: the signal that killed it)."""
    return f"killed by {signal.Signals(-status).name}" if status < 0 else f"exit status {status}"


def spawn(argv: list[str], *, env: dict[str, str], cwd: Path, output) -> subprocess.Popen:
    """Start ``argv`` in its own process group, stdout and stderr to ``output``.

    Call it inside :func:`signals_held` together with whatever records the child, so a
    Ctrl-C cannot fall between the two.
    """
    return subprocess.Popen(
        argv,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(*children: subprocess.Popen, grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM each child's whole group, wait up to ``grace`` seconds in all, then SIGKILL.

    The groups are signalled together so the children shut down in parallel, and killed
    even when their leader has already exited, so grandchildren go too.
    """
    for child in children:
        _signal_group(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            _signal_group(child.pid, signal.SIGKILL)
            child.wait()
        _signal_group(child.pid, signal.SIGKILL)  # stragglers that outlived their leader


def _signal_group(pgid: int, sig: int) -> None:
    with suppress(ProcessLookupError, PermissionError):  # the group is already gone
        os.killpg(pgid, sig)


class Family:
    """What one supervisor starts: tagged, recorded in ``run_dir``, and stopped by a warden if the supervisor dies.

    Use it as a context manager around the children's lives: while it is open the tag is in
    this process's environment, so every child inherits it, whoever spawns it. The pipe to
    the warden is not inherited (Python opens it close-on-exec), so only the supervisor's
    death closes it.
    """

    def __init__(self, run_dir: Path):
        self.tag = secrets.token_hex(8)
        self.record = run_dir / f"family-{os.getpid()}.json"
        self.warden: subprocess.Popen | None = None

    def __enter__(self) -> Family:
        self.record.parent.mkdir(parents=True, exist_ok=True)
        self.record.write_text(json.dumps({"supervisor": os.getpid(), "started": _start_time(os.getpid()),
                                           "tag": self.tag}), encoding="utf-8")
        environment = {name: value for name, value in os.environ.items() if name != TAG_VARIABLE}
        self.warden = subprocess.Popen([sys.executable, "-m", "herbot.cli.processes", self.tag], env=environment,
                                       stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True)
        os.environ[TAG_VARIABLE] = self.tag
        return self

    def __exit__(self, *_) -> None:
        """The children are stopped by now: the warden finds nothing left, and the record goes."""
        os.environ.pop(TAG_VARIABLE, None)
        with signals_ignored():
            if self.warden:
                self.warden.stdin.close()
                with suppress(subprocess.TimeoutExpired):
                    self.warden.wait(timeout=ORPHAN_GRACE_SECONDS + 5)
            self.record.unlink(missing_ok=True)


def clear_stale(run_dir: Path) -> list[int]:
    """Stop what families of supervisors that are gone left running; return those pids (none usually)."""
    stopped: list[int] = []
    for record in sorted(run_dir.glob("family-*.json")) if run_dir.is_dir() else []:
        try:
            family = json.loads(record.read_text(encoding="utf-8"))
            supervisor, started, tag = int(family["supervisor"]), family["started"], str(family["tag"])
        except (OSError, ValueError, KeyError, TypeError):
            record.unlink(missing_ok=True)  # half-written by a supervisor killed while writing it
            continue
        if _start_time(supervisor) == started:
            continue  # that supervisor is alive and looks after its own
        stopped += stop_tagged(tag)
        record.unlink(missing_ok=True)
    return stopped


def tagged(tag: str) -> list[int]:
    """Live processes whose environment carries the family ``tag`` (grandchildren in other groups too)."""
    marker = f"{TAG_VARIABLE}={tag}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environment = (entry / "environ").read_bytes()
            except OSError:
                continue  # gone meanwhile, or another user's
            if marker in environment.split(b"\0"):
                found.append(int(entry.name))
    return found


def stop_tagged(tag: str, grace: float = ORPHAN_GRACE_SECONDS) -> list[int]:
    """SIGTERM every process of the family, SIGKILL those still there after ``grace``; return the pids found."""
    found = tagged(tag)
    for pid in found:
        _signal_process(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while (left := tagged(tag)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        _signal_process(pid, signal.SIGKILL)
    return found


def port_holder(port: int) -> tuple[int, str] | None:
    """The pid and command line of a process of this user listening on TCP ``port``, if one can be seen."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with suppress(OSError), open(table, encoding="ascii") as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                    inodes.add(f"socket:[{fields[9]}]")
    for entry in Path("/proc").iterdir() if inodes else []:
        if not entry.name.isdigit():
            continue
        with suppress(OSError):
            if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                return int(entry.name), command
    return None


def _start_time(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot), to tell a process from a later one given the same pid;
    None when it is gone or a zombie (dead, not yet reaped)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]


def _signal_process(pid: int, sig: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def _warden(tag: str) -> None:
    """Block until the supervisor's end of stdin closes (it exited, however), then stop its family."""
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)  # the supervisor's own stop signals: only the pipe says when
    sys.stdin.buffer.read()
    stop_tagged(tag)


def tail(path: Path, lines: int = 20) -> list[str]:
    """The last ``lines`` lines of a log file (empty if there is none)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            return [line.rstrip("\n") for line in deque(file, maxlen=lines)]
    except FileNotFoundError:
        return []


if __name__ == "__main__":
    _warden(sys.argv[1])
