"""Retrieval benchmark: build time, query latency and quality, real corpus beside a synthetic one.

Run ``.venv/bin/python bench/retrieval.py [--synthetic N] [--queries Q]``. Figures go to
stdout, progress to stderr. Nothing here asserts: the tests guard quality floors, this
prints the numbers (and the goals next to them) so a change can be judged by them.

Both indexes are built into a temporary folder with the production code
(:func:`knowledge.index.build`, :class:`knowledge.retrieval.Retriever`); the user's
``var/index`` is never touched.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from herbot.settings import PROJECT_ROOT, get_settings
from knowledge import index
from knowledge.embedding import Encoder
from knowledge.evaluation import evaluate, load_dev_set
from knowledge.ingest import load_corpus
from knowledge.passage import Passage
from knowledge.retrieval import Retriever

DEV_SET = PROJECT_ROOT / "tests" / "data" / "retrieval_dev.yaml"
MODES = ("dense", "bm25", "hybrid")
LATENCY_MODES = ("hybrid", "dense")  # hybrid is the default mode
TOP_K = 5
WARM_UP = 5
# Questions with a name in them (some misspelt): where BM25 should help, or hurt.
NAMES_AND_TYPOS = ("theodor", "samantha", "johans", "phoenix", "juaquin", "scarlet", "jonze", "twombly", "joaquin")
GOAL_P50_MS = {"real": 20.0, "synthetic": 30.0}
GOAL_RECALL_AT_3 = 0.9

_STARTED = time.perf_counter()


def log(message: str) -> None:
    """Progress on stderr, so a long run visibly works and stdout keeps only the figures."""
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


# --- synthetic corpus -------------------------------------------------------------------------------


def words(text: str) -> tuple[str, ...]:
    """A word list written as one comma-separated string, compact and stable under the formatter."""
    return tuple(word.strip() for word in text.split(","))


ACTORS = words(
    "Joaquin Phoenix, Scarlett Johansson, Amy Adams, Rooney Mara, Olivia Wilde, Chris Pratt, "
    "Tilda Swinton, Cate Blanchett, Adam Driver, Mahershala Ali, Saoirse Ronan, Oscar Isaac, "
    "Viola Davis, Tom Hardy, Frances McDormand, Ryan Gosling, Emma Stone, Daniel Kaluuya, "
    "Natalie Portman, Michael Fassbender, Alicia Vikander, Kristen Stewart, Steven Yeun, "
    "Michelle Yeoh, Jeffrey Wright, Tessa Thompson, Bill Murray, Isabelle Huppert"
)
DIRECTORS = words(
    "Spike Jonze, Sofia Coppola, Denis Villeneuve, Alex Garland, Charlie Kaufman, Michel Gondry, "
    "Wong Kar-wai, Celine Sciamma, Bong Joon-ho, Greta Gerwig, Barry Jenkins, Chloe Zhao, "
    "Yorgos Lanthimos, Kelly Reichardt, Richard Linklater, Agnes Varda, Andrei Tarkovsky"
)
CHARACTERS = words(
    "Theodore, Samantha, Catherine, Amy, Paul, Isabella, the narrator, the widow, the android, "
    "the composer, the pilot, the letter writer, the detective, the young nurse"
)
ADJECTIVES = words(
    "tender, melancholy, luminous, clumsy, overlong, witty, haunting, sentimental, restrained, bold, "
    "muted, brittle, warm, chilly, playful, meandering, gorgeous, stilted, precise, ambitious, "
    "intimate, slick, earnest, uneven, hypnotic, bleak, whimsical, heartfelt, cerebral, lyrical, "
    "awkward, dreamy, sincere, hollow, breezy, sombre"
)
ASPECTS = words(
    "screenplay, score, cinematography, editing, production design, pacing, dialogue, "
    "costume design, sound design, ending, opening scene, lead performance, voice work, "
    "supporting cast, soundtrack, lighting, colour palette, third act, premise, set design, "
    "camera work, final shot, love story, humour, running time, visual effects"
)
CITIES = words(
    "Los Angeles, Shanghai, Tokyo, Paris, Berlin, Seoul, Mumbai, Lagos, Toronto, Mexico City, "
    "Lisbon, Copenhagen, Buenos Aires, Istanbul, Sydney, Chicago, Glasgow"
)
GENRES = words("science fiction, romance, drama, comedy, thriller, melodrama, satire, fable, mystery")
FEELINGS = words("lonely, hopeful, uneasy, moved, bored, delighted, restless, heartbroken, puzzled")
VERBS = words("praised, criticised, admired, questioned, celebrated, dismissed, debated, ignored")
THINGS = words(
    "operating system, smartphone, earpiece, video game, letter, hologram, robot, algorithm, "
    "voice assistant, laptop, chatbot, virtual pet"
)
SLOTS = {
    "director": DIRECTORS,
    "character": CHARACTERS,
    "city": CITIES,
    "genre": GENRES,
    "feeling": FEELINGS,
    "verb": VERBS,
    "thing": THINGS,
}
PAIRS = {"actor": ACTORS, "adj": ADJECTIVES, "aspect": ASPECTS}
TEMPLATES = (
    "The {aspect} of this {genre} feels {adj}, especially when {character} is on screen.",
    "{actor} gives a {adj} performance as {character}, the {adj2} heart of the film.",
    "Shot in {city} in {year}, the film turns the city into a {adj} backdrop for its {genre}.",
    "Critics {verb} the {aspect}, but I found it {adj} and a little {adj2}.",
    "{director} directs with a {adj} hand, and the {aspect} never feels {adj2}.",
    "By the {aspect}, I felt {feeling}, which few {genre} films manage.",
    "The {thing} at the centre of the story makes {character} seem {adj}.",
    "Compared with what {director} made in {year}, this one is more {adj}.",
    "{actor} and {actor2} share a {adj} chemistry that carries the {aspect}.",
    "Audiences in {city} left the screening {feeling} and talking about the {aspect}.",
    "It is a {adj} {genre} about a {thing}, set in a {adj2} version of {city}.",
    "The {aspect} owes a debt to the {genre} films of {year}.",
    "If you liked the {aspect} in earlier {director} films, this one will feel {adj}.",
    "{character} spends most of the film talking to a {thing}, and it is oddly {adj}.",
    "The {aspect} is {adj}; the {aspect2} is {adj2}.",
    "Released in {year}, the movie still feels {adj} today.",
    "I watched it twice in {city} and felt {feeling} both times.",
    "{actor} makes {character} {adj} without a single big speech.",
)


def sentence_pool(rng: random.Random, size: int) -> list[str]:
    """Distinct review-like sentences from templates and word lists: varied words for BM25, varied vectors."""
    pool: dict[str, None] = {}
    while len(pool) < size:
        picks = {name: rng.choice(values) for name, values in SLOTS.items()}
        for name, values in PAIRS.items():  # two different picks, e.g. two actors
            picks[name], picks[name + "2"] = rng.sample(values, 2)
        sentence = rng.choice(TEMPLATES).format(year=rng.randint(1960, 2024), **picks)
        sentence = re.sub(r"\b([Aa]) (?=[aeiou])", r"\1n ", sentence)  # "an awkward", not "a awkward"
        pool[sentence[0].upper() + sentence[1:]] = None
    return list(pool)


def synthetic_passages(count: int, pool_size: int = 4000) -> list[Passage]:
    """``count`` distinct paragraphs of 2-4 pool sentences, the same on every run (seed 13)."""
    rng = random.Random(13)
    pool = sentence_pool(rng, pool_size)
    seen: set[tuple[str, ...]] = set()
    passages = []
    while len(passages) < count:
        sentences = tuple(rng.sample(pool, rng.randint(2, 4)))
        if sentences in seen:
            continue
        seen.add(sentences)
        n = len(passages) + 1
        passages.append(
            Passage(
                id=f"synthetic/p{n}",
                review="synthetic",
                review_title="Synthetic review",
                author=None,
                section="body",
                position=n,
                text=" ".join(sentences),
                sentences=sentences,
                spoiler=False,
            )
        )
    return passages


class CachingEncoder:
    """Embeds each distinct text once: the synthetic paragraphs repeat a few thousand sentences.

    Paragraph texts are all distinct, so they are embedded for real; only the sentence
    vectors are reused. Large calls go in chunks with a progress line each.
    """

    CHUNK = 5000

    def __init__(self, encoder: Encoder):
        self._encoder = encoder
        self.dimension = encoder.dimension
        self._cache: dict[str, np.ndarray] = {}
        self.embedded = self.reused = 0

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        started = time.perf_counter()
        for start in range(0, len(missing), self.CHUNK):
            batch = missing[start : start + self.CHUNK]
            self._cache.update(zip(batch, self._encoder.encode(batch), strict=True))
            if progress:
                done = start + len(batch)
                log(f"  embedded {done:,}/{len(missing):,} new texts ({time.perf_counter() - started:.0f} s)")
        self.embedded += len(missing)
        self.reused += len(texts) - len(missing)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


# --- measurements -----------------------------------------------------------------------------------


def build_and_open(folder: Path, passages: list[Passage], encoder, build_encoder, settings, sources) -> dict:
    """Build with the production code, time it, and open a retriever on the result (real query encoder)."""
    started = time.perf_counter()
    manifest = index.build(
        folder,
        passages,
        build_encoder,
        model_name=settings.embedding_model,
        sources=sources,
        fingerprint_=index.fingerprint(sources, settings.embedding_model),
        ann_threshold=settings.ann_threshold,
        progress=isinstance(build_encoder, CachingEncoder),
    )
    seconds = time.perf_counter() - started
    loaded = index.load(folder, model_name=settings.embedding_model, dimension=encoder.dimension)
    retriever = Retriever(
        loaded, encoder, min_score=settings.min_score, max_query_chars=settings.max_query_chars, mode="hybrid"
    )
    return {"manifest": manifest, "build_s": seconds, "retriever": retriever}


def measure_latency(retriever: Retriever, questions: list[str], count: int, label: str) -> dict:
    """p50 and p95 of ``Retriever.search`` end to end (encode + search), per mode, after a warm-up.

    The modes alternate query by query, so a burst of load from another process on this
    shared machine hits both alike instead of skewing one of them.
    """
    log(f"latency on {label}: {count} queries x {len(LATENCY_MODES)} modes")
    for question in questions[:WARM_UP]:
        for mode in LATENCY_MODES:
            retriever.search(question, TOP_K, mode=mode)
    timings: dict[str, list[float]] = {mode: [] for mode in LATENCY_MODES}
    for i in range(count):
        for mode in LATENCY_MODES:
            started = time.perf_counter()
            retriever.search(questions[i % len(questions)], TOP_K, mode=mode)
            timings[mode].append((time.perf_counter() - started) * 1000)
    return {mode: tuple(float(v) for v in np.percentile(timings[mode], [50, 95])) for mode in LATENCY_MODES}


def quality(retriever: Retriever, dev_set: dict) -> dict:
    """Dev-set quality per mode, on all questions and on those with a name or typo in them."""
    subset = {"questions": [q for q in dev_set["questions"] if any(n in q["q"].lower() for n in NAMES_AND_TYPOS)]}
    log(f"quality: {len(dev_set['questions'])} questions, {len(subset['questions'])} with names or typos")
    return {
        mode: (evaluate(retriever, dev_set, mode), evaluate(retriever, subset, mode), len(subset["questions"]))
        for mode in MODES
    }


# --- printing ---------------------------------------------------------------------------------------


def table(header: list[str], rows: list[list[str]]) -> str:
    """Plain-text table: first column left-aligned, the figures right-aligned."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, ["-" * w for w in widths], *rows]:
        cells = [row[0].ljust(widths[0])] + [str(c).rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def machine() -> str:
    import faiss
    import sentence_transformers
    import torch

    return (
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, faiss {faiss.__version__} "
        f"({faiss.omp_get_max_threads()} OpenMP threads), torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), sentence-transformers {sentence_transformers.__version__}"
    )


def print_report(real: dict, synthetic: dict, count: int, queries: int, scores: dict, model: str) -> None:
    label = f"synthetic {count:,}"
    print(f"\n== Build (model {model}; encoder load not included) ==")
    rows = []
    for name, get in (
        ("passages (vectors)", lambda r: f"{r['manifest']['passages']:,}"),
        ("sentences (vectors)", lambda r: f"{r['manifest']['sentences']:,}"),
        ("passage index type", lambda r: r["manifest"]["index_type"]),
        ("sentence index type", lambda r: r["manifest"]["sentence_index_type"]),
        ("build time (s)", lambda r: f"{r['build_s']:.1f}"),
    ):
        rows.append([name, get(real), get(synthetic)])
    rows.append(["texts embedded / reused", "all", synthetic["embedded"]])
    print(table(["", "real corpus", label], rows))
    print("(synthetic build: each distinct sentence embedded once, so a real corpus this size takes longer)")

    print(f"\n== Query latency, ms ({queries} queries from the dev set, top_k={TOP_K}, after {WARM_UP} warm-up) ==")
    rows = [
        [f"{mode} p{p}", f"{real['latency'][mode][i]:.1f}", f"{synthetic['latency'][mode][i]:.1f}"]
        for mode in LATENCY_MODES
        for i, p in enumerate((50, 95))
    ]
    rows.append(["load average, 1 min", *(f"{r['load']:.2f}" for r in (real, synthetic))])
    print(table(["encode + search", "real corpus", label], rows))
    cpus = os.cpu_count()
    print(f"(wall clock on a shared {cpus}-CPU machine: a load average above {cpus} means other work competed)")

    subset_size = scores["hybrid"][2]
    print(f"\n== Quality on the dev set, real corpus (names/typos: {subset_size} questions) ==")
    rows = []
    for mode in MODES:
        full, sub, _ = scores[mode]
        rows.append(
            [mode, *(f"{v:.3f}" for v in (full.recall_at_1, full.recall_at_3, full.mrr, full.off_topic_rejected))]
            + [f"{v:.3f}" for v in (sub.recall_at_1, sub.recall_at_3, sub.mrr)]
        )
    header = ["mode", "R@1", "R@3", "MRR", "off-topic rejected", "names R@1", "names R@3", "names MRR"]
    print(table(header, rows))

    print("\n== Goals ==")
    print(table(["goal", "figure", "target", "status"], goal_rows(real, synthetic, label, scores)))


def mark(ok: bool) -> str:
    return "met" if ok else "NOT met"


def goal_rows(real: dict, synthetic: dict, label: str, scores: dict) -> list[list[str]]:
    """The goals beside the figures, each marked met or NOT met."""
    rows = []
    for name, result, kind in (("real corpus", real, "real"), (label, synthetic, "synthetic")):
        for mode in LATENCY_MODES:
            p50, goal = result["latency"][mode][0], GOAL_P50_MS[kind]
            rows.append([f"query p50, {name}, {mode}", f"{p50:.1f} ms", f"<= {goal:.0f} ms", mark(p50 <= goal)])
    bm25 = scores["bm25"][0].recall_at_3
    target = f">= {GOAL_RECALL_AT_3} and > BM25 ({bm25:.3f})"
    reached = {}
    for mode in ("hybrid", "dense"):
        r3 = scores[mode][0].recall_at_3
        reached[mode] = r3 >= GOAL_RECALL_AT_3 and r3 > bm25
        rows.append([f"recall@3, {mode}", f"{r3:.3f}", target, mark(reached[mode])])
    best = max(scores["hybrid"][0].recall_at_3, scores["dense"][0].recall_at_3)
    rows.append(["recall@3, fused or dense", f"{best:.3f}", target, mark(any(reached.values()))])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=100_000, metavar="N", help="synthetic paragraphs")
    parser.add_argument("--queries", type=int, default=200, metavar="Q", help="timed queries per mode and size")
    args = parser.parse_args()

    settings = get_settings()
    dev_set = load_dev_set(DEV_SET)
    questions = [item["q"] for item in dev_set["questions"]]
    print(machine())
    log(f"loading model {settings.embedding_model}")
    encoder = Encoder(settings.embedding_model)

    with tempfile.TemporaryDirectory(prefix="herbot-bench-") as tmp:
        log("real corpus: build")
        reviews, _ = load_corpus(settings.reviews_dir)
        passages = [passage for review in reviews for passage in review.passages]
        sources = {review.id: review.sha256 for review in reviews}
        real = build_and_open(Path(tmp) / "real", passages, encoder, encoder, settings, sources)
        log(f"real corpus: built in {real['build_s']:.1f} s")
        real["latency"] = measure_latency(real["retriever"], questions, args.queries, "real corpus")
        real["load"] = os.getloadavg()[0]
        scores = quality(real["retriever"], dev_set)

        log(f"synthetic corpus: generating {args.synthetic:,} paragraphs")
        passages = synthetic_passages(args.synthetic)
        caching = CachingEncoder(encoder)
        log("synthetic corpus: build (embedding paragraphs, then sentences, then FAISS and BM25)")
        sources = {"synthetic": f"{args.synthetic}-seed13"}
        synthetic = build_and_open(Path(tmp) / "synthetic", passages, encoder, caching, settings, sources)
        synthetic["embedded"] = f"{caching.embedded:,} / {caching.reused:,}"
        log(f"synthetic corpus: built in {synthetic['build_s']:.1f} s")
        synthetic["latency"] = measure_latency(synthetic["retriever"], questions, args.queries, "synthetic corpus")
        synthetic["load"] = os.getloadavg()[0]

    print_report(real, synthetic, args.synthetic, args.queries, scores, settings.embedding_model)
    log("done")


if __name__ == "__main__":
    main()
