"""herbot's REST channel: every malformed request gets a 4xx and a JSON error, never a 500.

``read_request`` is tested directly (fast); the real server is tested over HTTP (slow).
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.request
import uuid

import pytest
from serving import NEW_CONVERSATIONS, SMALL_WINDOW_SECONDS, TRUSTED_PROXY, UNTRUSTED_PEER

from herbot.channels.rest import MAX_BODY_BYTES, RequestError, read_request
from herbot.channels.turns import TOO_MANY_CONVERSATIONS, clip, message_limit


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
])
def test_a_malformed_body_is_refused_with_what_is_wrong(body, problem):
    with pytest.raises(RequestError, match=re.escape(problem)):
        read_request(body)


def test_a_good_body_is_read():
    assert read_request(b'{"sender": "me", "message": "hi", "metadata": {"a": 1}}') == ("me", "hi", {"a": 1})
    assert read_request(b'{"sender": "me", "message": ""}') == ("me", "", None)


def test_a_long_message_is_cut_at_the_limit_and_the_user_told():
    limit = message_limit()
    assert clip("short") == ("short", None)
    text, notice = clip("é" * (limit + 1))
    assert len(text) == limit and f"{limit:,}" in notice


def post(url: str, body: bytes) -> tuple[int, object]:
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
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
    status, _ = post(bot[0], b'{"sender": "big", "message": "' + b"a" * (MAX_BODY_BYTES + 10) + b'"}')
    assert status == 413
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
