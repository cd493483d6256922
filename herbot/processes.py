"""Child processes that never outlive herbot: own process group, stopped as a group.

Each child starts in a new session (its own process group), so a Ctrl-C in the terminal
reaches herbot only and herbot decides how to stop the children: SIGTERM to the whole
group, a grace period, then SIGKILL. SIGINT and SIGTERM become :class:`Stop` in herbot;
while a child is being spawned they are held back, so no child can start unrecorded.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

STOP_GRACE_SECONDS = 10.0


class Stop(BaseException):
    """SIGINT or SIGTERM arrived: unwind, stopping every child on the way out.

    A BaseException, like KeyboardInterrupt, so ``except Exception`` cannot swallow it.
    """

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _Signals:
    """Turns SIGINT/SIGTERM into :class:`Stop`, except while held (see :func:`signals_held`)."""

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
def _on_stop_signals(handler) -> Iterator[None]:
    """Within this block, SIGINT and SIGTERM go to ``handler``; the previous handlers come back after."""
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def stop_on_signals():
    """Within this block, SIGINT and SIGTERM raise :class:`Stop` (main thread only)."""
    return _on_stop_signals(_signals.handle)


def signals_ignored():
    """Let a shutdown finish: a second Ctrl-C must not leave a half-stopped child behind."""
    return _on_stop_signals(signal.SIG_IGN)


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


def tail(path: Path, lines: int = 20) -> list[str]:
    """The last ``lines`` lines of a log file (empty if there is none)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            return [line.rstrip("\n") for line in deque(file, maxlen=lines)]
    except FileNotFoundError:
        return []


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on, all different (each socket is held until all are chosen)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
