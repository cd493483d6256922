"""The retrieval API the actions call: a question in, ranked passages out.

A passage's dense score is the mean of two cosine similarities with the question: its
paragraph's vector (embedded with the review's title as context) and its best unit's
vector, a unit being one of its sentences or a pair of adjacent ones. A long paragraph's
vector blurs the one sentence a short question is about; the sentence alone loses the
context; together they rank best on the development set (see bench/). Dense candidates
come from both FAISS indexes, so this holds at any corpus size.

In hybrid mode BM25 breaks near-ties: the ranking score is the dense score plus
``BM25_WEIGHT`` times the passage's BM25 score over the best BM25 score for the question.
Reciprocal rank fusion, tried first, threw away how close the dense scores were and made
the order of a 15-passage corpus noisy. A passage is returned only if its dense score
reaches ``min_score``: below that the honest answer is "nothing relevant", not the least
bad passage. Scores are similarities (higher is closer), so the threshold is a floor:
``score >= min_score``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from knowledge.index import LoadedIndex
from knowledge.passage import Passage

BM25_WEIGHT = 0.1  # chosen on the dev set; the held-out set (tests/data) checks it
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
        query = self.encoder.encode_query(text)
        scored: dict[int, float] = {}  # each passage is scored once per search

        def score(row: int) -> float:
            if row not in scored:
                scored[row] = self._score(query, row)
            return scored[row]

        want = max(top_k * 4, 32)
        dense = bm25 = None
        # One review's passages are searched among themselves: never a widening search of every passage.
        within = self.index.review_rows.get(filters.review, (0, 0)) if filters.review is not None else None
        if mode in ("dense", "hybrid"):
            dense = self._within(within, filters, score, want) if within else self._filtered(
                lambda k: self._dense(query, k, score), filters, want)
        if mode in ("bm25", "hybrid"):
            bm25 = self._filtered(lambda k: self.index.bm25.search(text, k, rows=within), filters, want,
                                  total=within[1] - within[0] if within else None)
        if mode == "dense":
            rows = [row for row, _ in dense]
        elif mode == "bm25":
            rows = [row for row, _ in bm25]
        else:
            rows = _fuse(dense, bm25, score)
        hits = []
        for row in rows:
            score_ = score(row)
            if score_ < floor:
                continue
            hits.append(self._hit(query, row, score_, len(hits) + 1))
            if len(hits) == top_k:
                break
        return hits

    def _dense(self, query: np.ndarray, k: int, score) -> list[tuple[int, float]]:
        """Passages near the question by paragraph or by sentence, ranked by their dense score."""
        index = self.index
        rows = index.vectors.search(query, k)
        unit_rows = index.sentences.search(query, 3 * k)
        owners = np.searchsorted(index.sentence_offsets, unit_rows, side="right") - 1
        candidates = dict.fromkeys([int(r) for r in rows] + [int(r) for r in owners])
        return sorted(((row, score(row)) for row in candidates), key=lambda item: -item[1])

    def _within(self, rows: tuple[int, int], filters: Filters, score, want: int) -> list[tuple[int, float]]:
        """(row, dense score) of the passages in ``rows`` that ``filters`` allow, best first."""
        allowed = [row for row in range(*rows) if filters.allows(self.passages[row])]
        return sorted(((row, score(row)) for row in allowed), key=lambda item: -item[1])[:want]

    def _filtered(self, search, filters: Filters, want: int, total: int | None = None) -> list[tuple[int, float]]:
        """(row, score) allowed by ``filters``, widening the search until enough are found or none are left
        (``total``: how many the search can find, all passages by default)."""
        total = len(self.passages) if total is None else total
        k = min(want, total)
        while True:
            found = [(row, value) for row, value in search(k) if filters.allows(self.passages[row])]
            if len(found) >= want or k >= total:
                return found[:want]
            k = min(k * 4, total)

    def _score(self, query: np.ndarray, row: int) -> float:
        """Dense score of one passage, from its stored vectors read in place."""
        start, end = int(self.index.sentence_offsets[row]), int(self.index.sentence_offsets[row + 1])
        best_unit = float(np.max(self.index.unit_matrix[start:end] @ query))
        return (float(self.index.passage_matrix[row] @ query) + best_unit) / 2

    def _hit(self, query: np.ndarray, row: int, score: float, rank: int) -> Hit:
        """The hit for ``row``, quoting its one sentence closest to the question (never a pair)."""
        passage = self.passages[row]
        sentences = passage.sentences or (passage.text,)
        start = int(self.index.sentence_offsets[row])
        sentence_scores = self.index.unit_matrix[start : start + len(sentences)] @ query
        best = int(np.argmax(sentence_scores))
        return Hit(passage, score, sentences[best], float(sentence_scores[best]), rank)


def _fuse(dense: list[tuple[int, float]], bm25: list[tuple[int, float]], score) -> list[int]:
    """Rows by dense score plus ``BM25_WEIGHT`` times their BM25 score relative to the best one."""
    top = max((value for _, value in bm25), default=0.0)
    lexical = {row: value / top for row, value in bm25} if top > 0 else {}
    rows = dict.fromkeys([row for row, _ in dense] + [row for row, _ in bm25])
    fused = {row: score(row) + BM25_WEIGHT * lexical.get(row, 0.0) for row in rows}
    return sorted(fused, key=lambda row: (-fused[row], row))


def open_retriever(settings) -> Retriever:
    """Load the configured model and index; raises ``IndexUnavailable`` with a clear message.

    ``settings`` is herbot's settings object (``knowledge`` reads it, never imports it).
    """
    from knowledge import index
    from knowledge.embedding import open_encoder

    encoder = open_encoder(settings)
    loaded = index.load(settings.index_dir, model_name=settings.embedding_model, dimension=encoder.dimension)
    return Retriever(
        loaded,
        encoder,
        min_score=settings.min_score,
        max_query_chars=settings.max_query_chars,
        mode=settings.retrieval_mode,
    )
