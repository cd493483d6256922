"""Whether a question asks for the overall verdict, and on which side, read by meaning.

"Tell me about the third review", "was the critic won over?", "who liked it least?" and "do
they see it the same way?" share no words a list could hold, but each lies near questions
that ask for a verdict (``data/verdict_questions.yaml``) and far from questions about one
topic of the film. A question is read by the examples nearest to it, after the reviews'
names are taken out, so that any review set is read the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.examples import ExampleGroups

QUESTIONS_FILE = Path(__file__).parent / "data" / "verdict_questions.yaml"
SIDES = ("negative", "positive", "mixed")  # a verdict question about one side of the verdicts
VERDICT_GROUPS = ("overall", *SIDES)
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
        self.examples = ExampleGroups(encoder, path, required=(*VERDICT_GROUPS, "topic"))
        self.groups = self.examples.groups

    def closeness(self, question: str) -> dict[str, float]:
        """Each group's closeness to the question (cosine, mean of the nearest examples)."""
        return self.examples.closeness(question)

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
        self.examples.warm()
        return self
