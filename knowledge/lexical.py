"""BM25 over the same passages as the dense index, for exact names and rare words.

Words are stemmed (Snowball English via PyStemmer) so that "voices" meets "voiced".
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

# What :meth:`LexicalIndex.load` reads; the index manifest checksums them (and whatever else a save wrote).
FILES = ("params.index.json", "vocab.index.json", "data.csc.index.npy", "indices.csc.index.npy",
         "indptr.csc.index.npy", "size.npy")


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def _tokenize(texts: list[str], **options):
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), show_progress=False, **options)


class LexicalIndex:
    """A thin wrapper over ``bm25s`` that returns (passage row, score) pairs."""

    def __init__(self, model, size: int):
        self._model = model
        self._size = size

    def search(self, query: str, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to ``k`` passages by BM25 score, best first; passages with no match are left out.

        ``rows``: only these passages (ascending rows: one review's, the comments), ranked among themselves."""
        k = min(k, self._size if rows is None else len(rows))
        tokens = _tokenize([query], return_ids=False)
        if k <= 0 or not any(tokens):
            return []
        # Words unknown to the corpus vocabulary carry no signal for BM25.
        known = [t for t in tokens[0] if t in self._model.vocab_dict]
        if not known:
            return []
        # Scores for every passage, then the top k: bm25s.retrieve does the same with a thread
        # pool and progress bookkeeping that cost more than the scoring on one question.
        scores = self._model.get_scores(known)
        rows = np.arange(len(scores)) if rows is None else rows
        scores = scores[rows]
        found = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        found = np.sort(found)  # ties in row order, the same on every run
        found = found[np.argsort(-scores[found], kind="stable")]
        found = found[scores[found] > 0]
        return list(zip(rows[found].tolist(), scores[found].tolist(), strict=True))

    def save(self, folder: Path) -> None:
        self._model.save(str(folder))
        np.save(folder / "size.npy", np.array([self._size]))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        size = int(np.load(folder / "size.npy")[0])
        return cls(bm25s.BM25.load(str(folder), mmap=False), size)


def build(texts: list[str]) -> LexicalIndex:
    import bm25s

    model = bm25s.BM25()
    model.index(_tokenize(texts), show_progress=False)
    return LexicalIndex(model, len(texts))
