"""herbot's REST channel: every malformed request gets a 4xx and a JSON error, never a 500.

``read_request`` is tested directly (fast); the real server is tested over HTTP (slow).
"""

from __future__ import annotations

import http.client
import json
import re
import sqlite3
import time
import urllib.error
import urllib.request
import uuid

import pytest

from herbot.rasa.channels.rest import MAX_BODY_BYTES, RequestError, content_type_problem, read_request
from herbot.rasa.channels.turns import TOO_MANY_CONVERSATIONS, clip, message_limit
from tests.support.serving import NEW_CONVERSATIONS, SMALL_WINDOW_SECONDS, TRUSTED_PROXY, UNTRUSTED_PEER


@pytest.mark.parametrize(("body", "problem"), [
    (b"", "the body is empty"),
    (b"hello", "not valid JSON"),
    (b"[1, 2]", "not an array"),
    (b"null", "not null"),
    (b'"text"', "not a string"),
    (b"\xff\xfe\x00junk", "not UTF-8"),
    (b'{"message": "hi"}', '"sender" must be a non-empty string'),
    (b'{"sender": "", "message": "hi"}', '"sender" must be a non-empty string'),
    (b'{"sender": "   ", "message": "hi"}', '"sender" must be a non-empty string'),
    (b'{"sender": 7, "message": "hi"}', '"sender" must be a non-empty string'),
    (json.dumps({"sender": "x" * 200, "message": "hi"}).encode(), "at most 128 characters"),
    (b'{"sender": "me"}', '"message" must be a string'),
    (b'{"sender": "me", "message": null}', '"message" must be a string'),
    (b'{"sender": "me", "message": "hi", "metadata": [1]}', '"metadata" must be a JSON object'),
    (b'{"sender": "\\ud800", "message": "hi"}', '"sender" must be valid Unicode text'),
    (b'{"sender": "me", "message": "hi \\udfff"}', '"message" must be valid Unicode text'),
    (b'{"sender": "me", "message": "hi", "metadata": {"a": ["\\ud83d"]}}', '"metadata" must be valid Unicode'),
    (b'{"sender": "me", "message": "hi", "metadata": {"\\ud83d": 1}}', '"metadata" must be valid Unicode'),
    (b'{"sender": "me", "message": "hi", "metadata": {"a": NaN}}', "NaN is no JSON number"),
    (b'{"sender": "me", "message": "hi", "metadata": {"a": [-Infinity]}}', "-Infinity is no JSON number"),
    (b'{"sender": "me", "message": "hi", "metadata": {"a": 1e999}}', "only finite numbers"),
    (json.dumps({"sender": "me", "message": "hi", "metadata": {"a": "x" * 5000}}).encode(),
     '"metadata" is 5,008 bytes as JSON; at most 4,096'),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"sender": "me", "message": "hi", "x": ' + b"[" * 16 + b"]" * 16 + b"}", "nested too deeply (at most 16"),
    (b'{"sender": "me", "message": "hi", "metadata": {"a": ' + b"[" * 15 + b"]" * 15 + b"}}", "nested too deeply"),
    (json.dumps({"sender": "\u200b", "message": "hi"}).encode(), '"sender" must hold a visible character'),
    (json.dumps({"sender": "\u200b\u2060\ufeff\u00ad", "message": "hi"}).encode(), "visible character"),
    (json.dumps({"sender": "\u3164\u2800 \u0301", "message": "hi"}).encode(), "visible character"),
    (json.dumps({"sender": "me\x00you", "message": "hi"}).encode(), '"sender" must not hold control characters'),
    (json.dumps({"sender": "me\n", "message": "hi"}).encode(), "control characters"),
])
def test_a_malformed_body_is_refused_with_what_is_wrong(body, problem):
    with pytest.raises(RequestError, match=re.escape(problem)):
        read_request(body)


def test_a_good_body_is_read():
    assert read_request(b'{"sender": "me", "message": "hi", "metadata": {"a": 1}}') == ("me", "hi", {"a": 1})
    assert read_request(b'{"sender": "me", "message": ""}') == ("me", "", None)
    assert read_request(json.dumps({"sender": "zoë \u200d🎬", "message": "hi"}).encode())[0] == "zoë \u200d🎬"
    nested = {"a": [[[[[[[[[[[[[[1]]]]]]]]]]]]]]}  # 15 levels below the body: the most metadata may nest
    assert read_request(json.dumps({"sender": "me", "message": "hi", "metadata": nested}).encode())[2] == nested
    largest = {"a": "x" * (4096 - len('{"a":""}'))}
    assert read_request(json.dumps({"sender": "me", "message": "hi", "metadata": largest}).encode())[2] == largest


def test_the_metadata_limit_is_a_setting(monkeypatch):
    from herbot.settings import get_settings

    body = json.dumps({"sender": "me", "message": "hi", "metadata": {"a": "x" * 100}}).encode()
    try:
        monkeypatch.setenv("HERBOT_MAX_METADATA_BYTES", "64")
        get_settings.cache_clear()
        with pytest.raises(RequestError, match="at most 64 are accepted"):
            read_request(body)
        monkeypatch.setenv("HERBOT_MAX_METADATA_BYTES", "-1")
        get_settings.cache_clear()
        with pytest.raises(SystemExit, match="HERBOT_MAX_METADATA_BYTES=-1 must be 0 or more"):
            get_settings()
    finally:
        monkeypatch.delenv("HERBOT_MAX_METADATA_BYTES")
        get_settings.cache_clear()
    assert get_settings().max_metadata_bytes == 4096 and read_request(body)[2]


@pytest.mark.parametrize(("content_type", "problem"), [
    ("application/json", None),
    ("Application/JSON; charset=UTF-8", None),
    ('application/json;charset="utf-8"', None),
    ("text/plain", "Content-Type: application/json (not 'text/plain')"),
    ("text/plain; charset=utf-8", "not 'text/plain'"),
    ("application/x-www-form-urlencoded", "Content-Type: application/json"),
    ("multipart/form-data; boundary=x", "Content-Type: application/json"),
    ("", "not 'none'"),
    ("application/json; charset=latin-1", "charset=latin-1"),
])
def test_only_a_json_body_is_read(content_type, problem):
    assert content_type_problem(content_type) == problem or problem in content_type_problem(content_type)


def test_a_long_message_is_cut_at_the_limit_and_the_user_told():
    limit = message_limit()
    assert clip("short") == ("short", None)
    text, notice = clip("é" * (limit + 1))
    assert len(text) == limit and f"{limit:,}" in notice


def post(url: str, body: bytes, content_type: str | None = "application/json") -> tuple[int, object]:
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": content_type} if content_type else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload)
        except ValueError:
            return error.code, payload.decode(errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b"null", b'{"message": "hi"}', b'{"sender": "me"}',
                                  b"\x00\x01\xff binary"])
def test_the_server_answers_400_with_a_json_error(bot, body):
    status, payload = post(bot[0], body)
    assert status == 400 and isinstance(payload, dict) and payload["error"], payload


@pytest.mark.slow
def test_a_lone_surrogate_anywhere_gets_400_and_the_server_stays_up(bot):
    """It once reached SQLite, whose ValueError Rasa's store took for a missing schema: sys.exit, server gone."""
    for body in (b'{"sender": "\\ud800", "message": "hi"}', b'{"sender": "s-1", "message": "\\udc00"}',
                 b'{"sender": "s-2", "message": "hi", "metadata": {"x": "\\ud800"}}'):
        status, payload = post(bot[0], body)
        assert status == 400 and "valid Unicode" in payload["error"], payload
    status, replies = post(bot[0], json.dumps({"sender": "after-surrogate", "message": "who plays Theodore?"}).encode())
    assert status == 200 and any("Phoenix" in reply.get("text", "") for reply in replies)


@pytest.mark.slow
def test_an_oversized_body_gets_413_and_the_server_stays_up(bot):
    status, payload = post(bot[0], b'{"sender": "big", "message": "' + b"a" * (MAX_BODY_BYTES + 10) + b'"}')
    assert status == 413 and "larger than 1,048,576 bytes" in payload["error"], payload
    status, replies = post(bot[0], json.dumps({"sender": "after-big", "message": "hello"}).encode())
    assert status == 200 and replies


@pytest.mark.slow
def test_a_100k_character_message_is_cut_told_and_answered(bot):
    status, replies = post(bot[0], json.dumps({"sender": "long-1", "message": "who plays Theodore? " * 5000}).encode())
    assert status == 200
    assert "read only its first" in replies[0]["text"]
    assert any("Phoenix" in reply.get("text", "") for reply in replies[1:])


@pytest.mark.slow
def test_a_conversation_sending_too_fast_is_told_kindly(bot):
    statuses = [post(bot[0], json.dumps({"sender": "speedy", "message": "hi"}).encode()) for _ in range(31)]
    assert [status for status, _ in statuses[:30]] == [200] * 30, statuses
    status, replies = statuses[30]
    assert status == 429 and "catch up" in replies[0]["text"]
    assert post(bot[0], json.dumps({"sender": "patient", "message": "hi"}).encode())[0] == 200


def post_from(port: int, sender: str, forwarded_for: str | None = None,
              source: str = TRUSTED_PROXY) -> tuple[int, str, list]:
    """Status, Retry-After and replies of one turn sent from ``source`` (with an X-Forwarded-For header if given)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    headers = {"Content-Type": "application/json", **({"X-Forwarded-For": forwarded_for} if forwarded_for else {})}
    try:
        connection.request("POST", "/webhooks/rest/webhook", json.dumps({"sender": sender, "message": "hi"}), headers)
        response = connection.getresponse()
        return response.status, response.getheader("Retry-After", ""), json.loads(response.read())
    finally:
        connection.close()


def invented(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.mark.slow
def test_retry_after_is_when_the_moving_window_lets_a_turn_through(limited_bot):
    """Once Retry-After said 10 on a 60 s window, and a retry 11 s later was refused again."""
    sender, client = invented("patient"), "198.51.100.20"
    first = time.time()
    assert post_from(limited_bot, sender, client)[0] == 200
    time.sleep(2)
    assert [post_from(limited_bot, sender, client)[0] for _ in range(2)] == [200, 200]
    status, retry_after, replies = post_from(limited_bot, sender, client)
    refused = time.time()
    assert status == 429 and "catch up" in replies[0]["text"]
    assert int(retry_after) == pytest.approx(first + SMALL_WINDOW_SECONDS - refused, abs=1)
    assert 1 <= int(retry_after) < SMALL_WINDOW_SECONDS, "the first turn leaves the window first, not the last"
    time.sleep(int(retry_after) - 1.5)
    assert post_from(limited_bot, sender, client)[0] == 429, "not earlier either"
    time.sleep(1.5)
    assert post_from(limited_bot, sender, client)[0] == 200


@pytest.mark.slow
def test_invented_senders_from_one_forwarded_address_hit_the_new_conversation_limit(limited_bot):
    client = "198.51.100.7"
    senders = [invented("new") for _ in range(NEW_CONVERSATIONS)]
    assert [post_from(limited_bot, sender, client)[0] for sender in senders] == [200] * NEW_CONVERSATIONS
    status, retry_after, replies = post_from(limited_bot, invented("one more"), f"10.1.2.3, {client}")
    assert status == 429 and replies[0]["text"] == TOO_MANY_CONVERSATIONS
    assert 55 <= int(retry_after) <= 60
    assert post_from(limited_bot, senders[0], client)[0] == 200, "its conversations carry on"
    assert post_from(limited_bot, invented("neighbour"), "198.51.100.8")[0] == 200, "per client"


@pytest.mark.slow
def test_forwarded_for_from_an_untrusted_peer_is_ignored(limited_bot):
    """From 127.0.0.2 (not a trusted proxy) the header is ignored: a loopback client, limited per conversation only."""
    client = "198.51.100.9"
    assert [post_from(limited_bot, invented("local"), client, UNTRUSTED_PEER)[0] for _ in range(5)] == [200] * 5
    statuses = [post_from(limited_bot, invented("forwarded"), client)[0] for _ in range(NEW_CONVERSATIONS + 1)]
    assert statuses == [200] * NEW_CONVERSATIONS + [429], "none of the five counted for the address in the header"


def stored(home, sender: str) -> tuple[int, int]:
    """How many events the tracker store holds for ``sender``, and their size as stored JSON (bytes)."""
    with sqlite3.connect(home / "tracker.db") as db:
        count, size = db.execute("SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM events WHERE sender_id = ?",
                                 (sender,)).fetchone()
    return count, size


def tracker_files_size(home) -> int:
    return sum(path.stat().st_size for path in home.glob("tracker.db*"))


@pytest.mark.slow
def test_large_metadata_is_refused_and_a_conversation_stays_small(bot):
    """25 bodies with 1 MiB of metadata once grew the tracker file by ~105 MB; now they are refused, unstored."""
    url, home = bot
    before = tracker_files_size(home)
    large = {"note": "x" * (MAX_BODY_BYTES - 200)}
    for _ in range(25):
        status, payload = post(url, json.dumps({"sender": "big-metadata", "message": "hi", "metadata": large}).encode())
        assert status == 400 and "HERBOT_MAX_METADATA_BYTES" in payload["error"], payload
    assert stored(home, "big-metadata") == (0, 0)
    assert tracker_files_size(home) - before < 1024 * 1024, "refused metadata must not reach the tracker file"

    most = {"note": "x" * (4096 - len('{"note":""}'))}
    for turn in range(25):
        status, replies = post(url, json.dumps({"sender": "most-metadata", "message": "hi",
                                                "metadata": most}).encode())
        assert status == 200 and replies, (turn, replies)
    count, size = stored(home, "most-metadata")
    print(f"25 turns with 4 KiB of metadata: {count} events, {size:,} bytes stored; "
          f"tracker files grew {tracker_files_size(home) - before:,} bytes")
    # Rasa stores a turn's metadata twice (the message's metadata and parse data) and the first
    # turn's twice more (the session_started_metadata slot, set and carried over); every event
    # besides is under 2 KB. Measured: 130 events, about 270 KB.
    assert size < (2 * 25 + 2) * 4096 + count * 2048, (count, size)
    status, replies = post(url, json.dumps({"sender": "most-metadata", "message": "who plays Theodore?"}).encode())
    assert status == 200 and any("Phoenix" in reply.get("text", "") for reply in replies)


@pytest.mark.slow
@pytest.mark.parametrize("depth", [17, 1_000, 100_000])
def test_deep_nesting_gets_400_in_json_and_the_server_stays_up(bot, depth):
    """100,000 levels once reached Python's recursion limit inside the handler: Sanic's 500 page."""
    body = b'{"sender": "deep", "message": "hi", "metadata": {"a": ' + b"[" * depth + b"]" * depth + b"}}"
    status, payload = post(bot[0], body)
    assert status == 400 and "nested too deeply" in payload["error"], payload
    assert stored(bot[1], "deep") == (0, 0)
    assert post(bot[0], json.dumps({"sender": "after-deep", "message": "hello"}).encode())[0] == 200


@pytest.mark.slow
@pytest.mark.parametrize("content_type", ["text/plain", "text/plain; charset=utf-8",
                                          "application/x-www-form-urlencoded", "multipart/form-data; boundary=b", None])
def test_a_body_not_sent_as_json_gets_415_and_runs_no_turn(bot, content_type):
    """What a foreign page may post without a CORS preflight runs no turn, though the body is good JSON."""
    sender = f"cross-site-{content_type}"
    status, payload = post(bot[0], json.dumps({"sender": sender, "message": "hi"}).encode(), content_type)
    assert status == 415 and "Content-Type: application/json" in payload["error"], payload
    assert stored(bot[1], sender) == (0, 0)


@pytest.mark.slow
def test_json_with_a_charset_is_answered(bot):
    status, replies = post(bot[0], json.dumps({"sender": "charset", "message": "hello"}).encode(),
                           "application/json; charset=utf-8")
    assert status == 200 and replies


@pytest.mark.slow
@pytest.mark.parametrize("body", [b'{"sender": "nan", "message": "hi", "metadata": {"a": NaN}}',
                                  b'{"sender": "inf", "message": "hi", "metadata": {"a": [Infinity]}}',
                                  b'{"sender": "big-number", "message": "hi", "metadata": {"a": -1e999}}',
                                  json.dumps({"sender": "\u200b\u200c\u2060", "message": "hi"}).encode(),
                                  json.dumps({"sender": "\ufeff \u00ad", "message": "hi"}).encode()])
def test_non_standard_numbers_and_invisible_senders_get_400_and_are_never_stored(bot, body):
    status, payload = post(bot[0], body)
    assert status == 400 and payload["error"], payload
    sender = json.loads(body.replace(b"NaN", b"0").replace(b"Infinity", b"0").replace(b"1e999", b"0"))["sender"]
    assert stored(bot[1], sender) == (0, 0)
