"""herbot's socket.io channel at the protocol level, with python-socketio's own client.

Exact origins, sessions bound on the server (one session never reads another's
replies), made-up session ids replaced, and unreadable messages answered.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import time

import pytest
import socketio

pytestmark = pytest.mark.slow

REPLY_SECONDS = 60


class Client:
    """A socket.io client (the threaded one: its websocket runs on websocket-client) that keeps replies."""

    def __init__(self):
        self.sio = socketio.Client(reconnection=False)
        self.replies: queue.Queue[dict] = queue.Queue()
        self.sessions: queue.Queue[str] = queue.Queue()
        self.sio.on("bot_uttered", self.replies.put)
        self.sio.on("session_confirm", self.sessions.put)

    def connect(self, url: str, origin: str | None = None, session_id: str | None = None) -> str:
        """Over a websocket, whose client sends the URL's own origin; over polling when ``origin`` is given."""
        self.sio.connect(url, headers={"Origin": origin} if origin else {},
                         transports=["polling"] if origin else ["websocket"])
        self.sio.emit("session_request", {"session_id": session_id})
        return self.sessions.get(timeout=REPLY_SECONDS)

    def say(self, data) -> None:
        self.sio.emit("user_uttered", data)

    def wait_for_reply(self) -> dict:
        return self.replies.get(timeout=REPLY_SECONDS)


@pytest.fixture
def clients():
    made: list[Client] = []

    def make() -> Client:
        made.append(Client())
        return made[-1]

    yield make
    for client in made:
        client.sio.disconnect()


def test_a_foreign_origin_is_refused_and_the_own_page_is_not(bot, clients):
    url = bot[0]
    with pytest.raises(socketio.exceptions.ConnectionError):
        clients().connect(url, origin="http://evil.example")
    with pytest.raises(socketio.exceptions.ConnectionError):
        clients().connect(url, origin=url.replace("127.0.0.1", "127.0.0.1.evil.example"))
    assert clients().connect(url.replace("127.0.0.1", "localhost"))  # the websocket client sends its own origin


def test_a_session_cannot_post_into_or_read_another_session(bot, clients):
    alice, mallory = clients(), clients()
    alice_id = alice.connect(bot[0])
    mallory_id = mallory.connect(bot[0])
    assert alice_id != mallory_id

    mallory.say({"message": "who plays Theodore?", "session_id": alice_id})
    reply = mallory.wait_for_reply()
    assert "Phoenix" in reply["text"]
    time.sleep(2)
    assert alice.replies.empty()  # nothing reached the session mallory claimed
    with sqlite3.connect(bot[1] / "tracker.db") as db:
        senders = {row[0] for row in db.execute("SELECT sender_id FROM events WHERE data LIKE ?",
                                                ('%who plays Theodore?%',))}
    assert mallory_id in senders and alice_id not in senders


@pytest.mark.parametrize("claimed", ["alice", "../../etc", "0" * 31, None])
def test_a_made_up_session_id_gets_a_fresh_one(bot, clients, claimed):
    session = clients().connect(bot[0], session_id=claimed)
    assert len(session) == 32 and session != claimed and int(session, 16) >= 0


@pytest.mark.parametrize("data", ["just a string", {"text": "no message field"}, {"message": ["a", "list"]}, None,
                                  {"message": "hi \ud800"}])
def test_an_unreadable_message_gets_a_reply(bot, clients, data):
    client = clients()
    client.connect(bot[0])
    client.say(data)
    reply = client.wait_for_reply()
    assert "couldn't read that message" in reply["text"]


@pytest.mark.parametrize(("metadata", "problem"), [
    ({"note": "x" * 5000}, "at most 4,096 are accepted"),
    ({"a": float("nan")}, "finite numbers"),
    ({"a": json.loads("[" * 40 + "]" * 40)}, "nested too deeply"),
    ("not an object", "must be a JSON object"),
])
def test_metadata_that_cannot_be_stored_is_refused_with_a_reply(bot, clients, metadata, problem):
    client = clients()
    session = client.connect(bot[0])
    client.say({"message": "who plays Theodore?", "metadata": metadata})
    reply = client.wait_for_reply()
    assert "its metadata must be a small JSON object" in reply["text"] and problem in reply["text"], reply
    with sqlite3.connect(bot[1] / "tracker.db") as db:
        assert db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (session,)).fetchone() == (0,)
    client.say({"message": "who plays Theodore?", "metadata": {"page": "chat"}})
    assert "Phoenix" in client.wait_for_reply()["text"]


def test_deep_nesting_gets_a_reply_and_the_socket_goes_on(bot, clients):
    client = clients()
    client.connect(bot[0])
    deep = json.loads("[" * 300 + "]" * 300)  # python-socketio's client recurses twice a level
    for data in (deep, {"message": deep}, {"message": "hi", "metadata": {"a": deep}}):
        client.say(data)
        assert "couldn't read that message" in client.wait_for_reply()["text"]
    assert client.sio.connected


def test_one_event_per_answer_with_quotes_and_rating_payloads(bot, clients):
    client = clients()
    client.connect(bot[0])
    client.say({"message": "what do the reviewers think of the acting?"})
    reply = client.wait_for_reply()
    assert reply["text"] and reply["quick_replies"], reply
    custom = reply["custom"]
    assert custom["quotes"] and custom["sources"]
    assert json.loads(custom["rate"]["up"].removeprefix("/rate_positive")) == {"rated_source": custom["sources"]}
