"""A turn's lookups that once walked every review, in process: ms a call at 1,000 and 10,000 reviews.

Run ``.venv/bin/python -m bench.lookups [--reviews 1000,10000]``. For each size:

1. the review set of :func:`bench.synthetic_reviews.review_names` (every critic a surname of their own):
   ``named_in`` (a review named, misspelt, or not named at all) and ``without_names``, over the
   questions of ``bench/scale.py`` and a few that name a review;
2. a search of the reader comments (dense, as a comments question asks it) in an index of that
   size made of random vectors (ten passages a review, one in twenty a comment, a third of them
   spoilers, approximate above the ANN threshold as the real index is), and the same search
   scoring every comment, as it did before;
3. when ``bench/scale.py``'s corpus of that size is there (``$HERBOT_HOME/bench/scale-N``), the real
   knowledge over it: the same lookups on its reviews and a comments question answered end to end.
   Nothing there is written: its verdicts and coverage are read from a copy of the encoder's cache.

Times are CPU time, the least of seven rounds: the machine is shared, and its load swings a round's time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.scale import TURN_QUESTIONS, corpus_settings
from bench.synthetic_reviews import review_names
from knowledge import ann, retrieval
from knowledge.index import LoadedIndex
from knowledge.passage import Passage
from knowledge.retrieval import Filters, Retriever
from knowledge.review_set import ReviewSet

PASSAGES_PER_REVIEW = 10
COMMENT_EVERY = 20
DIMENSION = 384
ROUNDS = 7


def ms_per_call(call, items, rounds: int = ROUNDS) -> float:
    """CPU ms of one call, on average over ``items``; the least of ``rounds`` passes (what other work on the
    shared machine added to the others)."""
    times = []
    for _ in range(rounds):
        started = time.process_time()
        for item in items:
            call(item)
        times.append((time.process_time() - started) * 1000 / len(items))
    return min(times)


def questions_naming(reviews: ReviewSet) -> list[str]:
    """The benchmark's turns, and turns that name a review by surname (exact and misspelt) and by outlet."""
    some = [reviews.reviews[n] for n in range(0, len(reviews), max(1, len(reviews) // 5))][:5]
    surnames = [review.author.split()[-1] for review in some if review.author]
    misspelt = [name[:3] + name[4:] for name in surnames]
    return [question for _, question in TURN_QUESTIONS] + [
        *(f"what did {name} think of the acting?" for name in surnames),
        *(f"did {name.lower()} like the music?" for name in misspelt),
        *(f"what does the {review.outlet} review say about the ending?" for review in some if review.outlet)]


def name_lookups(reviews: ReviewSet) -> dict[str, float]:
    reviews.warm()  # its lookups made once, as at a start
    asked = questions_naming(reviews)
    return {"named_in": ms_per_call(reviews.named_in, asked),
            "without_names": ms_per_call(reviews.without_names, asked),
            "without_names(nouns)": ms_per_call(lambda text: reviews.without_names(text, nouns=True), asked)}


class FixedEncoder:
    """Stands in for the encoder: every question is the same random vector."""

    name = "fixed"

    def __init__(self, vector: np.ndarray):
        self.vector = vector

    def encode_query(self, text: str) -> np.ndarray:
        return self.vector


def random_retriever(reviews: int, threshold: int = 50_000, seed: int = 5) -> Retriever:
    """A retriever over ``reviews`` reviews' worth of random passages (one unit each), ANN above ``threshold``."""
    rng = np.random.default_rng(seed)
    count = reviews * PASSAGES_PER_REVIEW
    matrix = rng.standard_normal((count, DIMENSION), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    passages = tuple(Passage(id=f"r{row // PASSAGES_PER_REVIEW}/p{row}", review=f"r{row // PASSAGES_PER_REVIEW}",
                             review_title="t", author=None, position=row % PASSAGES_PER_REVIEW,
                             section="comment" if row % COMMENT_EVERY == 0 else "body", text="x", sentences=("x",),
                             spoiler=row % 3 == 0) for row in range(count))
    search, _ = ann.build(matrix, threshold)
    loaded = LoadedIndex(folder=Path("."), manifest={}, vectors=search, sentences=search, passages=passages,
                         sentence_offsets=np.arange(count + 1, dtype=np.int64), bm25=None)
    query = rng.standard_normal(DIMENSION, dtype=np.float32)
    return Retriever(loaded, FixedEncoder(query / np.linalg.norm(query)), min_score=-1.0, max_query_chars=2000,
                     mode="dense")


def comment_search(retriever: Retriever) -> dict[str, float]:
    """A comments search as the corpus's size has it searched, and with every comment scored (as before issue
    18's change, for comparison in the same process)."""
    filters = [Filters(section="comment", spoilers=spoilers) for spoilers in (True, False)]

    def search(each: Filters) -> None:
        retriever.search("what did readers say?", top_k=10, filters=each)

    found = {}
    scored = retrieval.COMMENTS_SCORED
    for name, limit in (("comments search", scored), ("comments search, every comment scored", sys.maxsize)):
        retrieval.COMMENTS_SCORED = limit
        try:
            for each in filters:  # the masks, made once, as at a start
                search(each)
            found[name] = ms_per_call(search, filters * 5)
        finally:
            retrieval.COMMENTS_SCORED = scored
    return found


def real_knowledge(own) -> dict[str, float] | None:
    """The lookups and a comments question on the knowledge of bench/scale's corpus, if it is there."""
    if not (own.index_dir / "manifest.json").is_file():
        return None
    from knowledge.answers import review_answer
    from knowledge.facts import load_facts
    from knowledge.loaded import Knowledge
    from knowledge.retrieval import open_retriever

    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch) / "cache"
        kept = own.encoder_dir / "cache"
        if kept.is_dir():
            shutil.copytree(kept, cache)
        knowledge = Knowledge(open_retriever(own), load_facts(own.facts_file), cache).warm()
        found = {f"knowledge {name}": ms for name, ms in name_lookups(knowledge.reviews).items()}

        def comments_question(question: str) -> None:
            knowledge.retriever.encoder.forget_recent()
            review_answer(knowledge, question, kind="comments", consent=None)

        comments_question("what did readers say?")
        found["knowledge comments question"] = ms_per_call(comments_question, ["what did readers say?",
                                                                              "what did the commenters think?"])
    return found


def main() -> None:
    from herbot.settings import get_settings, set_library_environment

    set_library_environment()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", default="1000,10000", help="sizes, comma-separated")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    settings = get_settings()
    for count in (int(n) for n in args.reviews.split(",")):
        figures = name_lookups(ReviewSet.from_metadata(review_names(count)))
        retriever = random_retriever(count)
        figures |= comment_search(retriever)
        del retriever
        figures |= real_knowledge(corpus_settings(settings, count)) or {}
        print(f"== {count:,} reviews ==")
        for name, ms in figures.items():
            print(f"  {ms:8.3f} ms  {name}")


if __name__ == "__main__":
    main()
