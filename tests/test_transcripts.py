"""`herbot transcript` and `herbot ratings` on the tracker store a real `herbot serve` filled over REST."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HERBOT = str(Path(sys.executable).parent / "herbot")


def say(base_url: str, sender: str, text: str) -> list[dict]:
    request = urllib.request.Request(f"{base_url}/webhooks/rest/webhook", method="POST",
                                     data=json.dumps({"sender": sender, "message": text}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def herbot(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([HERBOT, *args], env={**os.environ, "HERBOT_HOME": str(home)},
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def rated_conversation(bot):
    """One conversation: a question, its grounded answer, and a thumbs down pressed on it."""
    base_url, home = bot
    sender, question = f"transcript-{uuid.uuid4().hex[:8]}", "What did the critics think of the acting?"
    answer = next(reply for reply in say(base_url, sender, question) if (reply.get("custom") or {}).get("rate"))
    say(base_url, sender, answer["custom"]["rate"]["down"])  # what the page's thumb sends
    return home, sender, question, answer["custom"]


def test_a_transcript_shows_the_question_and_the_answer_with_its_quotes_and_sources(rated_conversation):
    home, sender, question, custom = rated_conversation
    printed = herbot(home, "transcript", sender)
    assert printed.returncode == 0, printed.stderr
    assert question in printed.stdout
    assert custom["quotes"] and all(quote["sentence"] in printed.stdout for quote in custom["quotes"])
    as_json = json.loads(herbot(home, "transcript", sender, "--format", "json").stdout)
    assert any(message.get("who") == "user" and message.get("text") == question for message in
               (as_json if isinstance(as_json, list) else as_json.get("turns", [])))


def test_the_ratings_report_lists_the_thumbs_down_with_its_question(rated_conversation):
    home, _sender, question, custom = rated_conversation
    printed = herbot(home, "ratings", "--json")
    assert printed.returncode == 0, printed.stderr
    assert question in printed.stdout and custom["sources"][0] in printed.stdout
    assert herbot(home, "ratings", "--since", "2999-01-01", "--json").returncode == 0
    future = herbot(home, "ratings", "--since", "2999-01-01")
    assert question not in future.stdout


def test_bad_input_gets_one_clear_line_and_status_2(rated_conversation):
    home = rated_conversation[0]
    for args in (("transcript", "nobody-" + uuid.uuid4().hex), ("ratings", "--since", "not a date")):
        result = herbot(home, *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result
        assert result.stderr.strip() and len(result.stderr.strip().splitlines()) == 1, result.stderr
