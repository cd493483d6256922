"""Reading what Rasa stored for a conversation in herbot's tracker database, and checking it.

Rasa's SQL tracker store keeps one row per event (``events``: ``sender_id``, ``type_name``,
``data`` as JSON), in the order the events happened. The tests, the load test and the soak
run read it here, never through Rasa, so they see exactly what was written. The database
is the SQLite file (a path) or a SQLAlchemy URL (PostgreSQL, ``HERBOT_TRACKER_URL``).
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from herbot.settings import Settings

Database = Path | str  # the SQLite file, or a SQLAlchemy URL


class TrackerDbError(Exception):
    """The tracker database cannot be read; the message says which database and why."""


def location(settings: Settings) -> Database:
    """Where ``herbot serve`` with these settings keeps the conversations."""
    url = settings.tracker_url
    if url is None:
        return settings.tracker_db
    auth = quote(url.username or "", safe="")
    if url.password is not None:
        auth += ":" + quote(url.password, safe="")
    return f"postgresql://{auth + '@' if auth else ''}{url.host}:{url.port}/{quote(url.database, safe='')}"


def events(db: Database, sender: str, type_name: str) -> list[dict]:
    """The conversation's events of one type, oldest first, as Rasa stored them in ``db``.

    A SQLite file is opened read-only: reading never creates a database or takes a write
    lock from the server.
    """
    import sqlalchemy as sa

    if _is_file(db) and not Path(db).is_file():
        raise TrackerDbError(f"no tracker database at {db}")
    query = sa.text("SELECT data FROM events WHERE sender_id = :sender AND type_name = :type ORDER BY id")
    try:
        with _engine(str(db)).connect() as connection:
            rows = connection.execute(query, {"sender": sender, "type": type_name}).fetchall()
    except sa.exc.SQLAlchemyError as error:
        reason = " ".join(str(getattr(error, "orig", None) or error).split())
        raise TrackerDbError(f"cannot read the tracker database {shown(db)}: {reason}") from None
    return [json.loads(data) for (data,) in rows]


def _is_file(db: Database) -> bool:
    return isinstance(db, Path) or "://" not in db


def shown(db: Database) -> str:
    """The database for a message or a report: the file, or the URL with its password masked."""
    if _is_file(db):
        return str(db)
    from sqlalchemy.engine import make_url

    return repr(make_url(db))  # the password masked


@lru_cache(maxsize=8)
def _engine(db: str):
    import sqlalchemy as sa

    if _is_file(db):
        return sa.create_engine(f"sqlite:///file:{db}?mode=ro&uri=true", poolclass=sa.pool.NullPool)
    return sa.create_engine(db.replace("postgres://", "postgresql://", 1), pool_pre_ping=True)


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
