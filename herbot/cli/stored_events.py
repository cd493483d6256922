"""Reading the events Rasa stored in herbot's tracker database, never through Rasa and never writing.

Rasa's SQL tracker store keeps one row per event (``events``: ``sender_id``, ``type_name``,
``data`` as JSON), in the order the events happened. ``herbot transcript`` and ``herbot ratings``
read them here, so they show exactly what was written. The database is the SQLite file (a path)
or a SQLAlchemy URL (PostgreSQL, ``HERBOT_TRACKER_URL``).
"""

from __future__ import annotations

from pathlib import Path

from herbot.settings import Settings
from knowledge.once import once

Database = Path | str  # the SQLite file, or a SQLAlchemy URL


class TrackerDbError(Exception):
    """The tracker database cannot be read; the message says which database and why."""


def location(settings: Settings) -> Database:
    """Where ``herbot serve`` with these settings keeps the conversations."""
    return settings.tracker_db if settings.tracker_url is None else settings.tracker_url.url()


def rows(db: Database, sql: str, params: dict) -> list[tuple]:
    """The rows of a read-only query on ``db``; :class:`TrackerDbError` when it cannot be read.

    A SQLite file is opened read-only: reading never creates a database or takes a write
    lock from the server.
    """
    import sqlalchemy as sa

    if _is_file(db) and not Path(db).is_file():
        raise TrackerDbError(f"no tracker database at {db}")
    try:
        with _engine(str(db)).connect() as connection:
            return connection.execute(sa.text(sql), params).fetchall()
    except sa.exc.SQLAlchemyError as error:
        reason = " ".join(str(getattr(error, "orig", None) or error).split())
        raise TrackerDbError(f"cannot read the tracker database {shown(db)}: {reason}") from None


def _is_file(db: Database) -> bool:
    return isinstance(db, Path) or "://" not in db


def shown(db: Database) -> str:
    """The database for a message or a report: the file, or the URL with its password masked."""
    if _is_file(db):
        return str(db)
    from sqlalchemy.engine import make_url

    return repr(make_url(db))  # the password masked


@once
def _engine(db: str):
    import sqlalchemy as sa

    if _is_file(db):
        return sa.create_engine(f"sqlite:///file:{db}?mode=ro&uri=true", poolclass=sa.pool.NullPool)
    return sa.create_engine(db.replace("postgres://", "postgresql://", 1), pool_pre_ping=True)
