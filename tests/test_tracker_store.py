"""herbot's tracker store on a real SQLite file: as sole writer it reads from memory, and what it
answers is what Rasa's own store reads back from the database, turn after turn."""

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from herbot.rasa.tracker_store import LoudSQLTrackerStore
from herbot.settings import BOT_DIR


@pytest.fixture(scope="module")
def rasa_domain():
    return Domain.load(BOT_DIR / "domain")


def turn(text: str, intent: str, *, subject: str | None = None):
    """A turn's events, stamped when they are made (as Rasa stamps them), so made when the turn comes."""

    def events() -> list:
        made = [UserUttered(text, {"name": intent, "confidence": 0.9}), ActionExecuted("action_answer_cast")]
        if subject:
            made.append(SlotSet("last_subject", subject))
        return [*made, BotUttered(f"an answer to {text}"), ActionExecuted("action_listen")]

    return events


def new_session() -> list:
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


def dumped(tracker) -> list[dict]:
    return [event.as_dict() for event in tracker.events] if tracker else []


async def test_the_sole_writer_answers_from_memory_what_the_database_holds(rasa_domain, tmp_path):
    db = str(tmp_path / "tracker.db")
    store = LoudSQLTrackerStore(domain=rasa_domain, dialect="sqlite", db=db, sole_writer=True)
    database = SQLTrackerStore(domain=rasa_domain, dialect="sqlite", db=db)  # Rasa's own, reading the file
    sender = "memory-check"
    conversation = [
        turn("who plays Theodore?", "ask_cast", subject="Joaquin Phoenix"),
        turn("and the ending?", "ask_plot"),
        new_session,
        turn("who voices Samantha?", "ask_cast", subject="Scarlett Johansson"),
    ]
    tracker = await store.get_or_create_tracker(sender)
    saved = 1
    for make in conversation:
        events = make()
        saved += len(events)
        for event in events:
            tracker.update(event, rasa_domain)
        await store.save(tracker)
        tracker = await store.retrieve(sender)
        assert sender in store.recent  # answered from memory, not read back
        assert dumped(tracker) == dumped(await database.retrieve(sender))
    assert tracker.get_slot("last_subject") == "Scarlett Johansson"
    assert tracker.events[0] == SessionStarted()  # the current session only, as the database query gives it

    all_rows = await database.retrieve_full_tracker(sender)
    assert len(all_rows.events) == saved  # each event stored once

    tracker.update(UserUttered("never saved"), rasa_domain)  # a turn that failed before its save
    assert dumped(await store.retrieve(sender)) == dumped(await database.retrieve(sender))


async def test_a_conversation_this_process_has_not_seen_is_read_from_the_database(rasa_domain, tmp_path):
    db = str(tmp_path / "tracker.db")
    earlier = LoudSQLTrackerStore(domain=rasa_domain, dialect="sqlite", db=db, sole_writer=True)
    tracker = await earlier.get_or_create_tracker("restarted")
    for event in turn("who directed Her?", "ask_film_fact")():
        tracker.update(event, rasa_domain)
    await earlier.save(tracker)

    after_restart = LoudSQLTrackerStore(domain=rasa_domain, dialect="sqlite", db=db, sole_writer=True)
    assert dumped(await after_restart.retrieve("restarted")) == dumped(tracker)
    assert await after_restart.retrieve("never-seen") is None
