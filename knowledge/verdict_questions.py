"""Whether a question asks for the overall verdict, and on which side, read by meaning.

"Tell me about the third review", "was the critic won over?", "who liked it least?" and "do
they see it the same way?" share no words a list could hold, but each lies near questions
that ask for a verdict (``data/verdict_questions.yaml``) and far from questions about one
topic of the film. A question is read by the examples nearest to it, after the reviews'
names are taken out, so that any review set is read the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import yaml

QUESTIONS_FILE = Path(__file__).parent / "data" / "verdict_questions.yaml"
SIDES = ("negative", "positive", "mixed")  # a verdict question about one side of the verdicts
VERDICT_GROUPS = ("overall", *SIDES)
NEAREST = 3  # a group's closeness: the mean of its three nearest examples (one odd example decides nothing)
# Chosen on a dev sample of 34 questions written apart from every eval set
# (tests/data/verdict_question_dev.yaml): asks right for 28 of 34 (16 for the word patterns of
# knowledge/answers.py alone, 29 for both), asks and side right for 24. Unrelated questions ("what time
# is it?") stay below the floor; a verdict reading must beat the topic examples by the margin.
VERDICT_FLOOR = 0.4
TOPIC_MARGIN = 0.06
# A question with words of its own ("the popcorn prices at the premiere") names something a
# verdict question does not: its verdict reading must then be clearly ahead of the topic examples
# ("give me the gist", "was she won over?" are; "what did they think of the parking?" is not).
OWN_WORDS_MARGIN = 0.15
# A side is read only when it beats the overall examples by this much: "what did they think?" asks none.
SIDE_MARGIN = 0.04


@dataclass(frozen=True)
class VerdictReading:
    """``asks``: the question asks for the verdict; ``focus``: the side it asks about, if any."""

    asks: bool
    focus: str | None = None
    closeness: float = 0.0


class VerdictQuestions:
    """The example questions with their vectors, encoded once per process."""

    def __init__(self, encoder, path: Path = QUESTIONS_FILE):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        missing = {*VERDICT_GROUPS, "topic"} - set(data)
        if missing:
            raise ValueError(f"{path}: no examples for {sorted(missing)}")
        self.encoder = encoder
        self.groups = {group: [str(q) for q in data[group]] for group in (*VERDICT_GROUPS, "topic")}

    @cached_property
    def _vectors(self) -> dict[str, np.ndarray]:
        return {group: self.encoder.encode(questions) for group, questions in self.groups.items()}

    def closeness(self, question: str) -> dict[str, float]:
        """Each group's closeness to the question (cosine, mean of the nearest examples)."""
        vector = self.encoder.encode_query(question)
        return {group: float(np.sort(vectors @ vector)[-NEAREST:].mean()) for group, vectors in self._vectors.items()}

    def read(self, question: str, own_words: bool = False) -> VerdictReading:
        """Whether ``question`` (names taken out) asks for a verdict, and on which side.

        ``own_words``: the question has content words beyond those of asking for an opinion."""
        close = self.closeness(question)
        best = max(VERDICT_GROUPS, key=close.get)
        margin = OWN_WORDS_MARGIN if own_words else TOPIC_MARGIN
        if close[best] < VERDICT_FLOOR or close[best] < close["topic"] + margin:
            return VerdictReading(False, closeness=close[best])
        side = max(SIDES, key=close.get)
        focus = side if close[side] >= close["overall"] + SIDE_MARGIN else None
        return VerdictReading(True, focus, close[best])

    def warm(self) -> VerdictQuestions:
        _ = self._vectors
        return self
