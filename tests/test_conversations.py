"""End to end: real `herbot serve` (Rasa server + action server), conversations over REST.

Each conversation asserts on what the user reads: the right actor, a quote with its
source, spoiler consent, honest "I don't know" for what the knowledge lacks.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.support.histories import slot_events

pytestmark = pytest.mark.slow


class Conversation:
    def __init__(self, url: str):
        self.url = url
        self.sender = f"test-{uuid.uuid4().hex}"

    def post(self, body: bytes) -> tuple[int, list]:
        request = urllib.request.Request(f"{self.url}/webhooks/rest/webhook", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"[]")

    def say(self, text: str) -> str:
        status, messages = self.post(json.dumps({"sender": self.sender, "message": text}).encode())
        assert status == 200
        assert messages, f"no reply to {text!r}"
        self.last = messages
        return "\n".join(m.get("text", "") for m in messages)

    def last_rate(self, vote: str) -> str:
        """The payload that rates the last answer ``vote`` ("up" or "down"), as the web chat's thumb sends it."""
        return next(m["custom"]["rate"][vote] for m in self.last if m.get("custom", {}).get("rate"))

    @property
    def buttons(self) -> list[str]:
        return [b["payload"] for m in self.last for b in m.get("buttons", [])]


@pytest.fixture
def chat(bot):
    return Conversation(bot[0])


def test_greeting_says_what_it_is(chat):
    reply = chat.say("hello!")
    assert "Her" in reply and "program" in reply


def test_who_plays_theodore(chat):
    reply = chat.say("who plays Theodore?")
    assert "Joaquin Phoenix" in reply and "Source: film facts" in reply


def test_who_voices_the_os_with_a_typo(chat):
    assert "Scarlett Johansson" in chat.say("who voices the OS?")
    assert "Scarlett Johansson" in chat.say("is Scarlet Johanson the voice of Samantha?")


def test_film_facts(chat):
    assert "Spike Jonze" in chat.say("who directed Her?")
    assert "126" in chat.say("how long is the movie?")
    assert "Best Original Screenplay" in chat.say("did it win any Oscars?")


def test_opinion_quotes_a_review_with_its_source(chat):
    reply = chat.say("what did the reviewers think of the casting?")
    assert "“" in reply and "Heartfelt" in reply


def test_her_performance_follows_the_last_person(chat):
    chat.say("who plays Samantha?")
    reply = chat.say("what did the critics say about her performance?")
    assert "Johans" in reply


def test_spoiler_consent_yes(chat):
    reply = chat.say("how does the movie end?")
    assert "spoilers" in reply and "/affirm" in chat.buttons
    reply = chat.say("/affirm")
    assert "break it off" in reply or "ending is masterful" in reply


def test_spoiler_consent_no_is_remembered(chat):
    chat.say("how does it end?")
    reply = chat.say("/deny")
    assert "break it off" not in reply and "ending is masterful" not in reply
    reply = chat.say("do Theodore and Samantha break up?")
    assert "Do you mind spoilers" not in reply and "break it off" not in reply


def test_out_of_scope_is_not_answered(chat):
    reply = chat.say("what's the weather like in Paris tomorrow?")
    assert "not something I know" in reply or "outside what I know" in reply
    reply = chat.say("who directed Dune?")
    assert "Spike Jonze" not in reply and "Villeneuve" not in reply


def test_are_you_a_person(chat):
    assert "program" in chat.say("are you a real person?")
    assert "Samantha" in chat.say("are you Samantha?")


def test_capabilities_come_with_example_buttons(chat):
    chat.say("what can you do?")
    assert len(chat.buttons) >= 3


def test_reader_comments(chat):
    reply = chat.say("what did people say in the comments?")
    assert "reader comment" in reply and "images" not in reply


def test_rating_is_stored_with_the_passages(chat, bot):
    chat.say("who plays Theodore?")
    assert "Thank" in chat.say("thumbs up, great answer")
    stored = slot_events(Path(bot[1]) / "tracker.db", chat.sender)
    ratings = [event["value"] for event in stored if event["name"] == "ratings"]
    assert ratings and ratings[-1][-1]["rating"] == "up"
    assert "facts:cast:Joaquin Phoenix" in ratings[-1][-1]["sources"]


def test_one_answer_keeps_one_rating_its_last(chat, bot):
    """The same thumb pressed three times, then changed: one rating per answer, not four."""
    chat.say("what do the reviewers think of the acting?")
    acting = {vote: chat.last_rate(vote) for vote in ("up", "down")}
    chat.say("who plays Theodore?")
    theodore_up = chat.last_rate("up")
    for payload in (acting["up"], acting["up"], theodore_up, acting["up"], acting["down"]):
        reply = chat.say(payload)
        assert "Thank" in reply or "recorded" in reply, reply
    ratings = [event["value"] for event in slot_events(Path(bot[1]) / "tracker.db", chat.sender)
               if event["name"] == "ratings"][-1]
    assert [rating["rating"] for rating in ratings] == ["up", "down"], ratings
    assert [rating["question"] for rating in ratings] == ["who plays Theodore?",
                                                          "what do the reviewers think of the acting?"]


@pytest.mark.parametrize("text", ["", "x" * 20_000, "😀😍🎬", "<b>hi</b><script>alert(1)</script>",
                                  "¿Quién dirigió la película?"])
def test_bad_input_gets_a_reply_and_the_server_stays_up(chat, text):
    status, messages = chat.post(json.dumps({"sender": chat.sender, "message": text}).encode())
    assert status == 200
    assert messages and all("Traceback" not in (m.get("text") or "") for m in messages)
    assert "Joaquin Phoenix" in chat.say("who plays Theodore?")
