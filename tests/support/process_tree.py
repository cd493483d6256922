"""Process-tree helpers for the tests that start servers: descendants and leftovers (free ports: ports.py)."""

from __future__ import annotations

import os
from pathlib import Path


def processes_matching(ports: list[int], home: Path | None = None) -> list[str]:
    """Command lines of live processes that mention one of ``ports`` (or ``home``, when it is the test's own)."""
    markers = [str(port) for port in ports]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            args = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue  # gone meanwhile
        if any(arg in markers or (home and str(home) in arg) for arg in args):
            found.append(" ".join(args).strip())
    return found


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children in their own sessions included)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
