"""Rasa's SQL tracker store, loud when the database fails and keeping what it could not write.

Rasa 3.6 wraps every tracker store in ``FailSafeTrackerStore``: when a save fails it logs
once and keeps the turn in a memory store that nothing ever writes back, and when a read
fails the conversation silently starts over. This store never lets an error reach that
wrapper:

- a failed save is logged as an ERROR and the conversation is kept in memory as *pending*;
- a failed read answers from the last state this process saw of the conversation (pending,
  or last read or written), so the user goes on talking with the context they had;
- every later save, read and ``GET /health`` first tries to write the pending
  conversations, and a background retry does so every few seconds, so the turns from an
  outage reach the database once it is back.

It keeps, for each of the last conversations it read or wrote, the stored events of its
current session (as the JSON the database holds). With ``sole_writer: true`` (one Rasa
server on the SQLite file, the default set-up) nobody else writes the database, so those
events *are* the stored conversation: a turn reads it from memory and writes only its new
rows, without the two queries Rasa's store makes per turn (its events, then their count),
which were much of the Rasa server's work under load. Several Rasa servers on PostgreSQL
never set it: there, every turn reads the database, which another server may have written.

:func:`health` reports the counts (``herbot/rasa/channels/health.py`` serves them). Rasa loads
this class from ``type: herbot.rasa.tracker_store.LoudSQLTrackerStore`` in the endpoints file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

RETRY_SECONDS = 3.0
REMEMBERED_CONVERSATIONS = 1_000  # last stored sessions kept (reads from memory, and through a read outage)


@dataclass
class _Pending:
    """A conversation with events the database does not have yet."""

    tracker: DialogueStateTracker
    stored: int  # how many of its events the database already holds
    # True when the tracker started without the stored history (the read failed and this
    # process had never seen the conversation): all of its events are new then.
    detached: bool


class LoudSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that logs failed writes as errors and writes them later."""

    def __init__(self, *args: Any, sole_writer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Where the writes run. SQLite takes one writer at a time and makes the others sleep
        # and retry (1, 2, 5, 10… ms); one writer thread queues them instead, in order, and
        # keeps them off the shared worker threads that encode messages ahead of their turn.
        self._writer: ThreadPoolExecutor | None = None
        if self.engine.dialect.name == "sqlite":
            # Write-ahead log: a read never waits for a commit running in the writer thread, and
            # every commit is still synced to disk (synchronous stays FULL).
            sa.event.listen(self.engine, "connect", _write_ahead_log)
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="herbot-tracker-writer")
        self.sole_writer = bool(sole_writer)
        self.pending: dict[str, _Pending] = {}
        # per conversation: the stored events of its current session, as their JSON rows
        self.recent: OrderedDict[str, list[str]] = OrderedDict()
        self.failed_saves = 0  # saves that raised, over the life of the process
        self.failed_reads = 0
        self.recovered_saves = 0  # pending conversations written once the database was back
        self.database_ok = True
        self._retry: asyncio.Task | None = None
        self._flushing = asyncio.Lock()

    @contextlib.contextmanager
    def session_scope(self):
        """Rasa's scope without its ``sys.exit``: Rasa takes any ValueError raised inside (a string
        SQLite cannot encode, say) for a missing PostgreSQL schema and ends the process."""
        session = self.sessionmaker()
        try:
            ensure_schema_exists(session)
            yield session
        finally:
            session.close()

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.flush()
        sender = tracker.sender_id
        if sender in self.pending:  # earlier turns are still unwritten: keep them together
            self.pending[sender].tracker = tracker
            return
        known = self.recent.get(sender)
        try:
            await self._write(tracker, known if self.sole_writer else None)
        except Exception as error:  # noqa: BLE001 - any database error must not lose the turn
            self.failed_saves += 1
            self._down(f"could not store the conversation {sender!r}; keeping it in memory until the "
                       f"database is back", error)
            self.recent.pop(sender, None)  # read it from the database once it is written
            self.pending[sender] = _Pending(tracker, len(known) if known is not None else 0, detached=False)
            self._schedule_retry()
        else:
            self._up()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's current session; from memory while the database cannot be read."""
        await self.flush()
        if sender_id in self.pending:
            return self.pending[sender_id].tracker
        if self.sole_writer and sender_id in self.recent:
            self.recent.move_to_end(sender_id)
            return self._tracker(sender_id, self.recent[sender_id])
        try:
            rows = await asyncio.to_thread(self._read, sender_id)
        except Exception as error:  # noqa: BLE001
            self.failed_reads += 1
            self._down(f"could not read the conversation {sender_id!r}; answering from memory", error)
            known = self.recent.get(sender_id)
            if not known:
                # Rasa starts the conversation afresh; all of its events are to be written later.
                pending = _Pending(self.init_tracker(sender_id), 0, detached=True)
            else:
                pending = _Pending(self._tracker(sender_id, known), len(known), detached=False)
            self.pending[sender_id] = pending
            self._schedule_retry()
            return pending.tracker
        self._up()
        self._remember(sender_id, rows)
        return self._tracker(sender_id, rows)

    async def flush(self) -> bool:
        """Write every pending conversation; True when none is left. One flush at a time."""
        if not self.pending:
            return True
        async with self._flushing:
            for sender, pending in list(self.pending.items()):
                if self.pending.get(sender) is not pending:
                    continue  # written meanwhile
                tracker = pending.tracker
                try:
                    if pending.detached:
                        await self._writing(self._append, tracker, list(tracker.events))
                        # Stored from a new session on: Rasa's count-based save fits from here.
                        pending.detached, pending.stored = False, len(tracker.events)
                    else:
                        await self._write(tracker, None)
                except Exception as error:  # noqa: BLE001
                    self._down("the tracker database is still unreachable", error, quiet=True)
                    return False
                if pending.tracker is tracker:  # no newer turn arrived while writing
                    del self.pending[sender]
                    self.recovered_saves += 1
                    logger.warning("stored the conversation %r that the database missed during the outage", sender)
        self._up()
        return not self.pending

    async def check(self) -> dict[str, Any]:
        """Write what is waiting, ask the database whether it answers (it may be gone with no
        turn to notice), and return :meth:`health`."""
        if await self.flush():
            try:
                await asyncio.to_thread(self._ping)
            except Exception as error:  # noqa: BLE001
                self._down("the tracker database does not answer", error, quiet=True)
            else:
                self._up()
        return self.health()

    def health(self) -> dict[str, Any]:
        """Counts only (no addresses, no names): what ``GET /health`` shows."""
        unstored = sum(self._unstored_events(pending) for pending in self.pending.values())
        ok = self.database_ok and not self.pending
        return {
            "status": "ok" if ok else "degraded",
            "tracker_store": "reachable" if self.database_ok else "unreachable",
            "unstored_conversations": len(self.pending),
            "unstored_events": unstored,
            "failed_saves": self.failed_saves,
            "failed_reads": self.failed_reads,
            "recovered_conversations": self.recovered_saves,
        }

    @staticmethod
    def _unstored_events(pending: _Pending) -> int:
        return max(len(pending.tracker.events) - pending.stored, 0)

    def _append(self, tracker: DialogueStateTracker, events: list) -> None:
        """Write ``events`` after what is stored for the conversation (a session started during an outage)."""
        if events and getattr(events[0], "action_name", None) != ACTION_SESSION_START_NAME:
            logger.warning("the conversation %r restarted during the outage without a session start",
                           tracker.sender_id)
        with self.session_scope() as session:
            for event in events:
                self._insert(session, tracker.sender_id, event)
            session.commit()

    def _ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    def _read(self, sender_id: str) -> list[str]:
        with self.session_scope() as session:
            return self._stored_rows(session, sender_id)

    def _stored_rows(self, session, sender_id: str) -> list[str]:
        """The JSON rows of the conversation's current session, selected as Rasa's ``SQLTrackerStore`` does."""
        return [row.data for row in self._event_query(session, sender_id, fetch_events_from_all_sessions=False)]

    def _tracker(self, sender_id: str, rows: list[str]) -> DialogueStateTracker | None:
        """A new tracker from stored rows, built as Rasa's store builds it (None when there are none)."""
        if not rows:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(row) for row in rows], self.domain.slots)

    async def _write(self, tracker: DialogueStateTracker, stored: list[str] | None) -> None:
        """Insert the events the database does not hold yet, then remember the stored session.

        ``stored``: the session's stored rows when this process knows them (sole writer); otherwise
        they are read back first, as Rasa's ``SQLTrackerStore.save`` counts them. The database work
        runs off the event loop (:meth:`_writing`): a commit waits for the disk, and the other
        conversations must not.
        Rasa holds the conversation's lock until this returns, so its turns are written in order.
        """
        await self.stream_events(tracker)
        stored, events, new = await self._writing(self._insert_new, tracker, stored)
        starts = [i for i, event in enumerate(events) if isinstance(event, SessionStarted)]
        # A session that began in this turn is where the database's current session now starts.
        self._remember(tracker.sender_id, new[starts[-1]:] if starts else stored + new)

    async def _writing(self, write, *args):
        """Run ``write(*args)`` in the writer thread (SQLite) or any worker thread (other databases)."""
        return await asyncio.get_running_loop().run_in_executor(self._writer, partial(write, *args))

    def _insert_new(self, tracker: DialogueStateTracker, stored: list[str] | None):
        with self.session_scope() as session:
            if stored is None:
                stored = self._stored_rows(session, tracker.sender_id)
            events = list(islice(tracker.events, len(stored), None))
            new = [self._insert(session, tracker.sender_id, event) for event in events]
            session.commit()
        return stored, events, new

    def _insert(self, session, sender_id: str, event) -> str:
        """Add ``event``'s row (the columns Rasa's store fills) and return its JSON."""
        data = event.as_dict()
        text = json.dumps(data)
        session.add(self.SQLEvent(
            sender_id=sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
            action_name=data.get("name"), data=text,
        ))
        return text

    def _remember(self, sender_id: str, rows: list[str]) -> None:
        self.recent[sender_id] = rows
        self.recent.move_to_end(sender_id)
        while len(self.recent) > REMEMBERED_CONVERSATIONS:
            self.recent.popitem(last=False)

    def _down(self, what: str, error: Exception, quiet: bool = False) -> None:
        if self.database_ok or not quiet:
            logger.error("tracker database error: %s: %s", what, _one_line(error))
        self.database_ok = False

    def _up(self) -> None:
        if not self.database_ok:
            logger.warning("the tracker database answers again")
        self.database_ok = True

    def _schedule_retry(self) -> None:
        if self._retry is None or self._retry.done():
            self._retry = asyncio.get_running_loop().create_task(self._retry_until_stored())

    async def _retry_until_stored(self) -> None:
        while self.pending:
            await asyncio.sleep(RETRY_SECONDS)
            await self.flush()


def _write_ahead_log(connection, _record) -> None:
    connection.execute("PRAGMA journal_mode=WAL")


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())[:300] or type(error).__name__


def find(tracker_store: Any) -> LoudSQLTrackerStore | None:
    """herbot's store inside Rasa's wrappers (``FailSafeTrackerStore``, ``AwaitableTrackerStore``)."""
    seen = 0
    while tracker_store is not None and seen < 5:
        if isinstance(tracker_store, LoudSQLTrackerStore):
            return tracker_store
        if isinstance(tracker_store, FailSafeTrackerStore):
            tracker_store = tracker_store._tracker_store
        else:
            tracker_store = getattr(tracker_store, "_tracker_store", None)
        seen += 1
    return None
