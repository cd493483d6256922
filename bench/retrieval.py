"""Retrieval benchmark: build time, query latency and quality, real corpus beside a synthetic one.

Run ``.venv/bin/python bench/retrieval.py [--synthetic N] [--queries Q] [--paragraph-vectors mean|encode]``.
Figures go to stdout, each section as soon as it is measured, then a side-by-side summary
and the goals; progress goes to stderr. Nothing here asserts: the tests guard quality
floors, this prints the numbers (and the goals next to them) so a change can be judged by them.

Both indexes are built into a temporary folder with the production code
(:func:`knowledge.index.build`, :class:`knowledge.retrieval.Retriever`); the user's
``var/index`` is never touched. Queries are always encoded for real.

The synthetic paragraphs are made of a few thousand distinct sentences, each embedded
once for real. Embedding 100,000 distinct paragraphs takes 20-45 minutes on a 2-core
machine, so by default (``--paragraph-vectors mean``) a synthetic paragraph's vector is the
normalised mean of its sentence vectors: the FAISS indexes and BM25 are still built at full
size from realistic vectors and searched for real, the index construction is timed for
real, and the full build time is extrapolated from the encoding throughput measured on a
sample of real synthetic paragraphs. ``--paragraph-vectors encode`` embeds every paragraph
(slow) and reports the real total.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from herbot.settings import PROJECT_ROOT, get_settings, set_library_environment
from knowledge import index
from knowledge.embedding import Encoder, open_encoder
from knowledge.evaluation import evaluate, load_dev_set
from knowledge.ingest import load_corpus
from knowledge.model_export import ensure_exported
from knowledge.passage import Passage
from knowledge.retrieval import Retriever

DEV_SET = PROJECT_ROOT / "tests" / "data" / "retrieval_dev.yaml"
HELD_OUT = PROJECT_ROOT / "tests" / "data" / "retrieval_heldout.yaml"  # never tuned on
MODES = ("dense", "bm25", "hybrid")
LATENCY_MODES = ("hybrid", "dense")  # hybrid is the default mode
TOP_K = 5
WARM_UP = 5
# Questions with a name in them (some misspelt): where BM25 should help, or hurt.
NAMES_AND_TYPOS = ("theodor", "samantha", "johans", "phoenix", "juaquin", "scarlet", "jonze", "twombly", "joaquin")
GOAL_P50_MS = {"real": 20.0, "synthetic": 30.0}
GOAL_RECALL_AT_3 = 0.9
THROUGHPUT_SAMPLE = 2000  # synthetic paragraphs embedded for real to measure the encoding rate
LOAD_WARNING = 1.5  # 1-minute load average above which latency figures are inflated

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

    Large calls go in chunks with a progress line each.
    """

    CHUNK = 5000

    def __init__(self, encoder: Encoder):
        self._encoder = encoder
        self.dimension = encoder.dimension
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        started = time.perf_counter()
        for start in range(0, len(missing), self.CHUNK):
            batch = missing[start : start + self.CHUNK]
            self.cache.update(zip(batch, self._encoder.encode(batch), strict=True))
            if progress:
                done = start + len(batch)
                log(f"  embedded {done:,}/{len(missing):,} new texts ({time.perf_counter() - started:.0f} s)")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts])


class Precomputed:
    """An encoder that never runs the model: it hands back vectors computed beforehand, by text.

    A text without a vector raises ``KeyError``, so nothing is silently encoded or made up.
    """

    def __init__(self, dimension: int, vectors: dict[str, np.ndarray]):
        self.dimension = dimension
        self._vectors = vectors

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])


class Timed:
    """Wraps an encoder and adds up the seconds spent in its ``encode`` calls."""

    def __init__(self, encoder):
        self._encoder = encoder
        self.dimension = encoder.dimension
        self.seconds = 0.0

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self._encoder.encode(texts, progress=progress)
        finally:
            self.seconds += time.perf_counter() - started


def mean_vectors(groups: list[tuple[str, ...]], sentence_vectors: dict[str, np.ndarray]) -> np.ndarray:
    """Each group's vector: the L2-normalised mean of its sentences' vectors."""
    vectors = np.stack([np.mean([sentence_vectors[s] for s in group], axis=0) for group in groups])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors, dtype=np.float32)


def synthetic_vectors(passages: list[Passage], sentence_vectors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Vectors by text for what ``index.build`` embeds beyond single sentences, as sentence means.

    A paragraph (embedded with its title, the same for every synthetic passage) gets the mean of
    its sentences; a window of two adjacent sentences, the mean of the two.
    """
    texts = [index.paragraph_text(p) for p in passages]
    groups = [p.sentences for p in passages]
    for p in passages:
        windows = index.unit_texts(p)[len(p.sentences) :]
        texts += windows
        groups += list(zip(p.sentences, p.sentences[1:], strict=False))[: len(windows)]
    return dict(zip(texts, mean_vectors(groups, sentence_vectors), strict=True))


# --- measurements -----------------------------------------------------------------------------------


@contextlib.contextmanager
def compute_threads(count: int):
    """FAISS on ``count`` threads inside the block, as it was after it (encoders get theirs when opened)."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(count)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def build_and_open(folder: Path, passages: list[Passage], encoder, build_encoder, settings, sources, *, progress=False):
    """Build with the production code, time it, and open a retriever on the result (real query encoder).

    ``encode_s`` is the time spent in the build encoder's calls; ``construction_s`` the rest of
    ``index.build``: FAISS passage and sentence indexes, BM25 and writing the folder. The build
    uses every core, as ``herbot index`` does; queries run on ``--threads``, as the servers do.
    """
    timed = Timed(build_encoder)
    started = time.perf_counter()
    with compute_threads(os.cpu_count() or 1):
        manifest = index.build(
            folder,
            passages,
            timed,
            model_name=settings.embedding_model,
            sources=sources,
            fingerprint_=index.fingerprint(sources, settings.embedding_model),
            ann_threshold=settings.ann_threshold,
            progress=progress,
        )
    seconds = time.perf_counter() - started
    loaded = index.load(folder, model_name=settings.embedding_model, dimension=encoder.dimension)
    retriever = Retriever(
        loaded, encoder, min_score=settings.min_score, max_query_chars=settings.max_query_chars, mode="hybrid"
    )
    return {
        "manifest": manifest,
        "build_s": seconds,
        "encode_s": timed.seconds,
        "construction_s": seconds - timed.seconds,
        "retriever": retriever,
    }


def build_synthetic(
    folder: Path, count: int, encoder: Encoder, builder: Encoder, settings, paragraph_vectors: str
) -> dict:
    """Build the synthetic index; paragraph vectors are sentence means ("mean") or embedded ("encode").

    ``builder`` embeds on every core, as ``herbot index`` does; ``encoder`` answers the queries.
    """
    log(f"synthetic corpus: generating {count:,} paragraphs")
    passages = synthetic_passages(count)
    caching = CachingEncoder(builder)
    distinct = list(dict.fromkeys(s for p in passages for s in p.sentences))
    log(f"synthetic corpus: embedding {len(distinct):,} distinct sentences")
    started = time.perf_counter()
    caching.encode(distinct, progress=True)
    result = {"distinct": len(distinct), "sentence_s": time.perf_counter() - started, "vectors": paragraph_vectors}
    if paragraph_vectors == "mean":
        sample = [p.text for p in passages[:THROUGHPUT_SAMPLE]]
        log(f"synthetic corpus: embedding {len(sample):,} paragraphs for real, to measure the throughput")
        started = time.perf_counter()
        builder.encode(sample)
        result |= {"sample": len(sample), "throughput": len(sample) / (time.perf_counter() - started)}
        log("synthetic corpus: paragraph vectors = normalised means of their sentence vectors")
        build_encoder = Precomputed(encoder.dimension, caching.cache | synthetic_vectors(passages, caching.cache))
    else:
        log(f"synthetic corpus: embedding {count:,} paragraphs for real (slow)")
        build_encoder = caching
    log("synthetic corpus: build (FAISS passage and sentence indexes, BM25, files)")
    sources = {"synthetic": f"{count}-seed13-{paragraph_vectors}"}
    result |= build_and_open(folder, passages, encoder, build_encoder, settings, sources, progress=True)
    if paragraph_vectors == "mean":
        result["total_s"] = count / result["throughput"] + result["sentence_s"] + result["construction_s"]
    else:
        result["throughput"] = count / result["encode_s"]
        result["total_s"] = result["sentence_s"] + result["build_s"]
    return result


def measure_latency(retriever: Retriever, questions: list[str], count: int, label: str) -> dict:
    """p50 and p95 of ``Retriever.search`` end to end (encode + search), per mode, after a warm-up.

    The modes alternate query by query, so a burst of load from another process on this
    shared machine hits both alike instead of skewing one of them. The question's encoding
    alone (``encode``) is timed in the same rotation, to show how much of a search it is.
    Nothing is cached between searches: each one encodes its question and scores afresh.
    """
    log(f"latency on {label}: {count} queries x {len(LATENCY_MODES)} modes")
    calls = {mode: lambda q, mode=mode: retriever.search(q, TOP_K, mode=mode) for mode in LATENCY_MODES}
    calls["encode"] = retriever.encoder.encode_query
    for question in questions[:WARM_UP]:
        for call in calls.values():
            call(question)
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for i in range(count):
        for name, call in calls.items():
            retriever.encoder.forget_recent()
            started = time.perf_counter()
            call(questions[i % len(questions)])
            timings[name].append((time.perf_counter() - started) * 1000)
    return {name: tuple(float(v) for v in np.percentile(timings[name], [50, 95])) for name in calls}


def ann_recall(retriever: Retriever, questions: list[str], k: int = 10) -> dict[str, float] | None:
    """How much of the exact top ``k`` the approximate (IVF) indexes find, passages and units apart.

    Counted by similarity, not by id: an approximate hit counts when it is at least as close as
    the exact k-th (the synthetic units repeat sentences, so many vectors tie). The exact answer
    is a full scan of the stored vectors. None when both indexes are exact.
    """
    loaded = retriever.index
    if loaded.manifest["index_type"] == "flat" and loaded.manifest["sentence_index_type"] == "flat":
        return None
    queries = np.stack([retriever.encoder.encode_query(q) for q in questions])
    found = {}
    for name, search in (("passages", loaded.vectors), ("units", loaded.sentences)):
        matrix = search.matrix
        approximate = np.stack([matrix[search.search(query, k)] @ query for query in queries])
        kth = -np.partition(-(queries @ matrix.T), k - 1, axis=1)[:, k - 1 : k]
        found[name] = float(np.mean(approximate >= kth - 1e-5))
    return found


def quality(retriever: Retriever, dev_set: dict) -> dict:
    """Dev-set quality per mode, on all questions and on those with a name or typo in them."""
    subset = {"questions": [q for q in dev_set["questions"] if any(n in q["q"].lower() for n in NAMES_AND_TYPOS)]}
    log(f"quality: {len(dev_set['questions'])} questions, {len(subset['questions'])} with names or typos")
    return {
        mode: (evaluate(retriever, dev_set, mode), evaluate(retriever, subset, mode), len(subset["questions"]))
        for mode in MODES
    }


def held_out_quality(retriever: Retriever, held_out: dict) -> dict:
    """Quality per mode on the held-out set: questions no retrieval setting was tuned on."""
    log(f"quality: held-out set, {len(held_out['questions'])} questions")
    return {mode: evaluate(retriever, held_out, mode) for mode in MODES}


# --- printing ---------------------------------------------------------------------------------------


def table(header: list[str], rows: list[list[str]]) -> str:
    """Plain-text table: first column left-aligned, the figures right-aligned."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, ["-" * w for w in widths], *rows]:
        cells = [row[0].ljust(widths[0])] + [str(c).rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def load_warning(load: float) -> None:
    if load > LOAD_WARNING:
        print(
            f"WARNING: load average {load:.2f} > {LOAD_WARNING}: other work is competing for the CPU; "
            "latency figures are inflated"
        )


def machine(load: float, threads: int) -> str:
    import faiss
    import onnxruntime

    return (
        f"machine: {os.cpu_count()} CPUs, load average {load:.2f} (1 min) at start, "
        f"Python {platform.python_version()}, faiss {faiss.__version__} "
        f"({faiss.omp_get_max_threads()} OpenMP threads), onnxruntime {onnxruntime.__version__} "
        f"({threads} thread(s) per query, every core for builds)"
    )


def print_real_build(real: dict, model: str) -> None:
    manifest = real["manifest"]
    print(f"\n== Build, real corpus (model {model}; encoder load not included) ==")
    rows = [
        ["passages / sentences (vectors)", f"{manifest['passages']:,} / {manifest['sentences']:,}"],
        ["passage / sentence index type", f"{manifest['index_type']} / {manifest['sentence_index_type']}"],
        ["build time (s), measured", f"{real['build_s']:.1f}"],
        ["  encoding (s)", f"{real['encode_s']:.1f}"],
        ["  index construction (s)", f"{real['construction_s']:.1f}"],
    ]
    print(table(["", "real corpus"], rows))


def print_synthetic_build(synthetic: dict, label: str) -> None:
    manifest, count = synthetic["manifest"], synthetic["manifest"]["passages"]
    mean = synthetic["vectors"] == "mean"
    how = "normalised mean of its sentence vectors" if mean else "embedded for real"
    print(f"\n== Build, {label} (each paragraph's vector: {how}) ==")
    rows = [
        ["passages / sentences (vectors)", f"{count:,} / {manifest['sentences']:,}"],
        ["passage / sentence index type", f"{manifest['index_type']} / {manifest['sentence_index_type']}"],
        ["distinct sentences embedded (s)", f"{synthetic['distinct']:,} in {synthetic['sentence_s']:.1f}"],
    ]
    throughput = f"{synthetic['throughput']:.1f}"
    if mean:
        rows.append(["paragraph encoding (texts/s)", f"{throughput} (sample of {synthetic['sample']:,}, real)"])
    else:
        rows.append(["paragraphs embedded (s)", f"{count:,} in {synthetic['encode_s']:.1f} ({throughput} texts/s)"])
    rows.append(["index construction (s), measured", f"{synthetic['construction_s']:.1f}"])
    if mean:
        formula = f"{count:,} / {throughput} + {synthetic['sentence_s']:.1f} + {synthetic['construction_s']:.1f}"
        rows.append(["build time (s), EXTRAPOLATED", f"{synthetic['total_s']:,.1f} = {formula}"])
    else:
        rows.append(["build time (s), measured total", f"{synthetic['total_s']:,.1f} (sentences + index.build)"])
    print(table(["", label], rows))
    print("(index construction: index.build less its encode calls = FAISS passage + sentence indexes, BM25, files)")
    if mean:
        print("(extrapolated = paragraphs / measured throughput + distinct-sentence encoding + index construction)")
    per_sentence = synthetic["sentence_s"] / synthetic["distinct"]
    print(
        f"(sentences repeat here: a real corpus this size has up to {manifest['sentences']:,} distinct ones, "
        f"~{(manifest['sentences'] - synthetic['distinct']) * per_sentence:,.0f} s more to embed at the rate above)"
    )


def print_latency(result: dict, label: str, queries: int) -> None:
    print(
        f"\n== Query latency, {label}, ms ({queries} queries from the dev set, top_k={TOP_K}, after {WARM_UP} "
        "warm-up; encode + search) =="
    )
    rows = [[mode, *(f"{v:.1f}" for v in result["latency"][mode])] for mode in (*LATENCY_MODES, "encode")]
    print(table(["mode", "p50", "p95"], rows))
    print("(encode: the question's encoding alone, timed in the same rotation; the rest of a search is the search)")
    print(f"(load average, 1 min, after the timed queries: {result['load']:.2f})")
    load_warning(result["load"])


def print_quality(scores: dict) -> None:
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


def print_held_out(held_out: dict) -> None:
    count = held_out["hybrid"].questions
    print(f"\n== Quality on the held-out set, real corpus ({count} questions, never tuned on) ==")
    rows = [[mode, *(f"{v:.3f}" for v in (q.recall_at_1, q.recall_at_3, q.mrr))] for mode, q in held_out.items()]
    print(table(["mode", "R@1", "R@3", "MRR"], rows))
    for mode, q in held_out.items():
        for miss in q.misses:
            print(f"  {mode} miss: {miss}")


def print_summary(real: dict, synthetic: dict, label: str, queries: int, scores: dict) -> None:
    print("\n== Summary: build ==")
    rows = []
    for name, get in (
        ("passages (vectors)", lambda r: f"{r['manifest']['passages']:,}"),
        ("sentences (vectors)", lambda r: f"{r['manifest']['sentences']:,}"),
        ("passage index type", lambda r: r["manifest"]["index_type"]),
        ("sentence index type", lambda r: r["manifest"]["sentence_index_type"]),
        ("index construction (s)", lambda r: f"{r['construction_s']:.1f}"),
    ):
        rows.append([name, get(real), get(synthetic)])
    mean = synthetic["vectors"] == "mean"
    rows.append(["paragraph vectors", "embedded", "sentence means" if mean else "embedded"])
    total = f"{synthetic['total_s']:,.1f} " + ("extrapolated" if mean else "measured")
    rows.append(["build time (s)", f"{real['build_s']:.1f} measured", total])
    print(table(["", "real corpus", label], rows))

    print(f"\n== Summary: query latency, ms ({queries} queries, top_k={TOP_K}; encode + search) ==")
    rows = [
        [f"{mode} p{p}", f"{real['latency'][mode][i]:.1f}", f"{synthetic['latency'][mode][i]:.1f}"]
        for mode in (*LATENCY_MODES, "encode")
        for i, p in enumerate((50, 95))
    ]
    rows.append(["load average, 1 min", *(f"{r['load']:.2f}" for r in (real, synthetic))])
    print(table(["encode + search", "real corpus", label], rows))
    cpus = os.cpu_count()
    print(f"(wall clock on a shared {cpus}-CPU machine: a load average above {cpus} means other work competed)")

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


def parser() -> argparse.ArgumentParser:
    """The options, shared with ``bench/compare.py``, which runs this benchmark as one of its parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=100_000, metavar="N", help="synthetic paragraphs")
    parser.add_argument("--queries", type=int, default=200, metavar="Q", help="timed queries per mode and size")
    parser.add_argument(
        "--paragraph-vectors",
        choices=("mean", "encode"),
        default="mean",
        help="synthetic paragraph vectors: mean of the sentence vectors, build time extrapolated (default), "
        "or embed every paragraph for real (20-45 min at 100,000 on 2 cores)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=get_settings().threads,
        help="query threads, ONNX Runtime and FAISS (default: HERBOT_THREADS, as each server process runs)",
    )
    return parser


def run(args: argparse.Namespace) -> dict:
    """Measure and print everything; return the figures (``real``, ``synthetic``, ``scores``, ``label``)."""
    load = os.getloadavg()[0]

    import faiss

    faiss.omp_set_num_threads(args.threads)
    settings = get_settings()
    dev_set = load_dev_set(DEV_SET)
    held_out_set = load_dev_set(HELD_OUT)
    questions = [item["q"] for item in dev_set["questions"]]
    print(machine(load, args.threads))
    load_warning(load)
    log(f"loading model {settings.embedding_model}")
    ensure_exported(settings.encoder_dir, settings.embedding_model)
    encoder = open_encoder(settings, threads=args.threads)
    builder = open_encoder(settings, threads=os.cpu_count())
    label = f"synthetic {args.synthetic:,}"

    with tempfile.TemporaryDirectory(prefix="herbot-bench-") as tmp:
        log("real corpus: build")
        reviews, _ = load_corpus(settings.reviews_dir)
        passages = [passage for review in reviews for passage in review.passages]
        sources = {review.id: review.sha256 for review in reviews}
        real = build_and_open(Path(tmp) / "real", passages, encoder, builder, settings, sources)
        print_real_build(real, settings.embedding_model)
        real["latency"] = measure_latency(real["retriever"], questions, args.queries, "real corpus")
        real["load"] = os.getloadavg()[0]
        print_latency(real, "real corpus", args.queries)
        scores = quality(real["retriever"], dev_set)
        print_quality(scores)
        held_out = held_out_quality(real["retriever"], held_out_set)
        print_held_out(held_out)

        synthetic = build_synthetic(
            Path(tmp) / "synthetic", args.synthetic, encoder, builder, settings, args.paragraph_vectors
        )
        print_synthetic_build(synthetic, label)
        synthetic["latency"] = measure_latency(synthetic["retriever"], questions, args.queries, "synthetic corpus")
        synthetic["load"] = os.getloadavg()[0]
        print_latency(synthetic, label, args.queries)
        recall = ann_recall(synthetic["retriever"], questions)
        if recall:
            ann = synthetic["retriever"].index.manifest["ann"]["units"]
            print(
                f"({ann.get('factory')}, nprobe {ann.get('nprobe')}: recall@10 against an exact scan, by similarity, "
                "dev questions: "
                f"passages {recall['passages']:.3f}, sentence units {recall['units']:.3f})"
            )

    print_summary(real, synthetic, label, args.queries, scores)
    log("done")
    return {"real": real, "synthetic": synthetic, "scores": scores, "held_out": held_out, "label": label}


def main() -> None:
    set_library_environment()
    sys.stdout.reconfigure(line_buffering=True)  # each section shows as soon as it is measured
    run(parser().parse_args())


if __name__ == "__main__":
    main()
