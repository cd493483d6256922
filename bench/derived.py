"""Sentence vectors at a scale no one embeds for a benchmark: real ones, and blends of real ones.

Embedding a million texts takes hours on the 2-core machine; these benchmarks measure the index
and the answer path, not the encoder, so most vectors are *derived*: real vectors of a few tens of
thousands of distinct generated sentences (``bench/synthetic_reviews.py``), embedded once with the
production encoder and kept under ``$HERBOT_HOME/bench/ann``, and each text of the corpus a blend of
two of them, (1 - w) a + w b with w drawn from [0, 0.3], plus a jitter of 0.01 per dimension,
normalised: near-paraphrases of real sentences, no two alike. ``bench/ann.py --vectors both``
measures how far recall on derived vectors stands from recall on real ones.
"""

from __future__ import annotations

import hashlib
import sys
import time

import numpy as np

from bench.synthetic_reviews import SentenceMaker
from herbot.settings import get_settings

_STARTED = time.perf_counter()
BASE = 30_000  # real sentence vectors the derived ones blend
WEIGHT = 0.3
JITTER = 0.01


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def cached(name: str, texts: list[str], encoder, identity: str) -> np.ndarray:
    """The texts' real vectors, embedded once and kept in ``$HERBOT_HOME/bench/ann``."""
    key = hashlib.sha256("\n".join([identity, *texts]).encode()).hexdigest()[:16]
    path = get_settings().home / "bench" / "ann" / f"{name}-{len(texts)}-{key}.npy"
    if path.is_file():
        return np.load(path)
    log(f"embedding {len(texts):,} texts for real ({name}); kept in {path}")
    from knowledge.pipeline import EncodingProgress

    vectors = EncodingProgress(encoder, len(texts), f"embedding {name}", log).encode(texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def derived_vectors(passages, base: np.ndarray, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Passage and unit vectors of ``passages``: each sentence a blend, each window and paragraph the
    normalised mean of its sentences."""
    rng = np.random.default_rng(seed)
    counts = np.array([len(p.sentences) for p in passages])
    total = int(counts.sum())
    sentences = np.concatenate([blends(base, rng, min(200_000, total - start)) for start in range(0, total, 200_000)])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    paragraphs = normalised(np.add.reduceat(sentences, starts))
    units = []
    for start, count in zip(starts, counts, strict=True):
        own = sentences[start:start + count]
        units += [own, normalised(own[:-1] + own[1:])]
    return paragraphs, np.concatenate(units)


def base_texts(count: int) -> list[str]:
    maker = SentenceMaker(99)
    return [maker.sentence() for _ in range(count)]


def base_vectors(encoder, identity: str, count: int = BASE) -> np.ndarray:
    """Real vectors of ``count`` distinct generated sentences (embedded once, then read from the cache)."""
    return cached("base", base_texts(count), encoder, identity)


def normalised(vectors: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(vectors / np.linalg.norm(vectors, axis=1, keepdims=True), dtype=np.float32)


def blends(base: np.ndarray, rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` derived vectors: blends of two random base vectors with a jitter (see the module)."""
    w = rng.uniform(0, WEIGHT, size=(count, 1)).astype(np.float32)
    a, b = rng.integers(len(base), size=count), rng.integers(len(base), size=count)
    jitter = rng.normal(0, JITTER, size=(count, base.shape[1])).astype(np.float32)
    return normalised((1 - w) * base[a] + w * base[b] + jitter)


class DerivedEncoder:
    """An encoder for building a large benchmark index: each text gets a derived vector, the same
    for the same text (seeded by its hash), at no embedding cost."""

    def __init__(self, base: np.ndarray):
        self.base = base
        self.dimension = base.shape[1]

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        seeds = [int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little") for t in texts]
        return np.concatenate([blends(self.base, np.random.default_rng(seed), 1) for seed in seeds])
