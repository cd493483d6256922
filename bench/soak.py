"""Soak run: steady conversations against one herbot serve for a bounded time, with the resident
memory of every process sampled, against a stated bound on its growth.

Run ``.venv/bin/python -m bench.soak [--minutes 10] [--users 5] [--think 1] [--hostile 2]`` (``make soak``;
not in CI). It starts its own ``herbot serve`` as ``bench/load.py`` does (``$HERBOT_HOME/soak``,
rate limits lifted) and keeps ``--users`` simulated users in conversation, each pausing
``--think`` seconds after a reply, for ``--minutes``. Every ``--sample`` seconds it reads
the resident set size (VmRSS) of herbot serve, the Rasa server and the action server (each
with its own child processes), as ``bench/memory.py`` does for the speed benchmark.

``--hostile S`` mixes one hostile request (``bench/hostile.py``) every S seconds into the
conversations: each must be refused with a 4xx while the server keeps answering, and the
tracker store may grow by at most TURN_BYTES_BOUND per ordinary turn.

The bound: after a warm-up (``--warm-up``, one minute by default: models, caches and
allocator pools fill), no process may grow by more than GROWTH_MB or GROWTH_SHARE of its
size, whichever is larger. Growth is the median of the samples in the last minute minus
the median of those in the first minute after the warm-up, so one passing allocation does
not decide. It prints the growth per process against the bound, the turns' errors, the
stored-history check, and writes a report with the memory plot to ``reports/soak-<time>/``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from bench import bots, report
from bench.compare import SERVING_ROLES, classifier, load_now, machine_line, percentiles
from bench.hostile import HOSTILE, hostile_traffic, stored_size
from bench.load import LIMITS_LIFTED, check_histories, errors_by_kind, history_section, run_users
from bench.memory import PeakMemory
from bench.report import Section
from bench.retrieval import log, mark
from herbot.cli import processes
from herbot.cli.stored_events import TrackerDbError
from herbot.settings import PROJECT_ROOT, get_settings

GROWTH_MB = 25.0
GROWTH_SHARE = 0.05
# What one ordinary turn may add to the tracker store (its events: the message, the replies with
# their quotes, the slots the actions set; SECURITY.md "Stored size"); hostile requests add nothing.
TURN_BYTES_BOUND = 64 * 1024
WINDOW_SECONDS = 60.0  # the medians compared: the first minute after the warm-up, and the last (shorter in short runs)


def growth_bound(baseline_mb: float) -> float:
    return max(GROWTH_MB, GROWTH_SHARE * baseline_mb)


def window_median(points: list[tuple[float, float]], start: float, end: float) -> float | None:
    inside = [mb for at, mb in points if start <= at <= end]
    return statistics.median(inside) if inside else None


class Sampler:
    """Resident memory per serving process, sampled in a thread every ``every`` seconds from ``origin``."""

    def __init__(self, memory: PeakMemory, every: float):
        self.memory, self.every = memory, every
        self.series: dict[str, list[tuple[float, float]]] = {role: [] for role in SERVING_ROLES}
        self.origin = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-memory", daemon=True)

    def start(self) -> None:
        self.origin = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            resident = self.memory.resident()
            at = time.monotonic() - self.origin
            for role in SERVING_ROLES:
                self.series[role].append((at, resident.get(("herbot", role), 0) * 1024 / 1e6))
            if self._stop.wait(self.every):
                return


def growth_rows(series: dict[str, list[tuple[float, float]]], warm_up: float, end: float
                ) -> tuple[list[list[str]], bool]:
    window = min(WINDOW_SECONDS, (end - warm_up) / 2)
    rows, all_met = [], True
    for role, points in series.items():
        baseline = window_median(points, warm_up, warm_up + window)
        final = window_median(points, end - window, end)
        if baseline is None or final is None or not baseline:
            rows.append([role, "-", "-", "-", "-", "not measured"])
            all_met = False
            continue
        grown, bound = final - baseline, growth_bound(baseline)
        met = grown <= bound
        all_met &= met
        rows.append([role, f"{baseline:.0f}", f"{final:.0f}", f"{grown:+.1f} ({grown / baseline:+.1%})",
                     f"{bound:.0f}", mark(met)])
    return rows, all_met


def soak(args: argparse.Namespace, served: bots.Served, memory: PeakMemory) -> tuple[list[Section], dict]:
    seconds = args.minutes * 60
    sampler = Sampler(memory, args.sample)
    log(f"soak: {args.users} users, {args.think:g} s pause after each reply, for {args.minutes:g} minutes")
    load = load_now()
    sampler.start()
    deadline = time.monotonic() + seconds
    stored_before = stored_size(served.tracker_db)
    try:
        run, hostile = asyncio.run(_traffic(args, served.url, lambda: time.monotonic() < deadline))
    finally:
        sampler.stop()
    stored_growth = stored_size(served.tracker_db) - stored_before
    end = time.monotonic() - sampler.origin
    turns = run.turns
    p50, p95 = percentiles([t.ms for t in turns])
    errors = sum(t.error is not None for t in turns)
    sections = [Section("Soak: steady conversations over REST", ["", "figure"], [
        ["minutes", f"{run.seconds / 60:.1f}"], ["users at once", str(args.users)],
        ["conversations", str(len(run.talks))], ["turns", str(len(turns))],
        ["turns/s", f"{len(turns) / run.seconds:.1f}"], ["p50 / p95 ms", f"{p50:.0f} / {p95:.0f}"],
        ["errors", str(errors)], ["load average before / after", f"{load} / {load_now()}"]],
        [f"(each user pauses {args.think:g} s after a reply; rate limits lifted; errors: {errors_by_kind(turns)})"])]
    rows, met = growth_rows(sampler.series, args.warm_up * 60, end)
    sections.append(Section("Resident memory (VmRSS, MB): growth after the warm-up",
                            ["process", "first minute", "last minute", "growth MB", "bound MB", "status"], rows,
                            [f"(bound: at most {GROWTH_MB:g} MB or {GROWTH_SHARE:.0%} of the size after the warm-up, "
                             f"whichever is larger; medians of the samples, every {args.sample:g} s, in the first "
                             f"minute after a {args.warm_up:g}-minute warm-up and in the last minute (half the time "
                             "after the warm-up each, in shorter runs); a process's children count with it)"]))
    hostile_rows, hostile_met = _hostile_rows(args, hostile, stored_growth, len(turns))
    sections += [Section("Hostile requests and what the conversations stored", ["", "figure"], hostile_rows,
                         [f"(one hostile request every {args.hostile:g} s, in turn: "
                          f"{', '.join(name for name, _, _ in HOSTILE)}; the tracker store's bytes per ordinary turn "
                          f"are bounded by {TURN_BYTES_BOUND // 1024} KiB)"])] if args.hostile else []
    check = check_histories(served.tracker_db, run.talks)
    sections.append(history_section(check, served.tracker_db))
    wrong = sum(check.count(kind) for kind in ("lost", "doubled", "unexpected", "reordered"))
    sections.append(Section("Goals", ["goal", "figure", "target", "status"], [
        ["memory growth of every process after the warm-up", "see above", "within the bound", mark(met)],
        ["errors", str(errors), "0", mark(errors == 0)],
        ["messages lost, doubled or reordered", str(wrong), "0", mark(wrong == 0)],
        *([["hostile requests refused with a 4xx, server up, tracker within its bound", "see above", "all",
            mark(hostile_met)]] if args.hostile else [])]))
    return sections, sampler.series


async def _traffic(args: argparse.Namespace, url: str, more):
    """The users' conversations and, with ``--hostile``, the hostile requests beside them."""
    users = run_users(url, "soak", args.users, more, args.think)
    if not args.hostile:
        return await users, Counter()
    return tuple(await asyncio.gather(users, hostile_traffic(url, more, args.hostile)))


def _hostile_rows(args: argparse.Namespace, hostile: Counter, stored_growth: int, turns: int
                  ) -> tuple[list[list[str]], bool]:
    sent = sum(hostile[kind] for kind in ("refused", "5xx", "answered", "unreachable"))
    per_turn = stored_growth / max(1, turns)
    met = sent > 0 and hostile["refused"] == sent and per_turn <= TURN_BYTES_BOUND
    wrong = {kind: count for kind, count in hostile.items() if ":" in kind}
    return [["hostile requests sent", str(sent)], ["refused (4xx)", str(hostile["refused"])],
            ["5xx / taken as a turn / server unreachable",
             f"{hostile['5xx']} / {hostile['answered']} / {hostile['unreachable']}"],
            ["which got through", ", ".join(f"{k} ({v})" for k, v in wrong.items()) or "none"],
            ["tracker store growth", f"{stored_growth / 1e6:.2f} MB ({per_turn / 1024:.1f} KiB per ordinary turn)"]], \
        met


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the load runs (default 10)")
    parser.add_argument("--warm-up", type=float, default=1.0, metavar="MINUTES",
                        help="minutes before memory growth counts (default 1)")
    parser.add_argument("--users", type=int, default=5, help="conversations at once (default 5)")
    parser.add_argument("--think", type=float, default=1.0, metavar="S",
                        help="seconds a user pauses after each reply (default 1)")
    parser.add_argument("--hostile", type=float, default=0.0, metavar="S",
                        help="one hostile request every S seconds beside the users (bench/hostile.py; default off)")
    parser.add_argument("--sample", type=float, default=5.0, metavar="S", help="seconds between samples (default 5)")
    parser.add_argument("--reports", type=Path, default=PROJECT_ROOT / "reports", metavar="DIR",
                        help="where the Markdown report goes (default reports/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.users < 1 or args.sample <= 0 or args.think < 0 or args.warm_up < 0 or args.minutes <= args.warm_up:
        parser().error("--minutes must be longer than --warm-up; --users at least 1, --sample above 0, "
                       "--think and --warm-up not negative")
    sys.stdout.reconfigure(line_buffering=True)
    settings = get_settings()
    started, machine = datetime.now(), machine_line()
    print(machine)
    with processes.stop_on_signals(), PeakMemory(classifier(bots.Places.of(settings))) as memory:
        try:
            with bots.own_herbot(settings, settings.home / "soak", LIMITS_LIFTED) as served:
                sections, series = soak(args, served, memory)
        except processes.Stop as stop:
            log(f"bench/soak.py: {stop} received, stopped")
            return 128 + stop.signum
        except (bots.BenchError, TrackerDbError) as error:
            log(f"bench/soak.py: {error}")
            return 1
    for section in sections:
        report.show(section)
    folder = args.reports / f"soak-{started:%Y%m%d-%H%M%S}"
    preamble = [f"Run {started:%Y-%m-%d %H:%M:%S}, `{' '.join(sys.argv)}`.", "", machine,
                f"Load average at the end: {load_now()} (1 min)."]
    path = report.write(folder, "herbot soak run", preamble, sections,
                        plots=lambda into: report.plot_memory(into, series, args.warm_up * 60))
    print(f"\nreport with the memory plot: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
