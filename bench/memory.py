"""Peak and current memory of every process the benchmark starts, read from ``/proc`` while it runs.

The kernel keeps each process's peak resident set size (``VmHWM`` in
``/proc/<pid>/status``), so sampling only has to see a process once before it exits to
know its peak; a background thread looks twice a second. No dependency (psutil) needed.

Processes are grouped into *instances*: a process whose command line says what it is (a
Rasa server, an action server, a training run, ``herbot serve``) starts an instance, and
its unnamed descendants belong to it. An instance's peak is the sum of its processes'
peaks (shared libraries counted once per process, so it is an upper bound). The soak run
also reads each instance's current resident set size (``VmRSS``), to see it grow or not.

What several processes use *together* is not the sum of their RSS: the Rasa server and the
action server map the same libraries (numpy, ONNX Runtime, FAISS), and RSS counts those pages in each. The
kernel's proportional set size (``Pss`` in ``/proc/<pid>/smaps_rollup``) splits a shared
page between the processes that map it, so summing PSS over a group at one moment is the
memory the group takes; the highest such sum seen is :meth:`PeakMemory.together`.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.5


@dataclass
class Seen:
    """One process as sampled: what it is, which instance it belongs to, its peak so far."""

    pid: int
    start: str  # the kernel's start time: a pid reused later is a different process
    label: tuple[str, str] | None  # (bot, role) when its command line names it
    instance: int  # pid of the process that started its instance
    peak_kib: int = 0
    rss_kib: int = 0  # at the last sample; 0 once it has exited
    pss_kib: int = 0  # likewise, the proportional set size


@dataclass
class Instance:
    label: tuple[str, str]
    pids: list[int] = field(default_factory=list)
    peak_kib: int = 0
    rss_kib: int = 0


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, start time) of a live process, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), fields[19]


def _status_kib(pid: int, key: str) -> int:
    """A figure in KiB from ``/proc/<pid>/status`` (``VmHWM``: peak, ``VmRSS``: now); 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _pss_kib(pid: int) -> int:
    """Proportional set size in KiB (shared pages divided among the processes mapping them); 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _argv(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").rstrip("\0").split("\0")
    except OSError:
        return []


class PeakMemory:
    """Samples every descendant of this process until stopped; ``classify`` names them by command line."""

    def __init__(self, classify: Callable[[list[str]], tuple[str, str] | None],
                 groups: dict[str, Callable[[tuple[str, str]], bool]] | None = None):
        """``groups`` names sets of instances (by their label) whose memory together is tracked."""
        self._classify = classify
        self._groups = groups or {}
        self._together: dict[str, int] = {}
        self._root = os.getpid()
        self._seen: dict[int, Seen] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-memory", daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.sample()

    def sample(self) -> None:
        """One look at every descendant: record new ones, raise the peaks of all, note their RSS now."""
        parents: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (stat := _stat(int(entry.name))):
                parents.setdefault(stat[0], []).append(int(entry.name))
        with self._lock:
            for seen in self._seen.values():
                seen.rss_kib = 0  # stays 0 unless it is found alive below
            todo = [(self._root, None)]
            while todo:
                parent, instance = todo.pop()
                for pid in parents.get(parent, []):
                    seen = self._record(pid, instance)
                    if seen:
                        todo.append((pid, seen.instance))
            self._add_up_groups()

    def _add_up_groups(self) -> None:
        """Each group's summed PSS at this sample, kept when it is the highest yet."""
        for name, member in self._groups.items():
            total = 0
            for seen in self._seen.values():
                root = self._seen.get(seen.instance)
                if seen.rss_kib and root is not None and root.label is not None and member(root.label):
                    total += seen.pss_kib
            self._together[name] = max(self._together.get(name, 0), total)

    def together(self, group: str) -> int:
        """The highest memory the processes of ``group`` took at one moment (summed PSS), in KiB."""
        self.sample()
        with self._lock:
            return self._together.get(group, 0)

    def _record(self, pid: int, parent_instance: int | None) -> Seen | None:
        stat = _stat(pid)
        if stat is None:
            return None
        seen = self._seen.get(pid)
        if seen is None or seen.start != stat[1]:
            label = self._classify(_argv(pid))
            instance = pid if label or parent_instance is None else parent_instance
            seen = self._seen[pid] = Seen(pid, stat[1], label, instance)
        seen.peak_kib = max(seen.peak_kib, _status_kib(pid, "VmHWM"))
        seen.rss_kib = _status_kib(pid, "VmRSS")
        seen.pss_kib = _pss_kib(pid) if self._groups else 0
        return seen

    def instances(self) -> list[Instance]:
        """Every named instance seen so far, with the summed peak of its processes."""
        self.sample()
        with self._lock:
            found: dict[int, Instance] = {}
            for seen in self._seen.values():
                root = self._seen.get(seen.instance)
                if root is None or root.label is None:
                    continue
                instance = found.setdefault(seen.instance, Instance(root.label))
                instance.pids.append(seen.pid)
                instance.peak_kib += seen.peak_kib
                instance.rss_kib += seen.rss_kib
            return list(found.values())

    def peaks(self) -> dict[tuple[str, str], int]:
        """The highest instance peak per (bot, role), in KiB: a server started twice counts once."""
        result: dict[tuple[str, str], int] = {}
        for instance in self.instances():
            result[instance.label] = max(result.get(instance.label, 0), instance.peak_kib)
        return result

    def resident(self) -> dict[tuple[str, str], int]:
        """Resident memory now per (bot, role), in KiB, summed over the live instances of each."""
        result: dict[tuple[str, str], int] = {}
        for instance in self.instances():
            if instance.rss_kib:
                result[instance.label] = result.get(instance.label, 0) + instance.rss_kib
        return result

    def kill_survivors(self) -> list[int]:
        """SIGKILL any process seen here that still runs (its supervisor may have been killed first).

        Only the very processes seen (same pid and start time) are signalled, never a reused pid.
        """
        killed = []
        with self._lock:
            for seen in self._seen.values():
                stat = _stat(seen.pid)
                if stat and stat[1] == seen.start:
                    with suppress(ProcessLookupError, PermissionError):
                        os.kill(seen.pid, signal.SIGKILL)
                        killed.append(seen.pid)
        if killed:
            time.sleep(0.2)
        return killed
