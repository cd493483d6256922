"""Knowledge at scale: a review added to 1,000 and 10,000 reviews, start-up and memory, a turn's cost.

Run ``.venv/bin/python -m bench.scale [--reviews 1000,10000] [--rest-at 1000]`` (``make bench-scale``).
For each corpus size it makes (once, kept under ``$HERBOT_HOME/bench/scale-N``) the seed reviews
plus synthetic ones (``bench/synthetic_reviews.py``: generated sentences that never repeat, six to
thirteen paragraphs a review, reader comments under one in four) and indexes them with the
production pipeline, each text's vector derived from real ones (``bench/derived.py``) instead of
embedded, which would take hours. Then, with the real encoder:

1. ``herbot index`` after one new review is dropped in, end to end (a process of its own), and
   again after it is removed; beside them the full rebuild's time, EXTRAPOLATED from the
   encoding rate measured on a sample of the corpus and the measured rest of the first build;
2. the full rebuild itself (``herbot index --force``) for ``--rebuild-seconds`` only, to show that
   it says how long it will take and how many cores it keeps busy (interrupted: the index stays);
3. ``herbot serve`` on the corpus: seconds from start to the first answered turn, the memory of the
   Rasa server and the action server together (peak of summed PSS), and REST turns p50;
4. a turn's cost inside the action server's knowledge (``knowledge/answers.py``), six reviews
   against this corpus, and the time the knowledge takes to load;
5. at ``--rest-at`` reviews, ``bench/compare.py`` on that corpus: herbot's REST p50 beside the bare
   ``rasa init`` bot's, in one run.

Figures go to stdout, progress to stderr; the goals end the output.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np

from bench import bots
from bench.derived import DerivedEncoder, base_vectors, log
from bench.memory import PeakMemory
from bench.synthetic_reviews import SentenceMaker, review_text, write_reviews
from herbot.cli.client import Conversation
from herbot.settings import KNOWLEDGE_DATA, PROJECT_ROOT, get_settings, set_library_environment
from knowledge import index
from knowledge.ingest import META_SUFFIX
from knowledge.model_export import ensure_exported, exported_identity
from tests.support.ports import free_ports

GOAL_ADD_SECONDS = 10.0
GOAL_P50_RATIO = 1.2
SERVERS = ("Rasa server", "action server")
TURN_QUESTIONS = (  # (kind, question) asked of the knowledge directly, as the actions ask it
    ("opinion", "what did the critics think of the acting?"),
    ("opinion", "do the reviewers agree?"),
    ("opinion", "who liked it least?"),
    ("opinion", "what did the critics say about the music?"),
    ("opinion", "what did Sam Beezjak think?"),
    ("plot", "what is the plot?"),
    ("comments", "what did readers say?"),
    ("opinion", "what did they think of the video game scenes?"),
)
REST_MESSAGES = ("who voices Samantha?", "what did the critics think of the acting?", "do the reviewers agree?",
                 "what is the plot?", "hello!", "who directed Her?")


def corpus_settings(settings, count: int):
    home = settings.home / "bench" / f"scale-{count}"
    return replace(settings, home=home, reviews_dir=home / "reviews", index_dir=home / "index",
                   models_dir=home / "models", tracker_db=home / "tracker.db")


def make_reviews(own, count: int) -> None:
    """The seed reviews and synthetic ones up to ``count`` (written once)."""
    folder = own.reviews_dir
    seeds = sorted((KNOWLEDGE_DATA / "reviews").glob("*.txt"))
    have = len(list(folder.glob("synthetic-*.txt"))) if folder.is_dir() else 0
    if have == count - len(seeds):
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in seeds:
        shutil.copy(path, folder / path.name)
        if (sidecar := path.with_name(path.stem + META_SUFFIX)).is_file():
            shutil.copy(sidecar, folder / sidecar.name)
    log(f"writing {count - len(seeds):,} synthetic reviews into {folder}")
    write_reviews(folder, count - len(seeds))


def env_of(own, settings) -> dict[str, str]:
    return {**os.environ, "HERBOT_HOME": str(own.home), "HERBOT_REVIEWS_DIR": str(own.reviews_dir),
            "HERBOT_ENCODER_DIR": str(settings.encoder_dir)}


def herbot_index(own, settings, *extra: str) -> tuple[float, list[str]]:
    """``herbot index`` in a process of its own: wall seconds and its output lines."""
    started = time.perf_counter()
    done = subprocess.run([bots.HERBOT, "index", *extra], env=env_of(own, settings), capture_output=True, text=True,
                          timeout=7200)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"herbot index failed:\n{done.stderr[-3000:]}")
    return seconds, done.stdout.splitlines()


def first_build(own, base) -> dict:
    """Index the corpus with derived vectors when it is not up to date; what a build from scratch took
    (kept in ``first-build.json``: later runs find the index current, or update it from the last one)."""
    import json

    from knowledge.pipeline import refresh_index

    record = own.home / "first-build.json"

    def keep(manifest: dict) -> None:
        if manifest.get("work", {}).get("reviews read") == manifest["counts"]["reviews"]:  # read from scratch
            record.write_text(json.dumps({"seconds": manifest["build_seconds"]}), encoding="utf-8")

    if not record.is_file() and (own.index_dir / "manifest.json").is_file():
        keep(index.read_manifest(own.index_dir))
    result = refresh_index(own, encoder=DerivedEncoder(base), force=not record.is_file())
    if result.rebuilt:
        log(f"build with derived vectors: {result.manifest['build_seconds']:.0f} s ({result.reason})")
        keep(result.manifest)
    manifest = result.manifest
    return {"seconds": json.loads(record.read_text(encoding="utf-8"))["seconds"], "passages": manifest["passages"],
            "units": manifest["sentences"], "reviews": result.report.reviews, "paragraphs": result.report.paragraphs}


def encoding_rate(own, settings, sample: int = 600) -> dict[str, float]:
    """Texts a second the build encoder embeds (every core), measured on paragraphs and units of the corpus."""
    from knowledge.embedding import open_encoder

    loaded = index.load(own.index_dir, model_name=own.embedding_model, dimension=384)
    builder = open_encoder(settings, threads=os.cpu_count())
    rates = {}
    rng = np.random.default_rng(3)
    rows = rng.choice(len(loaded.passages), sample, replace=False)
    for name, texts in (("paragraphs", [index.paragraph_text(loaded.passages[r]) for r in rows]),
                        ("units", [t for r in rows[: sample // 3] for t in index.unit_texts(loaded.passages[r])])):
        started = time.perf_counter()
        builder.encode(texts)
        rates[name] = len(texts) / (time.perf_counter() - started)
    return rates


def add_and_remove(own, settings, count: int) -> dict:
    """Time ``herbot index`` after one review is added, then after it is removed again."""
    added = own.reviews_dir / "synthetic-added.txt"
    added.write_text(review_text(SentenceMaker(count + 7), count + 7), encoding="utf-8")
    try:
        add_s, add_lines = herbot_index(own, settings)
    finally:
        added.unlink()
    remove_s, remove_lines = herbot_index(own, settings)
    return {"add": add_s, "add_lines": add_lines, "remove": remove_s, "remove_lines": remove_lines}


def watch_rebuild(own, settings, seconds: float) -> list[str]:
    """``herbot index --force`` for ``seconds``, then interrupted: the progress lines it printed."""
    process = subprocess.Popen([bots.HERBOT, "index", "--force"], env=env_of(own, settings), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    os.set_blocking(process.stdout.fileno(), False)
    while time.monotonic() < deadline and process.poll() is None:
        chunk = process.stdout.readline()
        if chunk:
            lines.append(chunk.rstrip())
        else:
            time.sleep(0.5)
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # busy in native code: stop it outright (the index stays as it was)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return lines


def serve_figures(own, settings, turns: int = 30) -> dict:
    """Start herbot serve on the corpus: first answered turn, servers' memory, REST p50."""
    subprocess.run([bots.HERBOT, "train"], env=env_of(own, settings), check=True, capture_output=True, timeout=3600)
    places = bots.Places.of(own)

    def classify(argv: list[str]):
        if "rasa_sdk" in argv:
            return "herbot", "action server"
        if "rasa" in argv and "run" in argv:
            return "herbot", "Rasa server"
        return None

    with PeakMemory(classify, {"servers": lambda label: label[1] in SERVERS}) as memory:
        port, action_port = free_ports(2)
        running = bots.start_herbot(own, places, port, action_port)
        try:
            first = bots.first_answer(running, "who voices Samantha?", "Johansson")
            if running.seconds_to("Review index up to date") is None or running.seconds_to("Rasa model up to date") \
                    is None:
                raise SystemExit(f"herbot serve rebuilt the index or trained during its start: see {running.log}")
            conversation = Conversation(running.url, channel="bench-scale", timeout=120)
            times = []
            for n in range(turns):
                started = time.perf_counter()
                conversation.say(REST_MESSAGES[n % len(REST_MESSAGES)])
                times.append((time.perf_counter() - started) * 1000)
            pss = memory.together("servers")
        finally:
            bots.stop(running)
    return {"first": first, "pss_gb": pss * 1024 / 1e9, "p50": statistics.median(times)}


def turn_costs(own, six) -> dict:
    """A turn's knowledge work (CPU ms, one thread; p50 over the questions, each the median of five) and
    the knowledge's load time (wall), per corpus."""
    from knowledge.answers import review_answer
    from knowledge.loaded import Knowledge, open_knowledge

    found = {}
    for name, where in (("6 reviews", six), ("corpus", own)):
        started = time.perf_counter()
        knowledge = open_knowledge(where)  # each segment's verdicts and coverage worked out, or read if kept
        load = time.perf_counter() - started
        del knowledge
        started = time.perf_counter()
        knowledge = open_knowledge(where)  # again: what every later process takes, everything kept
        again = time.perf_counter() - started
        started = time.perf_counter()
        nothing_kept = Knowledge(knowledge.retriever, knowledge.facts, cache_dir=None)
        _ = nothing_kept.verdicts, nothing_kept.coverage
        work_out = time.perf_counter() - started  # what a first start after a full rebuild adds
        del nothing_kept
        for kind, question in TURN_QUESTIONS:  # warm
            review_answer(knowledge, question, kind=kind, consent=None)
        per_question = {}
        for kind, question in TURN_QUESTIONS:
            times = []
            for _ in range(5):
                knowledge.retriever.encoder.forget_recent()
                started = time.process_time()  # CPU time: the machine is shared, wall time swings with its load
                review_answer(knowledge, question, kind=kind, consent=None)
                times.append((time.process_time() - started) * 1000)
            per_question[question] = statistics.median(times)
        found[name] = {"load": load, "again": again, "work_out": work_out,
                       "p50": statistics.median(per_question.values()), "each": per_question}
        del knowledge
    return found


def six_review_settings(settings):
    """The six-review corpus of the tests (seed and tests/data/more_reviews), indexed for real, once."""
    home = settings.home / "bench" / "scale-6"
    own = replace(settings, home=home, reviews_dir=home / "reviews", index_dir=home / "index")
    if not own.reviews_dir.is_dir():
        own.reviews_dir.mkdir(parents=True)
        more = PROJECT_ROOT / "tests" / "data" / "more_reviews"
        for path in [*(KNOWLEDGE_DATA / "reviews").glob("*"), *more.glob("*")]:
            if path.suffix in (".txt", ".yaml"):
                shutil.copy(path, own.reviews_dir / path.name)
    from knowledge.pipeline import refresh_index

    refresh_index(own)
    return own


def rest_ratio(own, settings) -> tuple[float | None, list[str]]:
    """bench/compare.py on the corpus (REST only): herbot's p50 over the bare bot's, and its goal lines."""
    argv = [sys.executable, "-m", "bench.compare", "--no-training", "--no-retrieval", "--turns", "100"]
    done = subprocess.run(argv, env=env_of(own, settings), capture_output=True, text=True, timeout=7200,
                          cwd=PROJECT_ROOT)
    lines = done.stdout.splitlines()
    found = (re.search(r"REST p50, herbot / bare\s+([\d.]+)x", line) for line in lines)
    ratio = next((float(m.group(1)) for m in found if m), None)
    return ratio, [line for line in lines if "REST p" in line or "herbot / bare" in line]


def mark(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    set_library_environment()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", default="1000,10000", help="corpus sizes, comma-separated")
    parser.add_argument("--rest-at", type=int, default=1000, help="the size at which bench/compare.py runs (0: none)")
    parser.add_argument("--rebuild-seconds", type=float, default=90.0,
                        help="how long to watch the full rebuild of the largest corpus (0: not at all)")
    parser.add_argument("--no-serve", action="store_true", help="leave out herbot serve (start-up, memory)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    settings = get_settings()
    ensure_exported(settings.encoder_dir, settings.embedding_model)
    from knowledge.embedding import open_encoder

    base = base_vectors(open_encoder(settings, threads=os.cpu_count()), exported_identity(settings.encoder_dir))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    six = six_review_settings(settings)
    sizes = [int(n) for n in args.reviews.split(",")]
    goals = []
    for count in sizes:
        own = corpus_settings(settings, count)
        make_reviews(own, count)
        built = first_build(own, base)
        print(f"\n== {count:,} reviews: {built['passages']:,} passages ({built['paragraphs']:,} paragraphs), "
              f"{built['units']:,} sentence units ==")
        changed = add_and_remove(own, settings, count)
        rates = encoding_rate(own, settings)
        embed_s = built["passages"] / rates["paragraphs"] + built["units"] * 2 / rates["units"]
        full = embed_s + built["seconds"]
        print(f"herbot index, one review added: {changed['add']:.1f} s end to end; removed again: "
              f"{changed['remove']:.1f} s")
        for line in changed["add_lines"]:
            if not line.startswith("  skipped"):  # the page chrome dropped from each review, thousands of lines
                print(f"  | {line}")
        print(f"full rebuild: about {full / 60:,.0f} min, EXTRAPOLATED = {built['passages']:,} paragraphs at "
              f"{rates['paragraphs']:.0f}/s + {built['units']:,} units and about as many spoiler clauses at "
              f"{rates['units']:.0f}/s + the rest of a build, measured: {built['seconds']:.0f} s (reading, labelling, "
              f"index construction, files)")
        goals.append([f"herbot index, one review added to {count:,}", f"{changed['add']:.1f} s",
                      f"<= {GOAL_ADD_SECONDS:.0f} s (full rebuild ~{full / 60:,.0f} min)",
                      mark(changed["add"] <= GOAL_ADD_SECONDS)])
        costs = turn_costs(own, six)
        print(f"a turn's knowledge work (CPU, question encodings included), p50 over {len(TURN_QUESTIONS)} questions: "
              f"{costs['6 reviews']['p50']:.1f} ms at 6 reviews, {costs['corpus']['p50']:.1f} ms at {count:,}")
        corpus = costs["corpus"]
        print(f"loading the knowledge at {count:,}: {corpus['load']:.1f} s, then again {corpus['again']:.1f} s (every "
              f"segment's verdicts and coverage kept); working them all out (nothing kept, as after a full "
              f"rebuild) {corpus['work_out']:.1f} s more; at 6 reviews {costs['6 reviews']['again']:.1f} s")
        for question, ms in costs["corpus"]["each"].items():
            print(f"  {ms:7.1f} ms (6 reviews: {costs['6 reviews']['each'][question]:5.1f})  {question}")
        if not args.no_serve:
            served = serve_figures(own, settings)
            print(f"herbot serve: first answered turn {served['first']:.1f} s after start; Rasa server + action "
                  f"server {served['pss_gb']:.2f} GB (peak of summed PSS); REST p50 {served['p50']:.1f} ms")
        if count == args.rest_at:
            ratio, lines = rest_ratio(own, settings)
            for line in lines:
                print(f"  compare.py | {line}")
            goals.append([f"REST p50 over {count:,} reviews, herbot / bare", f"{ratio:.2f}x" if ratio else "-",
                          f"<= {GOAL_P50_RATIO}x", mark(ratio is not None and ratio <= GOAL_P50_RATIO)])
    if args.rebuild_seconds:
        own = corpus_settings(settings, sizes[-1])
        log(f"watching herbot index --force on {sizes[-1]:,} reviews for {args.rebuild_seconds:.0f} s")
        lines = watch_rebuild(own, settings, args.rebuild_seconds)
        print(f"\n== herbot index --force on {sizes[-1]:,} reviews, its first {args.rebuild_seconds:.0f} s "
              "(then interrupted; the index stays) ==")
        for line in lines:
            print(f"  | {line}")
        said = [line for line in lines if "left" in line and "cores busy" in line]
        cores = max((float(m.group(1)) for line in said if (m := re.search(r"\(([\d.]+) cores busy", line))),
                    default=0.0)
        goals.append(["full rebuild says how long it will take, on every core", f"{len(said)} progress lines, "
                      f"{cores:.1f} cores busy", f"ETA shown, {os.cpu_count()} cores",
                      mark(bool(said) and cores >= os.cpu_count() - 0.5)])
    print("\n== Goals ==")
    widths = [max(len(row[i]) for row in goals) for i in range(4)]
    for row in goals:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"(load average now {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs shared with other work)")


if __name__ == "__main__":
    main()
