"""What a conversation's stored history holds, read from the tracker database, and what is wrong with it.

The tests, the load test and the soak run check every conversation they had against what Rasa
stored (:mod:`herbot.cli.stored_events` reads it): none lost, none doubled, in order.
"""

from __future__ import annotations

import json
from collections import Counter

from herbot.cli.stored_events import Database, rows


def events(db: Database, sender: str, type_name: str) -> list[dict]:
    """The conversation's events of one type, oldest first, as Rasa stored them in ``db``."""
    query = "SELECT data FROM events WHERE sender_id = :sender AND type_name = :type ORDER BY id"
    return [json.loads(data) for (data,) in rows(db, query, {"sender": sender, "type": type_name})]


def slot_events(db: Database, sender: str) -> list[dict]:
    """The conversation's ``slot`` events, oldest first."""
    return events(db, sender, "slot")


def user_messages(db: Database, sender: str) -> list[str]:
    """The text of every message the user sent in the conversation, in the stored order."""
    return [event.get("text") or "" for event in events(db, sender, "user")]


def history_problems(sent: list[str], stored: list[str]) -> list[str]:
    """What is wrong with a stored history against the messages sent, in order; empty when it is exact.

    A message sent but not stored is *lost*, one stored more often than sent is *doubled*,
    one stored but never sent is *unexpected*; when the messages both hold are in another
    order than they were sent, the history is *reordered*.
    """
    if sent == stored:
        return []
    sent_count, stored_count = Counter(sent), Counter(stored)
    problems = [f"lost {text!r}" + (f" ({n} times)" if n > 1 else "")
                for text, n in (sent_count - stored_count).items()]
    for text, n in (stored_count - sent_count).items():
        what = "doubled" if text in sent_count else "unexpected"
        problems.append(f"{what} {text!r}" + (f" ({n} extra)" if n > 1 else ""))
    common = sent_count & stored_count
    if _in_order(sent, common) != _in_order(stored, common):
        problems.append("reordered: stored " + " / ".join(map(repr, _in_order(stored, common))))
    return problems


def _in_order(messages: list[str], keep: Counter) -> list[str]:
    """``messages`` with only as many of each text as ``keep`` holds, the first ones, in order."""
    left, kept = Counter(keep), []
    for text in messages:
        if left[text] > 0:
            left[text] -= 1
            kept.append(text)
    return kept
