"""The retrieval API the actions call: a question in, ranked passages out.

A passage's dense score is the mean of two cosine similarities with the question:
its whole paragraph's vector and its best sentence's vector. A long paragraph's
vector blurs the one sentence a short question is about; the sentence alone loses
the context; together they rank best on the development set (see bench/). Dense
candidates come from both FAISS indexes, so this holds at any corpus size.

Dense and BM25 rankings are fused by reciprocal rank fusion. A passage is returned
only if its dense score reaches ``min_score``: below that the honest answer is
"nothing relevant", not the least bad passage. Scores are similarities (higher is
closer), so the threshold is a floor: ``score >= min_score``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from knowledge.index import LoadedIndex
from knowledge.passage import Passage

_RRF_K = 60  # the constant from Cormack et al. (2009); robust across collections
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class QueryError(ValueError):
    """The question cannot be searched (empty, too long); the message says why."""


@dataclass(frozen=True)
class Filters:
    """Which passages a search may return."""

    spoilers: bool = True
    review: str | None = None
    section: str | None = None  # "body" or "comment"
    include_off_topic: bool = False

    def allows(self, passage: Passage) -> bool:
        return (
            (self.spoilers or not passage.spoiler)
            and (self.review is None or passage.review == self.review)
            and (self.section is None or passage.section == self.section)
            and (self.include_off_topic or not passage.off_topic)
        )


@dataclass(frozen=True)
class Hit:
    """One ranked passage, with the sentence in it that best answers the question."""

    passage: Passage
    score: float
    sentence: str
    sentence_score: float
    rank: int

    def to_dict(self) -> dict:
        return {
            **self.passage.to_dict(),
            "score": round(self.score, 4),
            "sentence": self.sentence,
            "sentence_score": round(self.sentence_score, 4),
            "rank": self.rank,
            "source": self.passage.source_label,
        }


def clean_query(question: str, max_chars: int) -> str:
    """The question as searched: control characters removed, space folded, size checked."""
    if not isinstance(question, str):
        raise QueryError("the question must be text")
    text = " ".join(_CONTROL.sub(" ", question).split())
    if not text:
        raise QueryError("the question is empty")
    if len(text) > max_chars:
        raise QueryError(f"the question is {len(text):,} characters long; the limit is {max_chars:,}")
    return text


class Retriever:
    """Searches one loaded index with one loaded encoder; safe to share between threads."""

    def __init__(self, index: LoadedIndex, encoder, *, min_score: float, max_query_chars: int, mode: str = "hybrid"):
        self.index = index
        self.encoder = encoder
        self.min_score = min_score
        self.max_query_chars = max_query_chars
        self.mode = mode

    @property
    def passages(self) -> tuple[Passage, ...]:
        return self.index.passages

    @cached_property
    def reviews(self) -> dict[str, Passage]:
        """Each review's id and its first passage (title, author), in a stable order; computed once."""
        first: dict[str, Passage] = {}
        for passage in self.passages:
            first.setdefault(passage.review, passage)
        return dict(sorted(first.items()))

    def search(
        self,
        question: str,
        top_k: int = 5,
        *,
        filters: Filters = Filters(),
        min_score: float | None = None,
        mode: str | None = None,
    ) -> list[Hit]:
        """Best passages for ``question``, at most ``top_k``, each at or above the score floor."""
        text = clean_query(question, self.max_query_chars)
        if top_k < 1:
            raise QueryError("top_k must be at least 1")
        mode = mode or self.mode
        floor = self.min_score if min_score is None else min_score
        query = self.encoder.encode([text])[0]
        scored: dict[int, tuple[float, str, float]] = {}  # each passage is scored once per search

        def score(row: int) -> tuple[float, str, float]:
            if row not in scored:
                scored[row] = self._score(query, row)
            return scored[row]

        want = max(top_k * 4, 32)
        ranked: list[list[int]] = []
        if mode in ("dense", "hybrid"):
            ranked.append(self._filtered(lambda k: self._dense(query, k, score), filters, want))
        if mode in ("bm25", "hybrid"):
            ranked.append(self._filtered(lambda k: self.index.bm25.search(text, k), filters, want))
        rows = _fuse(ranked) if len(ranked) > 1 else ranked[0]
        hits = []
        for row in rows:
            score_, sentence, sentence_score = score(row)
            if score_ < floor:
                continue
            hits.append(Hit(self.passages[row], score_, sentence, sentence_score, len(hits) + 1))
            if len(hits) == top_k:
                break
        return hits

    def _dense(self, query: np.ndarray, k: int, score) -> list[tuple[int, float]]:
        """Passages near the question by paragraph or by sentence, ranked by their dense score."""
        index = self.index
        _, rows = index.vectors.search(query[None, :], min(k, index.vectors.ntotal))
        _, sentence_rows = index.sentences.search(query[None, :], min(2 * k, index.sentences.ntotal))
        owners = np.searchsorted(index.sentence_offsets, sentence_rows[0][sentence_rows[0] >= 0], side="right") - 1
        candidates = dict.fromkeys([int(r) for r in rows[0] if r >= 0] + [int(r) for r in owners])
        return sorted(((row, score(row)[0]) for row in candidates), key=lambda item: -item[1])

    def _filtered(self, search, filters: Filters, want: int) -> list[int]:
        """Rows allowed by ``filters``, widening the search until enough are found or none are left."""
        total = len(self.passages)
        k = min(want, total)
        while True:
            found = [row for row, _ in search(k) if filters.allows(self.passages[row])]
            if len(found) >= want or k >= total:
                return found[:want]
            k = min(k * 4, total)

    def _score(self, query: np.ndarray, row: int) -> tuple[float, str, float]:
        """Dense score of one passage, and its best sentence with that sentence's cosine."""
        start, end = int(self.index.sentence_offsets[row]), int(self.index.sentence_offsets[row + 1])
        sentence_scores = self.index.sentences.reconstruct_n(start, end - start) @ query
        best = int(np.argmax(sentence_scores))
        paragraph_score = float(self.index.vectors.reconstruct(row) @ query)
        passage = self.passages[row]
        sentence = (passage.sentences or (passage.text,))[best]
        best_score = float(sentence_scores[best])
        return (paragraph_score + best_score) / 2, sentence, best_score


def _fuse(rankings: Iterable[list[int]]) -> list[int]:
    """Reciprocal rank fusion: rows ordered by the sum of 1 / (k + rank) over the rankings."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + 1.0 / (_RRF_K + rank)
    return sorted(scores, key=lambda row: (-scores[row], row))


_lock = threading.Lock()
_retriever: Retriever | None = None


def get_retriever() -> Retriever:
    """The process-wide retriever, loaded on first use (not at import, not per request)."""
    global _retriever
    if _retriever is None:
        with _lock:
            if _retriever is None:
                _retriever = open_retriever()
    return _retriever


def open_retriever(settings=None) -> Retriever:
    """Load the configured model and index; raises ``IndexUnavailable`` with a clear message."""
    from herbot.settings import get_settings
    from knowledge import index
    from knowledge.embedding import Encoder

    settings = settings or get_settings()
    encoder = Encoder(settings.embedding_model)
    loaded = index.load(settings.index_dir, model_name=settings.embedding_model, dimension=encoder.dimension)
    return Retriever(
        loaded,
        encoder,
        min_score=settings.min_score,
        max_query_chars=settings.max_query_chars,
        mode=settings.retrieval_mode,
    )
