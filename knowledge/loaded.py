"""Everything a process loads once and answers from: the retriever, the film facts, the
reviews with their metadata and verdicts, and the topics with their vectors.

One :class:`Knowledge` per process, built on first use (:func:`get_knowledge`) and handed
to every answer; what it derives from the index (verdicts, which review covers which
topic) is worked out once here, so a turn never walks every review.
"""

from __future__ import annotations

import re
import threading
from functools import cached_property

import numpy as np

from knowledge.aspects import Topics, load_aspects
from knowledge.review_set import ReviewInfo, ReviewSet
from knowledge.stance import classifier, stances
from knowledge.verdict_questions import VerdictQuestions
from knowledge.verdicts import VERDICT_QUERY, Verdict, agreement, keenest_first, review_verdicts

NARRATION_QUERY = "what happens in the story: what the characters do and what happens to them"


class Knowledge:
    """The retriever, the facts and the review set of one process; safe to share between threads."""

    def __init__(self, retriever, facts, cache_dir=None):
        """``cache_dir``: where the stance anchors' vectors are kept between processes (None: encoded each time)."""
        self.retriever = retriever
        self.facts = facts
        self.cache_dir = cache_dir
        rows = list(retriever.index.reviews) or [
            {"id": review, "title": passage.review_title, "author": passage.author, "outlet": passage.outlet,
             "url": passage.url} for review, passage in retriever.reviews.items()]
        self.reviews = ReviewSet.from_metadata(sorted(rows, key=lambda row: row["id"]))
        self.topics = Topics(load_aspects(known_names=own_names(facts, self.reviews)), retriever.encoder)
        self._lock = threading.Lock()

    def review(self, review_id: str) -> ReviewInfo:
        return self.reviews[review_id]

    @cached_property
    def verdict_vector(self) -> np.ndarray:
        """Towards sentences that sum up a review's judgement."""
        return self.retriever.encoder.encode([VERDICT_QUERY])[0]

    @cached_property
    def verdicts(self) -> dict[str, Verdict]:
        ratings = {review.id: review.rating for review in self.reviews}
        return review_verdicts(self.retriever.index, self.verdict_vector, ratings, self.stances)

    @cached_property
    def verdicts_in_order(self) -> list[Verdict]:
        """Every review's verdict, in the set's order (a review with no body text has none)."""
        return [self.verdicts[review] for review in self.reviews.ids if review in self.verdicts]

    @cached_property
    def verdict_reviews(self) -> tuple[str, ...]:
        return tuple(verdict.review for verdict in self.verdicts_in_order)

    @cached_property
    def verdict_counts(self) -> dict[str, int]:
        """How many verdicts are positive, mixed and negative: the agreement of the whole set."""
        return agreement(self.verdicts_in_order)

    @cached_property
    def _keenest(self) -> dict[tuple[str, bool], list[Verdict]]:
        return {(stance, coolest): keenest_first([v for v in self.verdicts_in_order if v.stance == stance], coolest)
                for stance in ("positive", "mixed", "negative") for coolest in (False, True)}

    def keenest(self, stance: str, coolest_first: bool = False) -> list[Verdict]:
        """The verdicts of one stance, the keenest first (or the coolest), sorted once per process."""
        return self._keenest.get((stance, coolest_first), [])

    @cached_property
    def verdict_questions(self) -> VerdictQuestions:
        return VerdictQuestions(self.retriever.encoder)

    @cached_property
    def narration(self) -> np.ndarray:
        """Towards telling what happens and away from judging it: the plot answers' preference."""
        return self.retriever.encoder.encode([NARRATION_QUERY])[0] - self.verdict_vector

    def stances(self, sentences: list[str], vectors: np.ndarray) -> list[str]:
        """Each sentence's stance (positive, negative, mixed, neutral), from it and its stored vector."""
        return stances(sentences, vectors, encoder=self.retriever.encoder) if sentences else []

    @cached_property
    def coverage(self) -> dict[str, set[str]]:
        """For each topic, the reviews with a quotable (spoiler-free, on-the-film) sentence on it."""
        index = self.retriever.index
        covered: dict[str, set[str]] = {name: set() for name in self.topics.aspects}
        for row, passage in enumerate(index.passages):
            if passage.spoiler or passage.off_topic or passage.section != "body" or not passage.sentences:
                continue
            start = int(index.sentence_offsets[row])
            vectors = index.unit_matrix[start:start + len(passage.sentences)]
            for name in self.topics.aspects:
                if passage.review not in covered[name] and self.topics.speaks_to(name, list(passage.sentences),
                                                                                 vectors).any():
                    covered[name].add(passage.review)
        return covered

    @cached_property
    def _covering(self) -> dict[str, list[str]]:
        return {name: sorted(reviews) for name, reviews in self.coverage.items()}

    def covering(self, aspect: str) -> list[str]:
        """The reviews with a quotable sentence on ``aspect``, in the set's order (sorted once)."""
        return self._covering.get(aspect, [])

    def sentence_vectors(self, passage_id: str) -> np.ndarray:
        """The stored vectors of a passage's sentences, in order (read in place)."""
        row = self._rows[passage_id]
        index = self.retriever.index
        start = int(index.sentence_offsets[row])
        return index.unit_matrix[start:start + len(index.passages[row].sentences)]

    @cached_property
    def _rows(self) -> dict[str, int]:
        return {passage.id: row for row, passage in enumerate(self.retriever.index.passages)}

    def warm(self) -> Knowledge:
        """Work out now what the first turns would otherwise wait for: everything computed over all reviews or
        passages (verdicts, coverage, the rows of each review, the comments' rows, the regex of every review
        name) is computed here, once."""
        _ = classifier(self.retriever.encoder, self.cache_dir), self.narration, self.verdicts, self.coverage
        _ = self._rows, self.retriever.reviews, self.retriever.index.review_rows, self.retriever._comment_rows
        _ = self.verdict_counts, self.verdict_reviews, self._keenest, self._covering
        _ = self.topics.vectors, self.verdict_questions.warm()
        _ = self.reviews.without_names(""), self.reviews.named_in("")
        return self


def own_names(facts, reviews: ReviewSet) -> frozenset[str]:
    """Every name that belongs to this film or its reviews, lower case, whole and word by word: its
    cast and characters, crew, places, songs and awards, and the reviews' titles, authors and outlets."""
    names: set[str] = set()
    for role in facts.cast:
        names |= {role.actor, role.character, *role.aliases}
    for fact in facts.film.values():
        values = fact.value if isinstance(fact.value, list) else [fact.value]
        names |= {str(value) for value in values}
    for award in facts.awards:
        names |= {str(award.get(key, "")) for key in ("award", "recipient", "song")}
    for review in reviews:
        names |= set(review.called()) | {review.title}
    words = {word for name in names for word in re.findall(r"[\w'’]+", name) if word[:1].isupper()}
    return frozenset(n.casefold() for n in names | words if n)


_lock = threading.Lock()
_knowledge: Knowledge | None = None


def get_knowledge(settings) -> Knowledge:
    """The process-wide knowledge, loaded on first use (not at import, not per request).

    ``settings`` is herbot's settings object: where the index, the model and the facts are.
    """
    global _knowledge
    if _knowledge is None:
        with _lock:
            if _knowledge is None:
                _knowledge = open_knowledge(settings)
    return _knowledge


def open_knowledge(settings) -> Knowledge:
    """A new Knowledge from ``settings`` (tests and tools; servers use :func:`get_knowledge`)."""
    from knowledge.facts import load_facts
    from knowledge.retrieval import open_retriever

    return Knowledge(open_retriever(settings), load_facts(settings.facts_file), settings.encoder_dir / "cache").warm()
