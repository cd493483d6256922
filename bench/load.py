"""Load test: 1, 10 and 50 concurrent conversations against one herbot serve over REST, then every
conversation's stored history checked against what it sent.

Run ``.venv/bin/python -m bench.load [--levels 1,10,50] [--turns N] [--think S] [--url URL]``
(``make load``). Without ``--url`` it starts its own ``herbot serve`` on free ports (logs and a
fresh tracker database in ``$HERBOT_HOME/load``, the user's index and model) with both rate
limits lifted, so that it measures the bot and not the limiter; it stops it at the end.

Each level runs a fixed count of turns (``--turns``) with that many simulated users at once.
A user holds one conversation at a time, under a fresh sender id: the scripted questions of
``bench/dialogues.py`` (film facts, cast, opinions, plot, chitchat), one after the other,
each sent as soon as the previous reply came, then the next conversation. ``--think S`` adds a
pause of S seconds on average (drawn between S/2 and 3S/2, like a person reading and typing) and
spreads the users' first messages over the first S seconds, so that they do not all arrive at once.
A turn is an error when the answer is not HTTP 200, holds no text, or is one
of herbot's fallbacks (the "lost my train of thought" reply, the rate-limit reply).

Then each conversation's user messages are read from the SQLite tracker store
(:mod:`herbot.cli.stored_events`) and compared with what was sent: none lost, none doubled, in
order. Figures per level, the history check and the goals go to stdout; a Markdown report
with load curves goes to ``reports/load-<time>/``.

Unless ``--url`` or ``--no-bare`` is given, a bare ``rasa init`` bot of the same Rasa (the one
``make bench`` builds) takes the same levels right after herbot's, with its own scripted
messages: the figures a user would get from stock Rasa on this machine, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from itertools import cycle
from pathlib import Path

import aiohttp

from bench import bots, report
from bench.compare import GOAL_P95_RATIO, load_now, machine_line, percentiles
from bench.cpu import cpu_seconds
from bench.dialogues import BARE_CONVERSATIONS, HERBOT_CONVERSATIONS, START_PROBES
from bench.report import Section
from bench.retrieval import log, mark
from herbot.cli import processes
from herbot.cli.client import answers, check_url
from herbot.cli.stored_events import Database, TrackerDbError, location, shown
from herbot.cli.train import TrainingError
from herbot.rasa.channels.turns import LOST_THOUGHT, TOO_FAST
from herbot.settings import PROJECT_ROOT, REST_PATH, get_settings
from tests.support.histories import history_problems, user_messages
from tests.support.ports import free_ports

LEVELS = (1, 10, 50)
GOAL_CONCURRENCY = 50
GOAL_P95_MS = 1000.0
REQUEST_TIMEOUT_SECONDS = 60.0
NO_LIMIT = "1000000/minute"
# The serve under test: rate limits lifted, or 50 conversations sending back to back would meet them.
LIMITS_LIFTED = {"HERBOT_RATE_LIMIT": NO_LIMIT, "HERBOT_RATE_LIMIT_ADDRESS": NO_LIMIT}
FALLBACKS = {LOST_THOUGHT: "the lost-my-train-of-thought fallback", TOO_FAST: "the rate-limit reply"}


@dataclass
class TurnResult:
    message: str
    kind: str
    at: float  # seconds from the start of the run of users to the request
    ms: float
    status: int | None  # None: no HTTP answer at all
    error: str | None = None


@dataclass
class Talk:
    """One conversation as its user saw it."""

    sender: str
    turns: list[TurnResult] = field(default_factory=list)

    def sent(self) -> tuple[list[str], list[str]]:
        """The messages the server took (HTTP 200), and those whose fate is unknown (the failed last one)."""
        return ([t.message for t in self.turns if t.status == 200],
                [t.message for t in self.turns if t.status != 200])


@dataclass
class Run:
    """The turns of one level (or soak run) and how long they took."""

    name: str
    users: int
    talks: list[Talk]
    seconds: float
    cpu_ms: float | None = None  # the server's CPU time per turn, when it runs on this machine

    @property
    def turns(self) -> list[TurnResult]:
        return [turn for talk in self.talks for turn in talk.turns]


def reply_error(status: int, body) -> str | None:
    """Why an answer is an error for a user, or None when it is a real reply."""
    if status != 200:
        return f"HTTP {status}"
    texts = [m.get("text") for m in body if isinstance(m, dict)] if isinstance(body, list) else []
    if not any(texts):
        return "no text in the reply"
    return next((what for text, what in FALLBACKS.items() if text in texts), None)


async def say(session: aiohttp.ClientSession, url: str, sender: str, kind: str, message: str,
              origin: float) -> TurnResult:
    """One timed turn; a failure is recorded in the result, never raised."""
    started = time.perf_counter()
    status, error = None, None
    try:
        async with session.post(f"{url}{REST_PATH}", json={"sender": sender, "message": message}) as response:
            status = response.status
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
        error = reply_error(status, body)
    except asyncio.TimeoutError:
        error = f"no reply within {REQUEST_TIMEOUT_SECONDS:.0f} s"
    except aiohttp.ClientError as problem:
        error = f"connection failed ({type(problem).__name__})"
    return TurnResult(message, kind, started - origin, (time.perf_counter() - started) * 1000, status, error)


async def run_users(url: str, name: str, users: int, more: Callable[[], bool], think: float,
                    conversations=HERBOT_CONVERSATIONS) -> Run:
    """``users`` simulated users at once, each in one conversation after another, while ``more()`` says so.

    ``more()`` is asked before every turn: a count of turns for the load levels, a deadline for
    the soak run. After a failed request a user starts a new conversation, since whether the
    server stored that message is unknown.
    """
    scripts = cycle(conversations)
    talks: list[Talk] = []
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=users), timeout=timeout) as session:
        origin = time.perf_counter()

        async def user(number: int) -> None:
            pauses = random.Random(number)  # the same pauses in every run
            if think:  # users arrive over the first pause, not all in the same instant
                await asyncio.sleep(pauses.uniform(0, think))
            while True:
                talk = Talk(f"load-{name}-{number}-{uuid.uuid4().hex[:12]}")
                talks.append(talk)
                for kind, message in next(scripts):
                    if not more():
                        return
                    turn = await say(session, url, talk.sender, kind, message, origin)
                    talk.turns.append(turn)
                    if turn.status != 200:
                        break
                    if think:
                        await asyncio.sleep(pauses.uniform(think / 2, think * 1.5))

        await asyncio.gather(*(user(n) for n in range(users)))
        seconds = time.perf_counter() - origin
    return Run(name, users, [talk for talk in talks if talk.turns], seconds)


def level_run(server: int | None, url: str, name: str, users: int, turns: int, think: float,
              conversations=HERBOT_CONVERSATIONS) -> Run:
    """One load level of ``turns`` turns; with the server's pid, its CPU time per turn too."""
    used = cpu_seconds(server) if server else None
    run = asyncio.run(run_users(url, name, users, turn_budget(turns), think, conversations))
    if used is not None and run.turns:
        run.cpu_ms = (cpu_seconds(server) - used) * 1000 / len(run.turns)
    return run


def cpu_figure(run: Run) -> str:
    return "-" if run.cpu_ms is None else f"{run.cpu_ms:.1f}"


def turn_budget(count: int) -> Callable[[], bool]:
    tickets = iter(range(count))
    return lambda: next(tickets, None) is not None


@dataclass
class HistoryCheck:
    conversations: int = 0
    messages: int = 0
    problems: dict[str, list[str]] = field(default_factory=dict)  # sender -> what is wrong

    def count(self, kind: str) -> int:
        """Problems of one kind (lost, doubled, unexpected, reordered) over all conversations."""
        return sum(p.startswith(kind) for found in self.problems.values() for p in found)


def check_histories(db: Database, talks: list[Talk]) -> HistoryCheck:
    """Every conversation's stored user messages against those it sent, in order.

    A message whose request failed may or may not have been stored: both are accepted.
    """
    check = HistoryCheck()
    for talk in talks:
        sent, unsure = talk.sent()
        stored = user_messages(db, talk.sender)
        found = history_problems(sent, stored)
        if found and unsure and not history_problems(sent + unsure, stored):
            found = []
        check.conversations += 1
        check.messages += len(sent)
        if found:
            check.problems[talk.sender] = found
    return check


def history_section(check: HistoryCheck, db: Database) -> Section:
    rows = [["conversations checked", str(check.conversations)],
            ["user messages answered with HTTP 200", str(check.messages)],
            ["conversations with a problem", str(len(check.problems))],
            *[[f"messages {kind}", str(check.count(kind))] for kind in ("lost", "doubled", "unexpected", "reordered")]]
    notes = [f"(read from {shown(db)}: each conversation's user events, in stored order)"]
    notes += [f"- {sender}: {'; '.join(found)}" for sender, found in list(check.problems.items())[:20]]
    return Section("Stored histories against what each conversation sent", ["", "count"], rows, notes)


def kinds_section(run: Run) -> Section:
    """Latency per kind of turn at one level: which turns make the p95 (answers from the reviews
    call the action server and search the index; chitchat is a response from the domain)."""
    rows = []
    for kind in sorted({t.kind for t in run.turns}):
        latencies = [t.ms for t in run.turns if t.kind == kind]
        p50, p95 = percentiles(latencies)
        rows.append([kind, str(len(latencies)), f"{p50:.0f}", f"{p95:.0f}"])
    return Section(f"Turns by kind at {run.users} concurrent", ["kind", "turns", "p50 ms", "p95 ms"], rows, [])


def errors_by_kind(turns: list[TurnResult]) -> str:
    counted = Counter(t.error for t in turns if t.error)
    return ", ".join(f"{n} x {error}" for error, n in counted.most_common()) or "none"


class LoadTest:
    """One run of the levels against one server; the sections it printed, for the report."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.sections: list[Section] = []
        self.runs: list[Run] = []
        self.bare_runs: list[Run] = []
        self.started = datetime.now()
        self.machine = machine_line()

    def emit(self, section: Section) -> None:
        self.sections.append(section)
        report.show(section)

    def measure(self, url: str, db: Database, limits: str, server: int | None = None) -> None:
        """The levels against ``url``; ``server``: the pid of its ``herbot serve``, to count CPU per turn."""
        args = self.args
        print(self.machine)
        print(f"server: {url}; {limits}")
        if args.warm_up:
            log(f"warm-up: {args.warm_up} turns, one user (not timed, histories checked)")
            warm = asyncio.run(run_users(url, "warm-up", 1, turn_budget(args.warm_up), args.think))
            self.runs.append(warm)
        rows = []
        for users in args.levels:
            log(f"{users} concurrent conversations: {args.turns} turns")
            load = load_now()
            run = level_run(server, url, f"c{users}", users, args.turns, args.think)
            self.runs.append(run)
            turns = run.turns
            cpu = cpu_figure(run)
            p50, p95 = percentiles([t.ms for t in turns])
            errors = [t for t in turns if t.error]
            slowest = max(t.ms for t in turns)
            rows.append([str(users), str(len(run.talks)), str(len(turns)), f"{run.seconds:.1f}",
                         f"{len(turns) / run.seconds:.1f}", f"{p50:.0f}", f"{p95:.0f}", f"{slowest:.0f}",
                         cpu, str(len(errors)), f"{load} / {load_now()}"])
            log(f"  {len(turns) / run.seconds:.1f} turns/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
                f"{cpu} ms of CPU per turn, errors: {errors_by_kind(turns)}")
        think = f"{args.think:g} s between a reply and the next message on average" if args.think else \
            "no pause between a reply and the next message (each user keeps one request in flight)"
        notes = [f"({think}; a fresh sender id per conversation, {len(HERBOT_CONVERSATIONS)} scripts of 3-4 turns "
                 "from bench/dialogues.py in turn)",
                 "(errors: HTTP other than 200, no text, or a fallback reply; per level: "
                 + "; ".join(f"{run.users}: {errors_by_kind(run.turns)}" for run in self.levels()) + ")"]
        self.emit(Section("Load: concurrent conversations over REST",
                          ["concurrent", "conversations", "turns", "s", "turns/s", "p50 ms", "p95 ms", "max ms",
                           "CPU ms/turn", "errors", "load before / after"], rows, notes))
        self.emit(kinds_section(self.levels()[-1]))
        self.history = check_histories(db, [talk for run in self.runs for talk in run.talks])
        self.emit(history_section(self.history, db))

    def measure_bare(self, settings) -> None:
        """The same levels against the bare ``rasa init`` bot, started now and stopped after."""
        args, places = self.args, bots.Places.of(settings)
        bots.ensure_bare_project(settings, places, sys.stderr)
        bots.train_bare(settings, places, force=False, out=sys.stderr)
        log("bare rasa init bot: starting")
        bare = bots.start_bare(settings, places, free_ports(1)[0])
        try:
            bots.first_answer(bare, *START_PROBES["bare"])
            for users in args.levels:
                log(f"bare bot, {users} concurrent conversations: {args.turns} turns")
                self.bare_runs.append(level_run(bare.process.pid, bare.url, f"bare-c{users}", users, args.turns,
                                                args.think, BARE_CONVERSATIONS))
        finally:
            bots.stop(bare)
        rows = []
        for run, ours in zip(self.bare_runs, self.levels(), strict=True):
            p50, p95 = percentiles([t.ms for t in run.turns])
            rate, our_rate = len(run.turns) / run.seconds, len(ours.turns) / ours.seconds
            rows.append([str(run.users), f"{rate:.1f}", f"{p50:.0f}", f"{p95:.0f}", cpu_figure(run),
                         str(sum(t.error is not None for t in run.turns)), f"{our_rate / rate:.2f}x",
                         f"{percentiles([t.ms for t in ours.turns])[1] / p95:.2f}x"])
        self.emit(Section("The bare rasa init bot under the same load (same Rasa, same machine, just after)",
                          ["concurrent", "turns/s", "p50 ms", "p95 ms", "CPU ms/turn", "errors",
                           "herbot / bare turns/s", "herbot / bare p95"], rows,
                          [f"(its own messages: {len(BARE_CONVERSATIONS)} scripts of 3-4 turns from "
                           "bench/dialogues.py; its conversations live in Rasa's in-memory tracker store, and no "
                           "action server is involved)"]))

    def levels(self) -> list[Run]:
        return [run for run in self.runs if run.name != "warm-up"]

    def goal_rows(self) -> list[list[str]]:
        top = next((run for run in self.levels() if run.users == GOAL_CONCURRENCY), None)
        rows = []
        if top is None:
            rows.append([f"{GOAL_CONCURRENCY} concurrent conversations", "not run", "", "NOT met"])
        else:
            errors = sum(t.error is not None for t in top.turns)
            p95 = percentiles([t.ms for t in top.turns])[1]
            rows += [[f"errors at {GOAL_CONCURRENCY} concurrent", str(errors), "0", mark(errors == 0)],
                     [f"p95 at {GOAL_CONCURRENCY} concurrent", f"{p95:.0f} ms", f"< {GOAL_P95_MS:.0f} ms",
                      mark(p95 < GOAL_P95_MS)]]
            bare = next((run for run in self.bare_runs if run.users == GOAL_CONCURRENCY), None)
            if bare is not None:  # stock Rasa under the same load: the REST benchmark's p95 goal holds here too
                ratio = p95 / percentiles([t.ms for t in bare.turns])[1]
                rows.append([f"p95 at {GOAL_CONCURRENCY} concurrent, herbot / bare rasa init", f"{ratio:.2f}x",
                             f"<= {GOAL_P95_RATIO}x", mark(ratio <= GOAL_P95_RATIO)])
        wrong = sum(self.history.count(kind) for kind in ("lost", "doubled", "unexpected", "reordered"))
        rows.append(["messages lost, doubled or reordered (all levels)", str(wrong), "0", mark(wrong == 0)])
        return rows

    def finish(self) -> Path:
        self.emit(Section("Goals", ["goal", "figure", "target", "status"], self.goal_rows()))
        curves = [(run.users, len(run.turns) / run.seconds, *percentiles([t.ms for t in run.turns]))
                  for run in self.levels()]
        folder = self.args.reports / f"load-{self.started:%Y%m%d-%H%M%S}"
        preamble = [f"Run {self.started:%Y-%m-%d %H:%M:%S}, `{' '.join(sys.argv)}`.", "", self.machine,
                    f"Load average at the end: {load_now()} (1 min)."]
        path = report.write(folder, "herbot load test", preamble, self.sections,
                            plots=lambda into: report.plot_load_curves(into, curves, GOAL_P95_MS))
        print(f"\nreport with load curves: {path}")
        return path


def levels(text: str) -> tuple[int, ...]:
    try:
        found = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of numbers like 1,10,50") from None
    if not found or min(found) < 1:
        raise argparse.ArgumentTypeError("each level is at least one conversation")
    return found


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=levels, default=LEVELS, metavar="1,10,50",
                        help="concurrent conversations per level (default 1,10,50)")
    parser.add_argument("--turns", type=positive, default=300, metavar="N", help="turns per level (default 300)")
    parser.add_argument("--warm-up", type=int, default=5, metavar="W", help="untimed turns first (default 5)")
    parser.add_argument("--think", type=float, default=0.0, metavar="S",
                        help="seconds a user pauses after each reply, on average (drawn between S/2 and 3S/2; "
                             "users start spread over the first S seconds; default 0: as fast as replies come)")
    parser.add_argument("--url", help="a running herbot instead of one of our own; its rate limits apply, and "
                                      "its tracker database must be HERBOT_TRACKER_URL or HERBOT_TRACKER_DB "
                                      "(default: HERBOT_HOME's)")
    parser.add_argument("--no-bare", action="store_true",
                        help="leave out the bare rasa init bot's run of the same levels (left out with --url)")
    parser.add_argument("--reports", type=Path, default=PROJECT_ROOT / "reports", metavar="DIR",
                        help="where the Markdown report goes (default reports/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    settings = get_settings()
    test = LoadTest(args)
    with processes.stop_on_signals():
        try:
            with ExitStack() as stack:
                if args.url:
                    url, db = check_url(args.url), location(settings)
                    if not answers(url):
                        raise bots.BenchError(f"nothing answers at {url}")
                    limits = ("rate limits: the server's own (started elsewhere); "
                              "at 30/minute per conversation they may show as errors")
                else:
                    served = stack.enter_context(bots.own_herbot(settings, settings.home / "load", LIMITS_LIFTED))
                    url, db = served.url, served.tracker_db
                    limits = (f"rate limits lifted for this run (HERBOT_RATE_LIMIT and HERBOT_RATE_LIMIT_ADDRESS="
                              f"{NO_LIMIT}; loopback is exempt from the address limit anyway), so the figures "
                              "measure the bot, not the limiter")
                test.measure(url, db, limits, None if args.url else served.process.pid)
            if not (args.url or args.no_bare):
                test.measure_bare(settings)
        except processes.Stop as stop:
            log(f"bench/load.py: {stop} received, stopped")
            return 128 + stop.signum
        except (ValueError, bots.BenchError, TrackerDbError, TrainingError) as error:
            log(f"bench/load.py: {error}")
            return 1
    test.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
