"""The unit of knowledge: one paragraph of a review, or one reader comment."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Passage:
    """A paragraph with the metadata that decides where and whether it may be quoted.

    ``id`` is ``<review>/p<n>`` for body paragraphs and ``<review>/c<n>`` for reader
    comments, numbered from 1 in document order, so ids stay stable across rebuilds.
    """

    id: str
    review: str
    review_title: str
    author: str | None
    section: str  # "body" or "comment"
    position: int
    text: str
    sentences: tuple[str, ...]
    spoiler: bool
    off_topic: bool = False
    commenter: str | None = None
    reply_to: str | None = None
    url: str | None = None
    outlet: str | None = None  # where the review appeared ("a student paper", "The Example Weekly")
    # Of a passage found a spoiler by meaning, the sentences that give it away: any other may be quoted alone.
    # Empty when the review marks the passage itself (every sentence of it is then a spoiler).
    revealing: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        data = asdict(self)
        data["sentences"] = list(self.sentences)
        data["revealing"] = list(self.revealing)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Passage:
        return cls(**{**data, "sentences": tuple(data["sentences"]), "revealing": tuple(data.get("revealing", ()))})

    def spoils(self, place: int) -> bool:
        """Whether the sentence at ``place`` may not be quoted without consent."""
        return self.spoiler and (not self.revealing or place in self.revealing)

    def spoiling(self) -> list[bool]:
        """For each sentence (the text when it has none), whether it may not be quoted without consent."""
        return [self.spoils(place) for place in range(len(self.sentences or (self.text,)))]

    @property
    def shows_nothing(self) -> bool:
        """Whether no sentence of it may be quoted without consent."""
        return self.spoiler and (not self.revealing or len(self.revealing) >= len(self.sentences or (self.text,)))

    @property
    def source_label(self) -> str:
        """How an answer cites this passage: review title and author, or a reader comment."""
        named = self.author and self.review_title.casefold().endswith(f"by {self.author}".casefold())
        by = f" by {self.author}" if self.author and not named else ""  # "A diary entry by Jo Critic": said once
        by += f" ({self.outlet})" if self.outlet else ""
        if self.section == "comment":
            who = f" by {self.commenter}" if self.commenter else ""
            return f"a reader comment{who} on {self.review_title}{by}"
        return f"{self.review_title}{by}"


@dataclass
class IngestReport:
    """What one ingestion run read and what it left out, for the ``herbot index`` summary."""

    reviews: int = 0
    paragraphs: int = 0
    comments: int = 0
    spoilers: int = 0
    off_topic: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
