"""herbot's socket.io channel at the protocol level, with python-socketio's own client.

Exact origins, sessions bound on the server (one session never reads another's
replies), only issued sessions kept (a made-up or another socket's id gets a fresh one,
the resume token takes one back, a new session leaves the old one's room), and
unreadable messages answered.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import time

import pytest
import socketio

from herbot.rasa.channels.turns import TOO_MANY_CONVERSATIONS
from tests.support.serving import NEW_CONVERSATIONS

pytestmark = pytest.mark.slow

REPLY_SECONDS = 60


class Client:
    """A socket.io client (the threaded one: its websocket runs on websocket-client) that keeps replies."""

    def __init__(self):
        self.sio = socketio.Client(reconnection=False)
        self.replies: queue.Queue[dict] = queue.Queue()
        self.sessions: queue.Queue[tuple[str, str]] = queue.Queue()
        self.resume_token: str | None = None
        self.sio.on("bot_uttered", self.replies.put)
        self.sio.on("session_confirm", lambda session_id, token=None: self.sessions.put((session_id, token)))

    def connect(self, url: str, origin: str | None = None, session_id: str | None = None,
                resume_token: str | None = None, forwarded_for: str | None = None) -> str:
        """Over a websocket, whose client sends the URL's own origin; over polling when ``origin`` is given."""
        headers = {name: value for name, value in (("Origin", origin), ("X-Forwarded-For", forwarded_for)) if value}
        self.sio.connect(url, headers=headers, transports=["polling"] if origin else ["websocket"])
        return self.request_session(session_id, resume_token)

    def request_session(self, session_id: str | None = None, resume_token: str | None = None) -> str:
        """The session the server confirms (``self.resume_token``: the token it gave with it)."""
        self.sio.emit("session_request", {"session_id": session_id, "resume_token": resume_token})
        session_id, self.resume_token = self.sessions.get(timeout=REPLY_SECONDS)
        return session_id

    def say(self, data) -> None:
        self.sio.emit("user_uttered", data)

    def wait_for_reply(self) -> dict:
        return self.replies.get(timeout=REPLY_SECONDS)

    def first_reply_alone(self, data) -> dict:
        """The first reply to ``data``, after the rest of the previous turn's replies have come and gone."""
        time.sleep(1)
        while not self.replies.empty():
            self.replies.get()
        self.say(data)
        return self.wait_for_reply()


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
    assert heard_nothing(alice)  # nothing reached the session mallory claimed
    senders = senders_of(bot[1], "who plays Theodore?")
    assert mallory_id in senders and alice_id not in senders


def senders_of(home, text: str) -> set[str]:
    """The conversations a message was filed under, once stored (Rasa stores a turn after sending its replies)."""
    deadline = time.monotonic() + 10
    while True:
        with sqlite3.connect(home / "tracker.db") as db:
            senders = {row[0] for row in db.execute("SELECT sender_id FROM events WHERE data LIKE ?", (f"%{text}%",))}
        if senders or time.monotonic() > deadline:
            return senders
        time.sleep(0.2)


def heard_nothing(client: Client, seconds: float = 2) -> bool:
    time.sleep(seconds)
    return client.replies.empty()


@pytest.mark.parametrize("claimed", ["alice", "../../etc", "0" * 31, "5a" * 16, None])
def test_a_made_up_session_id_gets_a_fresh_one(bot, clients, claimed):
    """Rasa's widgets send the id they stored: one the server did not issue gets a new session, not an error."""
    client = clients()
    session = client.connect(bot[0], session_id=claimed)
    assert len(session) == 32 and session != claimed and int(session, 16) >= 0
    assert len(client.resume_token) == 64


def test_two_sockets_claiming_one_well_formed_id_do_not_share_a_conversation(bot, clients):
    claimed = "c0ffee" * 5 + "00"
    alice, mallory = clients(), clients()
    alice_id = alice.connect(bot[0], session_id=claimed)
    mallory_id = mallory.connect(bot[0], session_id=claimed)
    assert len({claimed, alice_id, mallory_id}) == 3

    alice.say({"message": "who plays Amy?"})
    assert "Amy" in alice.wait_for_reply()["text"]
    assert heard_nothing(mallory)


def test_another_sockets_session_is_not_taken_without_its_token(bot, clients):
    alice, mallory = clients(), clients()
    alice_id = alice.connect(bot[0])
    mallory.connect(bot[0])
    for token in (None, "", mallory.resume_token, alice.resume_token.upper()):
        assert mallory.request_session(alice_id, token) != alice_id, token

    alice.say({"message": "who plays Samantha?"})
    assert "Johansson" in alice.wait_for_reply()["text"]
    assert heard_nothing(mallory)


def test_a_reload_takes_the_session_back_with_its_token(bot, clients):
    before = clients()
    session = before.connect(bot[0])
    before.say({"message": "who directed the film?"})
    assert before.wait_for_reply()
    token = before.resume_token
    before.sio.disconnect()

    after = clients()
    assert after.connect(bot[0], session_id=session, resume_token=token) == session
    assert after.resume_token == token
    after.say({"message": "who plays Theodore in it?"})
    assert "Phoenix" in after.wait_for_reply()["text"]
    assert senders_of(bot[1], "who directed the film?") == senders_of(bot[1], "who plays Theodore in it?") == {session}


def test_after_a_new_session_a_socket_no_longer_hears_the_old_one(bot, clients):
    """A second tab (the same stored token) keeps the old session; the tab that chose New chat leaves it."""
    first_tab, second_tab = clients(), clients()
    old = first_tab.connect(bot[0])
    assert second_tab.connect(bot[0], session_id=old, resume_token=first_tab.resume_token) == old
    new = first_tab.request_session(None)
    assert new != old

    second_tab.say({"message": "who plays Paul?"})
    assert "Chris Pratt" in second_tab.wait_for_reply()["text"]
    assert heard_nothing(first_tab)
    first_tab.say({"message": "who plays Catherine?"})
    assert "Rooney Mara" in first_tab.wait_for_reply()["text"]
    assert senders_of(bot[1], "who plays Catherine?") == {new}
    assert heard_nothing(second_tab, 0.5)


def test_new_sessions_bring_no_fresh_budget_to_a_forwarded_address(limited_bot, clients):
    """Each new session's first turn starts a conversation, counted for the client the trusted proxy names."""
    client = clients()
    client.connect(f"http://127.0.0.1:{limited_bot}", forwarded_for="198.51.100.30")
    for _ in range(NEW_CONVERSATIONS):
        assert client.first_reply_alone({"message": "hi"})["text"] != TOO_MANY_CONVERSATIONS
        client.request_session(None)
    assert client.first_reply_alone({"message": "hi"})["text"] == TOO_MANY_CONVERSATIONS


def test_the_session_secret_is_made_once_and_readable_by_its_owner_only(monkeypatch, tmp_path):
    from herbot.rasa.channels.sessions import may_resume, new_session_id, resume_token
    from herbot.settings import get_settings

    monkeypatch.setenv("HERBOT_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    try:
        session = new_session_id()
        token = resume_token(session)
        secret = get_settings().session_secret_file
        assert secret.stat().st_mode & 0o777 == 0o600
        assert may_resume(session, token) and not may_resume(new_session_id(), token)
        assert not may_resume(session, token[:-1]) and not may_resume(session, None)

        monkeypatch.setenv("HERBOT_HOME", str(tmp_path / "damaged"))
        get_settings.cache_clear()
        (tmp_path / "damaged").mkdir()
        get_settings().session_secret_file.write_text("not hex")
        with pytest.raises(SystemExit, match="session.secret is damaged; delete it"):
            resume_token(session)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


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
