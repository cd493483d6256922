"""Property-based: hostile Unicode, sizes and shapes at the REST channel, socket.io and the retrieval API.

Whatever arrives, the REST channel reads it or refuses it with a RequestError (never any
other exception, never a 5xx from the real server), socket.io keeps answering (never a
dropped socket, never a 5xx), and retrieval returns hits or a QueryError. The strategies
reach past what ``st.text()`` makes on its own: lone surrogates, control and invisible
characters, NaN and Infinity, nesting past any limit, and bodies near and over 1 MiB.
"""

from __future__ import annotations

import json
import queue
import urllib.error
import urllib.request
import uuid

import pytest
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herbot.rasa.channels.rest import MAX_BODY_BYTES, RequestError, read_request
from knowledge.retrieval import Filters, QueryError

# st.characters() leaves out surrogates; these are what a client may send that a store may not take
AWKWARD = "\ud800\udfff\udc00\x00\x1b\x7f\u200b\u200d\u2060\ufeff\u202e\u00ad\u3164\u0301\n\t"
CHARACTERS = st.characters(exclude_categories=()) | st.sampled_from(AWKWARD)


def texts(longest: int) -> st.SearchStrategy[str]:
    """Short strings of any characters, and long runs of one, up to ``longest`` characters."""
    return st.text(CHARACTERS, max_size=200) | st.builds(str.__mul__, CHARACTERS, st.integers(1_000, longest))


def json_values(text: st.SearchStrategy[str]) -> st.SearchStrategy:
    """Any value ``json.loads`` can return, NaN and Infinity included, with ``text`` for its strings."""
    return st.recursive(
        st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.floats() | text,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(CHARACTERS, max_size=10), inner,
                                                                    max_size=4),
        max_leaves=12,
    )


TEXT = texts(100_000)
JSON = json_values(TEXT)


def nested(depth: int, kind: str) -> bytes:
    """JSON nested ``depth`` levels deep, built as bytes (``json.dumps`` itself stops near 1,000 levels)."""
    return b"[" * depth + b"1" + b"]" * depth if kind == "array" else b'{"a":' * depth + b"1" + b"}" * depth


DEEP = st.builds(nested, st.integers(1, 200_000), st.sampled_from(["array", "object"]))


def body(fields: dict) -> bytes:
    """A webhook body; ``json.dumps`` writes NaN and Infinity as Python does, which is not JSON either."""
    return json.dumps(fields).encode()


BODIES = (
    st.binary(max_size=2000)
    | JSON.map(body)
    | DEEP
    | st.fixed_dictionaries({"sender": TEXT | JSON, "message": TEXT | JSON}, optional={"metadata": JSON}).map(body)
    | st.builds(lambda sender, deep: b'{"sender": ' + json.dumps(sender).encode() + b', "message": "hi", "metadata": '
                + deep + b"}", TEXT, DEEP)
    | st.builds(lambda size: body({"sender": "big", "message": "hi", "metadata": {"x": "a" * size}}),
                st.integers(MAX_BODY_BYTES - 1_000, MAX_BODY_BYTES + 1_000))
)
CONTENT_TYPES = st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", None,
                                 "application/json; charset=latin-1", "application/x-www-form-urlencoded"])


@settings(deadline=None)
@given(BODIES)
def test_any_body_is_read_or_refused_with_a_reason(body):
    try:
        sender, text, metadata = read_request(body)
    except RequestError as error:
        assert str(error)
    else:
        assert sender.strip() and isinstance(text, str) and (metadata is None or isinstance(metadata, dict))
        json.dumps([sender, text, metadata], allow_nan=False).encode("utf-8")  # standard JSON, valid UTF-8


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.text(max_size=3000), spoilers=st.booleans(), top_k=st.integers(min_value=-2, max_value=50))
def test_any_question_gets_hits_or_a_query_error(retriever, question, spoilers, top_k):
    try:
        hits = retriever.search(question, top_k=top_k, filters=Filters(spoilers=spoilers))
    except QueryError as error:
        assert str(error)
    else:
        assert len(hits) <= max(top_k, 0)
        assert all(hit.score >= retriever.min_score for hit in hits)
        assert all(hit.sentence in (hit.passage.sentences or (hit.passage.text,)) for hit in hits)


def status_of(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def healthy(url: str) -> bool:
    return status_of(urllib.request.Request(f"{url}/health")) == 200


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES, content_type=CONTENT_TYPES, message=st.text(min_size=1, max_size=500))
def test_the_real_server_never_answers_5xx(bot, body, content_type, message):
    for payload, kind in ((body, content_type), (json.dumps({"sender": uuid.uuid4().hex, "message": message}).encode(),
                                                 "application/json")):
        request = urllib.request.Request(f"{bot[0]}/webhooks/rest/webhook", data=payload,
                                         headers={"Content-Type": kind} if kind else {})
        assert status_of(request) < 500, (payload[:200], kind)
    assert healthy(bot[0])


class Socket:
    """One socket.io connection to the real server that keeps what it hears."""

    def __init__(self, url: str):
        self.sio = socketio.Client(reconnection=False)
        self.sessions: queue.Queue[str] = queue.Queue()
        self.sio.on("session_confirm", self.sessions.put)
        self.sio.connect(url, transports=["websocket"])

    def new_session(self) -> str:
        """Ask for a fresh session and wait for it: the server still reads and answers this socket."""
        self.sio.emit("session_request", {"session_id": None})
        return self.sessions.get(timeout=60)


@pytest.fixture(scope="module")
def socket(bot):
    connection = Socket(bot[0])
    yield connection
    connection.sio.disconnect()


EVENTS = st.sampled_from(["user_uttered", "session_request"]) | st.text(CHARACTERS, max_size=20).filter(
    lambda name: name not in ("connect", "disconnect", "message"))
# Packets stay below python-socketio's 1 MB buffer (past it, it closes the socket by design), and
# its client recurses twice a level when it encodes, so nesting stops at 300 here.
SOCKET_TEXT = texts(5_000)
SOCKET_JSON = json_values(SOCKET_TEXT)
EVENT_DATA = (
    SOCKET_JSON
    | st.fixed_dictionaries({"message": SOCKET_TEXT | SOCKET_JSON},
                            optional={"metadata": SOCKET_JSON, "session_id": SOCKET_TEXT | SOCKET_JSON})
    | st.builds(lambda depth: {"message": "hi", "metadata": {"a": json.loads(nested(depth, "array"))}},
                st.integers(1, 300))
)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=EVENTS, data=EVENT_DATA)
def test_socketio_events_never_drop_the_socket_or_the_server(bot, socket, event, data):
    socket.new_session()  # each example in a conversation of its own, so no rate limit is reached
    socket.sio.emit(event, data)
    socket.sio.sleep(0.2)  # a session_request among the examples confirms a session of its own
    while not socket.sessions.empty():
        socket.sessions.get_nowait()
    socket.new_session()
    assert socket.sio.connected and healthy(bot[0])


SHELL_TEXT = st.text(st.characters(blacklist_categories=()), min_size=1, max_size=300) | st.sampled_from(
    ["\ud800", "hi \udfff there", "\x00\x07\x1b[31m", "\u200b\u2060", "x" * 5000])


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=SHELL_TEXT)
def test_whatever_is_typed_into_the_shell_gets_a_reply_or_a_clear_refusal(bot, text):
    """The shell's door (herbot/cli/client.py, which herbot shell and herbot ask use): a reply that prints,
    or a BotError that says what herbot could not read; never another exception, never the server down."""
    import io

    from herbot.cli.client import BotError, Conversation
    from herbot.cli.shell import print_reply

    try:
        printed = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # a terminal-like text file with a buffer
        print_reply(Conversation(bot[0]).say(text), speaker="herbot", file=printed)
    except BotError as error:
        assert "could not read that message" in str(error) or "429" in str(error), str(error)
    assert healthy(bot[0])
