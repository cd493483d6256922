"""CPU time a server used, read from ``/proc``: the load test divides it by the turns answered.

Latency under load moves with machine noise; the processor time a server spends per turn does
not, so it shows whether a change made the server cheaper even when p95 barely moves.
"""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _tree(root: int) -> tuple[list[int], dict[int, float]]:
    """``root`` and its live descendants, with every process's user and system time so far."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _fields(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / _TICKS
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found, times


def cpu_seconds(root: int) -> float:
    """User and system time of ``root`` and its live descendants so far, in seconds."""
    pids, times = _tree(root)
    return sum(times.get(pid, 0.0) for pid in pids)


def rasa_server(root: int) -> int | None:
    """The Rasa server (``rasa run``) that is ``root`` or runs below it, if any."""
    for pid in _tree(root)[0]:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"rasa" in argv and argv[argv.index(b"rasa") + 1:argv.index(b"rasa") + 2] == [b"run"]:
            return pid
    return None
