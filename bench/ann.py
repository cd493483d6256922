"""Approximate search at scale: recall@10 against an exact scan, latency and memory, per index type.

Run ``.venv/bin/python -m bench.ann [--units 100000,1000000] [--vectors derived|real]``. For each
size it makes a synthetic corpus of passages whose sentences never repeat
(``bench/synthetic_reviews.py``), takes its sentence units (each sentence, then each pair of
adjacent sentences, as ``knowledge/index.py`` does) and its passages, and measures, per unit type:

- an exact scan (``faiss.knn``), the reference;
- HNSW (flat storage) at several ``efSearch``;
- IVF with flat and with 8-bit scalar-quantised (SQ8) codes at several ``nprobe``, the quantised
  one re-scored exactly from the stored vectors as herbot does (``knowledge/ann.py``: ``RERANK``
  candidates per row wanted). Product quantisation is left out: herbot keeps the float32 vectors
  for scoring anyway, so PQ could save at most SQ8's quarter, and on 20,000 units it trained
  thirty times slower and lost recall (0.90 at nprobe 128, against 0.99).

Recall@10 is the share of the exact ten nearest found among the approximate ten (by score: a
hit counts when it is at least as close as the exact tenth). Latency is one question on one
thread, its encoding included (the real encoder, each question encoded afresh). Memory is the
index structure's own size; herbot also keeps the float32 vectors (4 x 384 bytes a row) for
scoring, which the table states apart.

Vectors (``--vectors``):

- ``real``: every unit and paragraph embedded with the production encoder (100,000 units take
  about 15 minutes on the 2-core machine; cached under ``$HERBOT_HOME/bench/ann``).
- ``derived`` (default): each sentence a blend of two real sentence vectors with a jitter, each
  window and paragraph the normalised mean of its sentences (``bench/derived.py``): near-paraphrases
  of real sentences, no two alike, at a millionth of the cost. ``--vectors both`` at one size
  measures both, to show how far the derived vectors stand from real ones.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from bench.derived import BASE, base_vectors, cached, derived_vectors, log
from bench.synthetic_reviews import SentenceMaker
from herbot.settings import PROJECT_ROOT, get_settings, set_library_environment
from knowledge import ann, index
from knowledge.embedding import open_encoder
from knowledge.evaluation import load_dev_set
from knowledge.model_export import ensure_exported
from knowledge.passage import Passage

K = 10
HNSW_M = 32
HNSW_EF = (64, 128, 256)
NPROBES = (16, 32, 64, 128, 256)
QUESTION_TEMPLATES = (
    "what did the critics think of {subject}?", "was {actor} good as {character}?", "is {subject} any good?",
    "how is {subject}?", "did anyone dislike {subject}?", "what do reviewers say about {theme}?",
    "does the film remind anyone of {film}?", "is it {adj}?", "why is it so {adj}?",
)
def corpus(units: int, seed: int = 13) -> list[Passage]:
    """Passages of two to six distinct sentences until they hold ``units`` sentence units."""
    maker = SentenceMaker(seed)
    passages, total = [], 0
    while total < units:
        sentences = tuple(maker.sentence() for _ in range(maker.rng.randint(2, 6)))
        n = len(passages) + 1
        passages.append(Passage(id=f"s/p{n}", review=f"s{n // 8}", review_title="Synthetic review", author=None,
                                section="body", position=n, text=" ".join(sentences), sentences=sentences,
                                spoiler=False))
        total += 2 * len(sentences) - 1
    return passages


def questions(count: int, seed: int = 7) -> list[str]:
    """The dev and held-out questions, then generated ones, ``count`` in all."""
    import random

    import synthetic_reviews as words

    found = [item["q"] for name in ("retrieval_dev.yaml", "retrieval_heldout.yaml")
             for item in load_dev_set(PROJECT_ROOT / "tests" / "data" / name)["questions"]]
    rng = random.Random(seed)
    maker = SentenceMaker(seed)
    while len(found) < count:
        subject = maker._fill(rng.choice(words.SUBJECTS))
        found.append(maker._fill(rng.choice(QUESTION_TEMPLATES).replace("{subject}", subject)))
    return found[:count]


def real_vectors(passages: list[Passage], encoder, identity: str) -> tuple[np.ndarray, np.ndarray]:
    paragraphs = cached("paragraphs", [index.paragraph_text(p) for p in passages], encoder, identity)
    units = cached("units", [t for p in passages for t in index.unit_texts(p)], encoder, identity)
    return paragraphs, units


def exact_top(matrix: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The exact ten nearest rows of each query and the tenth's score."""
    import faiss

    scores, rows = faiss.knn(queries, matrix, K, metric=faiss.METRIC_INNER_PRODUCT)
    return rows, scores[:, -1]


def recall(found: np.ndarray, matrix: np.ndarray, queries: np.ndarray, tenth: np.ndarray) -> float:
    hits = [np.sum(matrix[rows[rows >= 0]] @ query >= kth - 1e-6) for rows, query, kth in zip(found, queries, tenth,
                                                                                              strict=True)]
    return float(np.mean(hits)) / K


def timed_search(search, queries: np.ndarray, encode_ms: float) -> tuple[np.ndarray, float]:
    """Every query's ten rows, and the p50 of one search plus the measured p50 encoding (ms)."""
    found, times = [], []
    for query in queries:
        started = time.perf_counter()
        found.append(search(query))
        times.append((time.perf_counter() - started) * 1000)
    return np.array(found), float(np.percentile(times, 50)) + encode_ms


def faiss_bytes(index_) -> int:
    import faiss

    return int(faiss.serialize_index(index_).size)


def measure(name: str, matrix: np.ndarray, queries: np.ndarray, encode_ms: float, args) -> list[list[str]]:
    """Rows of the trade-off table for one unit type."""
    import faiss

    rows_out = []
    _, tenth = exact_top(matrix, queries)
    exact = ann.NearestRows(matrix)
    found, p50 = timed_search(lambda q: exact.search(q, K), queries, encode_ms)
    rows_out.append([name, f"{len(matrix):,}", "exact scan", "-", f"{recall(found, matrix, queries, tenth):.3f}",
                     f"{p50:.1f}", "0", "-"])
    if not args.no_hnsw:
        log(f"{name}: HNSW M={HNSW_M} over {len(matrix):,}")
        started = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(matrix.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 80
        with threads(os.cpu_count()):
            hnsw.add(matrix)
        built = time.perf_counter() - started
        graph = faiss_bytes(hnsw) - matrix.nbytes
        for ef in HNSW_EF:
            hnsw.hnsw.efSearch = ef
            found, p50 = timed_search(lambda q: hnsw.search(q[None, :], K)[1][0], queries, encode_ms)
            rows_out.append([name, f"{len(matrix):,}", f"HNSW M={HNSW_M}, efSearch {ef}", "-",
                             f"{recall(found, matrix, queries, tenth):.3f}", f"{p50:.1f}", f"{graph / 1e6:,.0f}",
                             f"{built:.0f}"])
        del hnsw
    nlist = ann.nlist_for(len(matrix))
    for codes in ("Flat", "SQ8"):
        log(f"{name}: IVF{nlist},{codes} over {len(matrix):,}")
        started = time.perf_counter()
        with threads(os.cpu_count()):
            structure = _ivf(matrix, nlist, codes)
        built = time.perf_counter() - started
        size = faiss_bytes(structure)
        rescored = ann.NearestRows(matrix, structure)
        if codes == "Flat":
            def search(query, structure=structure):
                return structure.search(query[None, :], K)[1][0]
        else:
            def search(query, rescored=rescored):
                return rescored.search(query, K)
        for nprobe in NPROBES:
            structure.nprobe = nprobe
            found, p50 = timed_search(search, queries, encode_ms)
            rerank = "-" if codes == "Flat" else f"{ann.RERANK * K}"
            rows_out.append([name, f"{len(matrix):,}", f"IVF{nlist},{codes}, nprobe {nprobe}", rerank,
                             f"{recall(found, matrix, queries, tenth):.3f}", f"{p50:.1f}", f"{size / 1e6:,.0f}",
                             f"{built:.0f}"])
    return rows_out


def _ivf(matrix: np.ndarray, nlist: int, codes: str):
    """An IVF index trained as knowledge/ann.py trains it, with the given codes."""
    saved = ann.CODES
    ann.CODES = codes
    try:
        structure = ann.train(matrix)
    finally:
        ann.CODES = saved
    structure.add_with_ids(matrix, np.arange(len(matrix), dtype=np.int64))
    return structure


class threads:
    """FAISS on ``count`` threads inside the block, one thread after it (as a server runs)."""

    def __init__(self, count: int):
        self.count = count

    def __enter__(self):
        import faiss

        faiss.omp_set_num_threads(self.count)

    def __exit__(self, *_):
        import faiss

        faiss.omp_set_num_threads(1)


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, ["-" * w for w in widths], *rows]:
        lines.append("  ".join([row[0].ljust(widths[0])] + [str(c).rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                                               strict=True)]))
    return "\n".join(lines)


def main() -> None:
    set_library_environment()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="100000,1000000", help="sentence units per corpus, comma-separated")
    parser.add_argument("--vectors", choices=("derived", "real", "both"), default="derived")
    parser.add_argument("--base", type=int, default=BASE, help="real sentence vectors the derived ones blend")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-hnsw", action="store_true", help="leave HNSW out (its build is the slowest)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    import faiss

    faiss.omp_set_num_threads(1)
    settings = get_settings()
    ensure_exported(settings.encoder_dir, settings.embedding_model)
    from knowledge.model_export import exported_identity

    identity = exported_identity(settings.encoder_dir)
    query_encoder = open_encoder(settings, threads=1)
    builder = open_encoder(settings, threads=os.cpu_count())
    asked = questions(args.queries)
    times, vectors = [], []
    for question in asked:
        query_encoder.forget_recent()
        started = time.perf_counter()
        vectors.append(query_encoder.encode_query(question))
        times.append((time.perf_counter() - started) * 1000)
    queries, encode_ms = np.stack(vectors), float(np.percentile(times, 50))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; faiss {faiss.__version__}; "
          f"{len(asked)} questions (dev and held-out, then generated); encoding p50 {encode_ms:.1f} ms, one thread")
    header = ["units", "rows", "index", "re-scored", f"recall@{K}", "p50 ms (encode incl.)", "index MB", "build s"]
    for size in (int(n) for n in args.units.split(",")):
        passages = corpus(size)
        sentences = sum(len(p.sentences) for p in passages)
        kinds = ("derived", "real") if args.vectors == "both" else (args.vectors,)
        for kind in kinds:
            log(f"{size:,} units: {len(passages):,} passages, {sentences:,} distinct sentences, {kind} vectors")
            if kind == "real":
                paragraphs, units = real_vectors(passages, builder, identity)
            else:
                base = base_vectors(builder, identity, args.base)
                paragraphs, units = derived_vectors(passages, base)
            rows = measure("passages", paragraphs, queries, encode_ms, args) + measure("units", units, queries,
                                                                                       encode_ms, args)
            print(f"\n== {size:,} sentence units ({len(units):,}), {len(paragraphs):,} passages; {kind} vectors; "
                  f"float32 vectors kept for scoring: {(units.nbytes + paragraphs.nbytes) / 1e6:,.0f} MB ==")
            print(table(header, rows))
            print(f"(load average now {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
