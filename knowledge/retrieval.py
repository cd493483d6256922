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

from knowledge import ann
from knowledge.index import LoadedIndex
from knowledge.passage import Passage

BM25_WEIGHT = 0.1  # chosen on the dev set; the held-out set (tests/data) checks it
# Up to this many reader comments in the corpus, a comments search scores each of them; with more (about 5,000 at
# 10,000 reviews), the nearest-neighbour search finds them, kept to comment rows as the spoiler filter is.
COMMENTS_SCORED = 2_000
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
            (self.spoilers or not passage.shows_nothing)
            and (self.review is None or passage.review == self.review)
            and (self.section is None or passage.section == self.section)
            and (self.include_off_topic or not passage.off_topic)
        )


@dataclass(frozen=True)
class Hit:
    """One ranked passage, with the sentence in it that best answers the question (``spoiler``: that sentence
    gives the ending away)."""

    passage: Passage
    score: float
    sentence: str
    sentence_score: float
    rank: int
    spoiler: bool = False

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
        self._masks: dict[tuple, tuple | None] = {}

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
                score_all([row])
            return scored[row]

        def score_all(rows) -> list[tuple[int, float]]:
            """(row, dense score) of each of ``rows``, the new ones scored together (vectorised)."""
            new = np.array([row for row in rows if row not in scored], dtype=np.int64)
            if len(new):
                scored.update(zip(new.tolist(), self._scores(query, new).tolist(), strict=True))
            return [(row, scored[row]) for row in rows]

        want = max(top_k * 4, 32)
        dense = bm25 = None
        # One review's passages, or the reader comments, are searched among themselves: a filter that
        # leaves few passages never widens the search to every passage of the corpus.
        subset = self._subset(filters)
        # A filter on every review (no spoilers, no off-topic comments) is applied inside the searches, so
        # that the first k found are allowed: widening k until enough pass would grow with the corpus.
        allowed = self._allowed(filters) if subset is None else None
        if mode in ("dense", "hybrid"):
            dense = self._among(subset, filters, score_all, want) if subset is not None else self._filtered(
                lambda k: self._dense(query, k, score_all, allowed), filters, want,
                total=None if allowed is None else allowed[0].count)
        if mode in ("bm25", "hybrid"):
            rows = subset if allowed is None else allowed[2]
            bm25 = self._filtered(lambda k: self.index.bm25.search(text, k, rows=rows), filters, want,
                                  total=None if rows is None else len(rows))
        if mode == "dense":
            rows = [row for row, _ in dense]
        elif mode == "bm25":
            rows = [row for row, _ in bm25]
        else:
            rows = _fuse(dense, bm25, score_all)
        hits = []
        for row in rows:
            score_ = score(row)
            if score_ < floor:
                continue
            hits.append(self._hit(query, row, score_, len(hits) + 1, hide_spoilers=not filters.spoilers))
            if len(hits) == top_k:
                break
        return hits

    def _dense(self, query: np.ndarray, k: int, score_all, allowed=None) -> list[tuple[int, float]]:
        """Passages near the question by paragraph or by sentence, ranked by their dense score (``allowed``:
        only those of :meth:`_allowed`)."""
        index = self.index
        rows = index.vectors.search(query, k, None if allowed is None else allowed[0])
        unit_rows = index.sentences.search(query, 3 * k, None if allowed is None else allowed[1])
        owners = np.searchsorted(index.sentence_offsets, unit_rows, side="right") - 1
        candidates = dict.fromkeys([int(r) for r in rows] + [int(r) for r in owners])
        return sorted(score_all(list(candidates)), key=lambda item: -item[1])

    @cached_property
    def _comment_rows(self) -> np.ndarray:
        return np.array([row for row, p in enumerate(self.passages) if p.section == "comment"], dtype=np.int64)

    def _allowed(self, filters: Filters) -> tuple[ann.Allowed, ann.Allowed, np.ndarray] | None:
        """The passages and units a filter on every review allows, and the allowed passage rows; None when it
        allows all. Worked out once per kind of filter."""
        key = (filters.spoilers, filters.section, filters.include_off_topic)
        if key not in self._masks:
            mask = np.fromiter((filters.allows(p) for p in self.passages), dtype=bool, count=len(self.passages))
            units = np.repeat(mask, np.diff(self.index.sentence_offsets))
            self._masks[key] = None if mask.all() else (ann.Allowed(mask), ann.Allowed(units), np.flatnonzero(mask))
        return self._masks[key]

    def _subset(self, filters: Filters) -> np.ndarray | None:
        """The rows a filter confines a search to when they are few (one review's, up to ``COMMENTS_SCORED``
        comments), else None."""
        if filters.review is not None:
            return np.arange(*self.index.review_rows.get(filters.review, (0, 0)), dtype=np.int64)
        if filters.section == "comment" and len(self._comment_rows) <= COMMENTS_SCORED:
            return self._comment_rows
        return None

    def _among(self, rows: np.ndarray, filters: Filters, score_all, want: int) -> list[tuple[int, float]]:
        """(row, dense score) of the passages of ``rows`` that ``filters`` allow, best first."""
        passages = self.passages
        allowed = [row for row in rows.tolist() if filters.allows(passages[row])]
        return sorted(score_all(allowed), key=lambda item: -item[1])[:want]

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

    def _scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Dense scores of passages, from their stored vectors: the mean of the paragraph's cosine and its
        best unit's."""
        offsets = self.index.sentence_offsets
        starts = offsets[rows]
        counts = offsets[rows + 1] - starts
        firsts = np.cumsum(counts) - counts
        units = np.repeat(starts - firsts, counts) + np.arange(int(counts.sum()))
        best_unit = np.maximum.reduceat(self.index.unit_matrix[units] @ query, firsts)
        paragraph = self.index.passage_matrix[rows] @ query
        return (paragraph.astype(np.float64) + best_unit.astype(np.float64)) / 2

    def _hit(self, query: np.ndarray, row: int, score: float, rank: int, hide_spoilers: bool = False) -> Hit:
        """The hit for ``row``, quoting its one sentence closest to the question (never a pair); with
        ``hide_spoilers``, its closest sentence that gives nothing away."""
        passage = self.passages[row]
        sentences = passage.sentences or (passage.text,)
        start = int(self.index.sentence_offsets[row])
        sentence_scores = self.index.unit_matrix[start : start + len(sentences)] @ query
        if hide_spoilers and passage.spoiler:
            sentence_scores = np.where(passage.spoiling(), -np.inf, sentence_scores)
        best = int(np.argmax(sentence_scores))
        return Hit(passage, score, sentences[best], float(sentence_scores[best]), rank, passage.spoils(best))


def _fuse(dense: list[tuple[int, float]], bm25: list[tuple[int, float]], score_all) -> list[int]:
    """Rows by dense score plus ``BM25_WEIGHT`` times their BM25 score relative to the best one."""
    top = max((value for _, value in bm25), default=0.0)
    lexical = {row: value / top for row, value in bm25} if top > 0 else {}
    rows = list(dict.fromkeys([row for row, _ in dense] + [row for row, _ in bm25]))
    fused = {row: value + BM25_WEIGHT * lexical.get(row, 0.0) for row, value in score_all(rows)}
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
