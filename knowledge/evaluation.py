"""Retrieval quality on a development set: recall@k and mean reciprocal rank.

Shared by the tests (which assert a floor) and the benchmark (which prints the
figures per retrieval mode), so both measure the same thing the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Quality:
    mode: str
    questions: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    misses: tuple[str, ...]  # questions with no relevant passage in the top 3
    off_topic_rejected: float  # share of off-topic questions that returned nothing


def load_dev_set(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def evaluate(retriever, dev_set: dict, mode: str) -> Quality:
    """Score ``retriever`` in ``mode`` with its configured floor applied, as users get it.

    A hit counts when any relevant passage is in the top k (the dev set lists every
    passage that answers a question, not only the best one).
    """
    at1 = at3 = reciprocal = 0.0
    misses = []
    questions = dev_set["questions"]
    for item in questions:
        ranked = [hit.passage.id for hit in retriever.search(item["q"], top_k=10, mode=mode)]
        relevant = set(item["relevant"])
        first = next((rank for rank, pid in enumerate(ranked, start=1) if pid in relevant), None)
        at1 += first == 1
        at3 += first is not None and first <= 3
        reciprocal += 1.0 / first if first else 0.0
        if not first or first > 3:
            misses.append(item["q"])
    off_topic = dev_set.get("off_topic", [])
    rejected = sum(not retriever.search(item["q"], top_k=1, mode=mode) for item in off_topic)
    count = len(questions)
    return Quality(
        mode,
        count,
        at1 / count,
        at3 / count,
        reciprocal / count,
        tuple(misses),
        rejected / len(off_topic) if off_topic else 1.0,
    )
