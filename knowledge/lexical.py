"""BM25 over the same passages as the dense index, for exact names and rare words.

Words are stemmed (Snowball English via PyStemmer) so that "voices" meets "voiced". Each
passage's token ids are kept beside the index (``TOKENS``): an update tokenizes only the new
passages and reuses the others' tokens (the vocabulary keeps its ids and grows), which halves
the cost of BM25 at 100,000 passages; the scores are those of a fresh build.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.text import stemmer

# What :meth:`LexicalIndex.load` reads; the index manifest checksums them (and whatever else a save wrote).
FILES = ("params.index.json", "vocab.index.json", "data.csc.index.npy", "indices.csc.index.npy",
         "indptr.csc.index.npy", "size.npy")
TOKENS = ("tokens.npy", "token_offsets.npy")  # each passage's token ids, for the next update


def _tokenize(texts: list[str], **options):
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=stemmer(), show_progress=False, **options)


class LexicalIndex:
    """A thin wrapper over ``bm25s`` that returns (passage row, score) pairs."""

    def __init__(self, model, size: int, tokens: np.ndarray | None = None, offsets: np.ndarray | None = None):
        self._model = model
        self._size = size
        self._tokens, self._offsets = tokens, offsets

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
        if self._tokens is not None:
            np.save(folder / TOKENS[0], self._tokens)
            np.save(folder / TOKENS[1], self._offsets)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        size = int(np.load(folder / "size.npy")[0])
        return cls(bm25s.BM25.load(str(folder), mmap=False), size)


@dataclass(frozen=True)
class Tokens:
    """A saved index's vocabulary and each passage's token ids: what an update reuses."""

    vocab: dict[str, int]
    ids: np.ndarray
    offsets: np.ndarray

    @classmethod
    def read(cls, folder: Path) -> Tokens | None:
        """The tokens kept in ``folder`` (None when it has none, or they cannot be read)."""
        try:
            vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
            return cls(vocab, np.load(folder / TOKENS[0]), np.load(folder / TOKENS[1]))
        except (OSError, ValueError):
            return None

    def of(self, row: int) -> list[int]:
        return self.ids[self.offsets[row]:self.offsets[row + 1]].tolist()


def build(texts: list[str], previous: Tokens | None = None, old_rows=None) -> LexicalIndex:
    """BM25 over ``texts``; with ``previous``, passage ``i`` takes the tokens of the previous row
    ``old_rows[i]`` when that is not -1, and only the others are tokenized."""
    import bm25s

    vocab = dict(previous.vocab) if previous is not None else {}
    reused = [int(row) for row in old_rows] if previous is not None else [-1] * len(texts)
    fresh = iter(_tokenize([text for text, row in zip(texts, reused, strict=True) if row < 0], return_ids=False))
    documents = []
    for row in reused:
        if row >= 0:
            documents.append(previous.of(row))
            continue
        documents.append([vocab.setdefault(token, len(vocab)) for token in next(fresh)])
    model = bm25s.BM25()
    model.index((documents, vocab), show_progress=False)
    offsets = np.cumsum([0] + [len(document) for document in documents]).astype(np.int64)
    ids = np.concatenate([np.asarray(document, dtype=np.int32) for document in documents]) if documents else \
        np.zeros(0, dtype=np.int32)
    return LexicalIndex(model, len(texts), ids, offsets)
