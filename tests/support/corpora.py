"""Where the test data lives: the seed reviews herbot ships, the six-review corpus, the labelled sets."""

from __future__ import annotations

from pathlib import Path

from herbot.settings import KNOWLEDGE_DATA

DATA = Path(__file__).resolve().parent.parent / "data"
SEED_REVIEWS = sorted((KNOWLEDGE_DATA / "reviews").glob("*.txt"))
MORE_REVIEWS = sorted((DATA / "more_reviews").glob("*.txt"))
