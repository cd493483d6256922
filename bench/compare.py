"""Speed benchmark: herbot beside a bare ``rasa init`` bot on the same Rasa, measured in one run.

Run ``.venv/bin/python -m bench.compare [--turns N] [--starts K] [--no-training] [--no-retrieval]``
(``make bench``). It measures, in this order:

1. training time of both bots (forced: every component, no cache), and its peak memory;
2. start-up: from process start to the first answered REST turn, each bot started alone
   (herbot with ``herbot serve``, its index and model already current);
3. per-turn latency over REST, p50 and p95, the bots alternating one request each, sequential,
   in conversations of a few turns under fresh sender ids; beside herbot and the bare bot, a
   second Rasa server of herbot's on Rasa as shipped (``HERBOT_RASA_SPEEDUPS=0``, sharing
   herbot's action server), so that the speed-ups' own effect shows;
4. peak memory of every process (VmHWM) and of each bot's serving processes together (summed PSS), sampled all along;
5. retrieval alone, real corpus and synthetic, with dev-set quality (``bench/retrieval.py``).

Figures go to stdout as they are measured, then the goals (met / NOT met: a benchmark
prints, the tests assert) and a short summary table last; progress goes to stderr. A
Markdown report with latency plots goes to ``reports/bench-<time>/``. Every process
started here is stopped at the end, on Ctrl-C and on failure too.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import statistics
import sys
import time
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

import numpy as np

from bench import bots, cpu, report, retrieval
from bench.dialogues import START_PROBES, Turn, alternate
from bench.memory import PeakMemory
from bench.report import Section
from herbot.cli import processes
from herbot.cli.train import TrainingError, train
from herbot.settings import PROJECT_ROOT, Settings, get_settings, set_library_environment
from tests.support.ports import free_ports

GOAL_P50_RATIO = 1.2
GOAL_P95_RATIO = 1.5
GOAL_START_RATIO = 1.0
GOAL_MEMORY_GB = 2.5
SERVING_ROLES = ("herbot serve", "Rasa server", "action server")  # what a user runs for herbot
SERVING_GROUPS = {  # memory taken together (summed PSS) while serving
    "herbot": lambda label: label[0] == "herbot" and label[1] in SERVING_ROLES,
    "bare": lambda label: label == ("bare", "Rasa server"),
}
HERBOT_MILESTONES = (  # herbot serve's own output lines, in the order they come
    ("index checked", "Review index"),
    ("model checked", "Rasa model"),
    ("action server answers", "action server is up"),
    ("Rasa server answers", "Rasa server is up"),
    ("warm-up done: 'ready'", "herbot is ready"),
)
log = retrieval.log  # progress on stderr with the time since start, as the retrieval benchmark does


def main() -> int:
    set_library_environment()
    args = _parser().parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # each section shows as soon as it is measured
    settings = get_settings()
    places = bots.Places.of(settings)
    run = Run(settings, places, args)
    with processes.stop_on_signals(), PeakMemory(classifier(places), SERVING_GROUPS) as memory:
        run.memory = memory
        try:
            run.measure()
        except processes.Stop as stop:
            print(f"\n{stop} received: stopping everything the benchmark started…", file=sys.stderr, flush=True)
            return 130
        except (bots.BenchError, TrainingError) as error:
            print(f"bench: {error}", file=sys.stderr, flush=True)
            return 1
        finally:
            with processes.signals_ignored():
                run.stop_bots()
                if killed := memory.kill_survivors():
                    print(f"bench: killed leftover processes {killed}", file=sys.stderr, flush=True)
    run.finish()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0].replace("``", ""))
    parser.add_argument("--turns", type=int, default=200, metavar="N", help="timed REST turns per bot (default 200)")
    parser.add_argument("--warm-up", type=int, default=5, metavar="W", help="untimed turns per bot first (default 5)")
    parser.add_argument("--starts", type=int, default=1, metavar="K",
                        help="start-ups per bot, the order flipping each round; the median counts (default 1)")
    parser.add_argument("--no-training", action="store_true",
                        help="do not time training (the bare bot is still trained if its model is missing)")
    parser.add_argument("--no-retrieval", action="store_true", help="leave out the retrieval benchmark")
    parser.add_argument("--synthetic", type=int, default=100_000, metavar="P",
                        help="synthetic paragraphs for the retrieval benchmark (default 100,000)")
    parser.add_argument("--queries", type=int, default=200, metavar="Q",
                        help="timed retrieval queries per mode and corpus (default 200)")
    parser.add_argument("--reports", type=Path, default=PROJECT_ROOT / "reports", metavar="DIR",
                        help="where the Markdown report goes (default reports/)")
    return parser


def classifier(places: bots.Places):
    """Name a process (bot, role) from its command line; unnamed ones belong to their parent's instance."""
    bare, stock = str(places.bare), str(places.herbot_stock_home)
    commands = {"run": "Rasa server", "train": "training", "init": "rasa init"}

    def classify(argv: list[str]) -> tuple[str, str] | None:
        bot = next((name for name, home in (("bare", bare), (bots.SPEEDUPS_OFF, stock))
                    if any(home in arg for arg in argv)), "herbot")
        if "rasa_sdk" in argv:
            return bot, "action server"
        if "rasa" in argv and (position := argv.index("rasa") + 1) < len(argv) and argv[position] in commands:
            return bot, commands[argv[position]]
        if len(argv) >= 2 and argv[-1] == "serve" and Path(argv[-2]).name == "herbot":
            return "herbot", "herbot serve"
        return None

    return classify


def machine_line() -> str:
    one, five, fifteen = os.getloadavg()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return (f"machine: {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), {memory:.1f} GB RAM, "
            f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min); "
            f"Python {platform.python_version()}, rasa {version('rasa')}, rasa-sdk {version('rasa-sdk')}")


def load_now() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def percentiles(values: list[float]) -> tuple[float, float]:
    p50, p95 = np.percentile(values, [50, 95])
    return float(p50), float(p95)


def ratio(herbot: float | None, bare: float | None) -> str:
    return f"{herbot / bare:.2f}x" if herbot is not None and bare else "-"


def mb(kib: int | None) -> str:
    return f"{kib * 1024 / 1e6:,.0f}" if kib else "-"


class Run:
    """One benchmark run: the measurements in order, the bots it started, the sections it printed."""

    def __init__(self, settings: Settings, places: bots.Places, args: argparse.Namespace):
        self.settings, self.places, self.args = settings, places, args
        self.memory: PeakMemory | None = None
        self.bots: dict[str, bots.Running] = {}
        self.herbot_action_port = 0  # the running herbot's, which the speed-ups-off Rasa server calls too
        self.sections: list[Section] = []
        self.figures: dict[str, float | None] = {}
        self.turns: list[Turn] = []
        self.retrieval: dict | None = None
        self.retrieval_output: str | None = None
        self.machine = machine_line()
        self.started = datetime.now()

    # --- the measurements ---------------------------------------------------------------------------

    def measure(self) -> None:
        print(self.machine)
        print(f"generated bots and logs: {self.places.root}")
        self.prepare()
        self.time_training()
        self.time_start_ups()
        self.start_speedups_off()
        self.time_turns()
        self.show_memory()
        self.stop_bots()
        if not self.args.no_retrieval:
            self.run_retrieval()

    def prepare(self) -> None:
        """The user's index and model current before herbot's start is timed, so the start never trains."""
        from knowledge.pipeline import refresh_index

        log("herbot: checking the index and the model (built or trained only if something changed)")
        refresh_index(self.settings)
        train(self.settings, out=sys.stderr)
        bots.ensure_bare_project(self.settings, self.places, sys.stderr)

    def time_training(self) -> None:
        if self.args.no_training:
            log("bare bot: training only if its model is missing or stale (--no-training)")
            bots.train_bare(self.settings, self.places, force=False, out=sys.stderr)
            self.figures |= {"train herbot": None, "train bare": None}
            return
        rows = []
        for name, timed in (
            ("herbot", lambda: bots.train_herbot_timed(self.settings, self.places, sys.stderr)),
            ("bare", lambda: bots.train_bare(self.settings, self.places, force=True, out=sys.stderr)),
        ):
            log(f"{name}: training, forced (every component, no cache)")
            load = load_now()
            seconds = timed()
            self.figures[f"train {name}"] = seconds
            peak = self.memory.peaks().get((name, "training"))
            rows.append([name, f"{seconds:.1f}", mb(peak), f"{load} / {load_now()}"])
        rows.append(["herbot / bare", ratio(self.figures["train herbot"], self.figures["train bare"]), "", ""])
        self.emit(Section("Training, forced: every component, no cache (s)",
                          ["bot", "seconds", "peak RSS (MB)", "load before / after"], rows,
                          ["(one after the other, not alternated: each training has the machine to itself and "
                           "the engineers' tests)"]))

    def time_start_ups(self) -> None:
        """Each bot started alone: process start to its first answered REST turn; the order flips each round."""
        rounds = max(self.args.starts, 1)
        found: dict[str, list[float]] = {"herbot": [], "bare": []}
        rows, milestones = [], []
        for number in range(rounds):
            order = ("bare", "herbot") if number % 2 == 0 else ("herbot", "bare")
            port, action_port, bare_port = free_ports(3)
            load = load_now()
            for name in order:
                log(f"{name}: starting (round {number + 1}/{rounds}) and asking {START_PROBES[name][0]!r}")
                if name == "herbot":
                    self.bots[name] = bots.start_herbot(self.settings, self.places, port, action_port)
                    self.herbot_action_port = action_port
                else:
                    self.bots[name] = bots.start_bare(self.settings, self.places, bare_port)
                seconds = bots.first_answer(self.bots[name], *START_PROBES[name])
                found[name].append(seconds)
                log(f"{name}: first answer {seconds:.1f} s after start")
            rows.append([f"round {number + 1} ({' then '.join(order)})", f"{found['herbot'][-1]:.1f}",
                         f"{found['bare'][-1]:.1f}", ratio(found["herbot"][-1], found["bare"][-1]), load])
            milestones = self._herbot_milestones(found["herbot"][-1])
            if number < rounds - 1:
                self.stop_bots()
        herbot, bare = statistics.median(found["herbot"]), statistics.median(found["bare"])
        self.figures |= {"start herbot": herbot, "start bare": bare}
        if rounds > 1:
            rows.append([f"median of {rounds}", f"{herbot:.1f}", f"{bare:.1f}", ratio(herbot, bare), ""])
        probes = "; ".join(f"{name}: {message!r} answered with {word!r}" for name, (message, word)
                           in START_PROBES.items())
        self.emit(Section("Start-up: process start to the first answered REST turn (s)",
                          ["", "herbot", "bare", "herbot / bare", "load at start"], rows,
                          [f"(first questions: {probes}; herbot with its index and model already current, "
                           "so herbot serve checks both and trains nothing)",
                           "(the bot started second had the first one idle beside it)"]))
        self.emit(Section("herbot serve's start-up, last round: seconds from process start",
                          ["milestone", "s"], milestones,
                          ["(from herbot serve's own output lines, stamped as they arrived)"]))

    def _herbot_milestones(self, first_answer: float) -> list[list[str]]:
        running = self.bots["herbot"]
        rows = []
        for label, text in HERBOT_MILESTONES:
            seconds = running.seconds_to(text)
            rows.append([label, f"{seconds:.1f}" if seconds is not None else "-"])
        rows.append(["first answered turn", f"{first_answer:.1f}"])
        if not any("Rasa model up to date" in line for _, line in running.lines):
            rows.append(["WARNING: herbot serve trained the model during its start", ""])
        return rows

    def start_speedups_off(self) -> None:
        """herbot's bot on a second Rasa server, Rasa as shipped, beside the running herbot (same action server)."""
        (port,) = free_ports(1)
        log(f"{bots.SPEEDUPS_OFF}: starting a Rasa server on Rasa as shipped (HERBOT_RASA_SPEEDUPS=0)")
        self.bots[bots.SPEEDUPS_OFF] = bots.start_herbot_speedups_off(self.settings, self.places, port,
                                                                      self.herbot_action_port)
        seconds = bots.first_answer(self.bots[bots.SPEEDUPS_OFF], *START_PROBES["herbot"])
        log(f"{bots.SPEEDUPS_OFF}: first answer {seconds:.1f} s after start")

    def time_turns(self) -> None:
        count, warm_up = self.args.turns, self.args.warm_up
        log(f"latency: {warm_up} warm-up + {count} timed turns per bot, alternating, sequential")
        load = load_now()
        urls = {name: running.url for name, running in self.bots.items()}
        servers = {name: cpu.rasa_server(running.process.pid) for name, running in self.bots.items()}
        used = {name: cpu.cpu_seconds(pid) for name, pid in servers.items() if pid}
        self.turns = alternate(urls, count, warm_up, progress=log)
        rows = []
        for name in ("herbot", bots.SPEEDUPS_OFF, "bare"):
            mine = [t for t in self.turns if t.bot == name]
            p50, p95 = percentiles([t.ms for t in mine])
            cpu_ms = (cpu.cpu_seconds(servers[name]) - used[name]) * 1000 / (count + warm_up) if name in used else None
            self.figures |= {f"p50 {name}": p50, f"p95 {name}": p95, f"cpu {name}": cpu_ms}
            failed = sum(t.error is not None for t in mine)
            silent = sum(t.error is None and not t.replied for t in mine)
            rows.append([name, str(len(mine)), f"{p50:.1f}", f"{p95:.1f}", f"{np.mean([t.ms for t in mine]):.1f}",
                         f"{max(t.ms for t in mine):.1f}", f"{failed} / {silent}",
                         f"{cpu_ms:.1f}" if cpu_ms is not None else "-"])
        for mine, other in (("herbot", "bare"), ("herbot", bots.SPEEDUPS_OFF), (bots.SPEEDUPS_OFF, "bare")):
            f = self.figures
            rows.append([f"{mine} / {other}", "", ratio(f[f"p50 {mine}"], f[f"p50 {other}"]),
                         ratio(f[f"p95 {mine}"], f[f"p95 {other}"]), "", "", "", ratio(f[f"cpu {mine}"],
                                                                                        f[f"cpu {other}"])])
        self.emit(Section("Per-turn latency over REST (ms)",
                          ["bot", "turns", "p50", "p95", "mean", "max", "failed / no text", "Rasa server CPU"], rows,
                          [f"(after {warm_up} untimed turns each; one request each in turn, sequential; "
                           f"load average {load} before, {load_now()} after; '{bots.SPEEDUPS_OFF}' is a second "
                           "Rasa server of herbot's on Rasa as shipped, calling herbot's action server; CPU: the "
                           "Rasa server's user and system time per turn, warm-up included)"]))
        by_kind = []
        for kind in sorted({t.kind for t in self.turns if t.bot == "herbot"}):
            values = [t.ms for t in self.turns if t.bot == "herbot" and t.kind == kind]
            by_kind.append([kind, str(len(values)), *(f"{v:.1f}" for v in percentiles(values))])
        self.emit(Section("herbot's latency per kind of turn (ms)", ["kind", "turns", "p50", "p95"], by_kind,
                          ["(chitchat is answered by the Rasa server alone; the other kinds call the action "
                           "server, which retrieves from the index)"]))

    def show_memory(self) -> None:
        peaks = self.memory.peaks()
        rows = [[f"{bot}: {role}", mb(kib)] for (bot, role), kib in sorted(peaks.items())]
        herbot_rss = sum(peaks.get(("herbot", role), 0) for role in SERVING_ROLES)
        herbot_total, bare_total = self.memory.together("herbot"), self.memory.together("bare")
        self.figures |= {"memory herbot": herbot_total * 1024 / 1e9, "memory bare": bare_total * 1024 / 1e9}
        rows.append(["herbot serving, sum of the peaks above", mb(herbot_rss)])
        rows.append(["herbot serving, together (peak of summed PSS)", mb(herbot_total)])
        rows.append(["bare serving, its Rasa server (peak PSS)", mb(bare_total)])
        self.emit(Section("Peak memory of every process started (MB)", ["process", "peak"], rows,
                          ["(read from /proc twice a second; a process's children count with it. Per process: "
                           "peak RSS (VmHWM), which counts shared libraries in each process. Together: the "
                           "highest sum of proportional set sizes seen at one moment, each shared page "
                           "counted once: the memory the processes take)"]))

    def run_retrieval(self) -> None:
        log("retrieval alone: bench/retrieval.py")
        print("\n== Retrieval alone (bench/retrieval.py) ==")
        arguments = ["--synthetic", str(self.args.synthetic), "--queries", str(self.args.queries)]
        captured = io.StringIO()
        with contextlib.redirect_stdout(_Tee(sys.stdout, captured)):
            self.retrieval = retrieval.run(retrieval.parser().parse_args(arguments))
        for part in ("real", "synthetic"):
            self.retrieval[part].pop("retriever", None)  # frees the 100,000-passage index
        self.retrieval_output = captured.getvalue()

    # --- stopping and the end -----------------------------------------------------------------------

    def stop_bots(self) -> None:
        if self.bots:
            log(f"stopping {' and '.join(self.bots)}")
            bots.stop(*self.bots.values())
            self.bots = {}

    def emit(self, section: Section) -> None:
        """Print a section now and keep it for the report."""
        self.sections.append(section)
        report.show(section)

    def finish(self) -> None:
        """The goals, the report, and the summary table as the last thing printed."""
        self.emit(Section("Goals (herbot beside the bare bot, measured in the same run)",
                          ["goal", "figure", "target", "status"], self.goal_rows()))
        stamp = self.started.strftime("%Y%m%d-%H%M%S")
        folder = self.args.reports / f"bench-{stamp}"
        preamble = [f"Run {self.started:%Y-%m-%d %H:%M:%S}, `{' '.join(sys.argv)}`.", "", self.machine,
                    f"Load average at the end: {load_now()} (1 min)."]
        path = report.write(folder, "herbot speed benchmark", preamble, self.sections, self.turns,
                            self.retrieval_output)
        summary = self.summary_rows()
        print(f"\nreport with plots: {path}")
        print("\n== Summary ==")
        print(retrieval.table(["", "herbot", "bare rasa init", "herbot / bare"], summary))
        with path.open("a", encoding="utf-8") as file:
            file.write("\n## Summary\n\n" + report.markdown_table(["", "herbot", "bare rasa init", "herbot / bare"],
                                                                  summary) + "\n")

    def goal_rows(self) -> list[list[str]]:
        figures, rows = self.figures, []
        for key, goal, what in (("p50", GOAL_P50_RATIO, "REST p50"), ("p95", GOAL_P95_RATIO, "REST p95"),
                                ("start", GOAL_START_RATIO, "start-up to first answer")):
            herbot, bare = figures.get(f"{key} herbot"), figures.get(f"{key} bare")
            if herbot is None or not bare:
                continue
            rows.append([f"{what}, herbot / bare", f"{herbot / bare:.2f}x", f"<= {goal}x",
                         retrieval.mark(herbot / bare <= goal)])
        if (memory := figures.get("memory herbot")) is not None:
            rows.append(["memory, herbot's processes together", f"{memory:.2f} GB", f"< {GOAL_MEMORY_GB} GB",
                         retrieval.mark(memory < GOAL_MEMORY_GB)])
        if self.retrieval:
            r = self.retrieval
            rows += retrieval.goal_rows(r["real"], r["synthetic"], r["label"], r["scores"])
        return rows

    def summary_rows(self) -> list[list[str]]:
        f = self.figures

        def both(key: str, fmt: str) -> list[str]:
            herbot, bare = f.get(f"{key} herbot"), f.get(f"{key} bare")
            shown = [format(v, fmt) if v is not None else "not measured" for v in (herbot, bare)]
            return [*shown, ratio(herbot, bare)]

        off = bots.SPEEDUPS_OFF
        rows = [
            ["REST p50 (ms)", *both("p50", ".1f")],
            ["REST p95 (ms)", *both("p95", ".1f")],
            [f"REST p50 / p95 (ms), {off}", f"{f[f'p50 {off}']:.1f} / {f[f'p95 {off}']:.1f}", "",
             f"herbot: {ratio(f['p50 herbot'], f[f'p50 {off}'])} / {ratio(f['p95 herbot'], f[f'p95 {off}'])}"],
            ["Rasa server CPU per turn (ms)", *both("cpu", ".1f")],
            [f"Rasa server CPU per turn (ms), {off}", format(f[f"cpu {off}"], ".1f") if f[f"cpu {off}"] else "-", "",
             f"herbot: {ratio(f['cpu herbot'], f[f'cpu {off}'])}"],
            ["start to first answer (s)", *both("start", ".1f")],
            ["training, forced (s)", *both("train", ".1f")],
            ["peak memory, serving (GB)", *both("memory", ".2f")],
        ]
        if self.retrieval:
            r = self.retrieval
            for name, part in (("real corpus", r["real"]), (r["label"], r["synthetic"])):
                p50, p95 = part["latency"]["hybrid"]
                rows.append([f"retrieval p50 / p95, {name} (ms)", f"{p50:.1f} / {p95:.1f}", "", ""])
            for mode in retrieval.MODES:
                q = r["scores"][mode][0]
                rows.append([f"{mode}: R@1 / R@3 / MRR", f"{q.recall_at_1:.3f} / {q.recall_at_3:.3f} / {q.mrr:.3f}",
                             "", ""])
        goals = self.sections[-1].rows
        met = sum(row[-1] == "met" for row in goals)
        rows.append(["goals met", f"{met} of {len(goals)}", "", ""])
        rows.append(["load average now (1 min)", load_now(), "", f"{os.cpu_count()} CPUs"])
        return rows


class _Tee(io.TextIOBase):
    """Writes to the terminal and keeps a copy: the retrieval benchmark's output goes into the report too."""

    def __init__(self, *streams):
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


if __name__ == "__main__":
    started = time.perf_counter()
    status = main()
    log(f"bench finished in {time.perf_counter() - started:.0f} s")
    sys.exit(status)
