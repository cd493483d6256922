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

    def to_dict(self) -> dict:
        data = asdict(self)
        data["sentences"] = list(self.sentences)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Passage:
        return cls(**{**data, "sentences": tuple(data["sentences"])})

    @property
    def source_label(self) -> str:
        """How an answer cites this passage: review title and author, or a reader comment."""
        by = f" by {self.author}" if self.author else ""
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
