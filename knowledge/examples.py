"""Reading a question by the example questions nearest to it in meaning.

Several readers (the verdict questions, questions about the reviews themselves, questions about
how the film ends) share one way of telling: each group of examples gets the mean cosine of its
few nearest examples to the question, so that one odd example decides nothing. The examples live
in data files written in general words, for any review set.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
import yaml

NEAREST = 3  # a group's closeness: the mean of its three nearest examples


class ExampleGroups:
    """Groups of example questions from a YAML file (``group: [question, ...]``), encoded once per process."""

    def __init__(self, encoder, path: Path, required: tuple[str, ...] = ()):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        missing = set(required) - set(data)
        if missing:
            raise ValueError(f"{path}: no examples for {sorted(missing)}")
        self.encoder = encoder
        self.groups = {group: [str(q) for q in questions] for group, questions in data.items()}

    @cached_property
    def _vectors(self) -> dict[str, np.ndarray]:
        return {group: self.encoder.encode(questions) for group, questions in self.groups.items()}

    def closeness(self, question: str) -> dict[str, float]:
        """Each group's closeness to the question (cosine, mean of the nearest examples)."""
        vector = self.encoder.encode_query(question)
        return {group: float(np.sort(vectors @ vector)[-NEAREST:].mean()) for group, vectors in self._vectors.items()}

    def warm(self) -> ExampleGroups:
        _ = self._vectors
        return self
