"""What the speed benchmark says to each bot, and the alternating per-turn timing over REST.

herbot gets real questions of every kind it answers (film facts, cast, opinions from the
reviews, plot with its spoiler question, chitchat); the bare ``rasa init`` bot gets the
messages its own stories and rules handle. Each conversation is a few turns under a fresh
sender id, as a user's would be. The two bots take turns, one request each, so that a burst
of load from anything else on the machine lands on both alike.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import cycle

from herbot.cli.client import BotError, BotUnreachable, Conversation

REQUEST_TIMEOUT_SECONDS = 120.0

# (kind, message) per turn; one list per conversation.
HERBOT_CONVERSATIONS = (
    (("chitchat", "hello!"), ("cast", "who plays Theodore?"),
     ("opinions", "what did the critics say about his performance?"), ("chitchat", "thanks!")),
    (("facts", "who directed Her?"), ("facts", "how long is the movie?"), ("facts", "did it win any Oscars?")),
    (("cast", "who voices Samantha?"), ("opinions", "what did the reviewers think of the casting?"),
     ("opinions", "and the other critic?")),
    (("plot", "what is the plot?"), ("plot", "how does it end?"), ("plot", "yes")),
    (("opinions", "is it worth watching?"), ("opinions", "do the two reviewers agree?"),
     ("opinions", "what did people say in the comments?")),
    (("chitchat", "what can you do?"), ("chitchat", "are you a real person?"),
     ("opinions", "what did the critics think of the future city?"), ("chitchat", "bye")),
    (("facts", "when did Her come out?"), ("cast", "who plays Amy?"),
     ("chitchat", "what's the weather like in Paris tomorrow?")),
)
# The default rasa init bot: its stories (greet, mood, did that help) and rules (goodbye, bot challenge).
BARE_CONVERSATIONS = (
    (("rasa init", "hello"), ("rasa init", "I am great"), ("rasa init", "bye")),
    (("rasa init", "hi there"), ("rasa init", "I am sad"), ("rasa init", "yes"), ("rasa init", "goodbye")),
    (("rasa init", "good morning"), ("rasa init", "not good"), ("rasa init", "no")),
    (("rasa init", "are you a bot?"), ("rasa init", "hey"), ("rasa init", "perfect"), ("rasa init", "see you later")),
)
# The first question after a start, and a word its answer must contain: herbot's needs the
# action server, the model and the index; the bare bot's is its whole job.
START_PROBES = {"herbot": ("who voices Samantha?", "Johansson"), "bare": ("hello", "Hey")}


@dataclass(frozen=True)
class Turn:
    bot: str
    kind: str
    message: str
    ms: float
    replied: bool  # at least one text came back
    error: str | None = None


def turns(url: str, name: str, conversations) -> Iterator[tuple[str, str, Conversation]]:
    """Endless (kind, message, conversation) for one bot: the scripts in a cycle, a fresh sender each."""
    for script in cycle(conversations):
        conversation = Conversation(url, channel=f"bench-{name}", timeout=REQUEST_TIMEOUT_SECONDS)
        for kind, message in script:
            yield kind, message, conversation


def timed_turn(name: str, kind: str, message: str, conversation: Conversation) -> Turn:
    """One request, timed from send to the parsed reply; a failure is recorded, not raised."""
    started = time.perf_counter()
    try:
        reply = conversation.say(message)
    except (BotUnreachable, BotError) as error:
        return Turn(name, kind, message, (time.perf_counter() - started) * 1000, False, str(error))
    return Turn(name, kind, message, (time.perf_counter() - started) * 1000, bool(reply.texts))


def alternate(urls: dict[str, str], count: int, warm_up: int, progress=None) -> list[Turn]:
    """``warm_up`` untimed then ``count`` timed turns per bot, one request each in turn, sequential
    (every bot but the bare one is a herbot and gets herbot's questions).

    The order within a pair flips every round, so neither bot always follows the other
    (whose after-work, such as writing its tracker, could otherwise land on one side only).
    """
    streams = {name: turns(url, name, BARE_CONVERSATIONS if name == "bare" else HERBOT_CONVERSATIONS)
               for name, url in urls.items()}
    timed: list[Turn] = []
    for i in range(warm_up + count):
        for name, stream in list(streams.items())[:: 1 if i % 2 == 0 else -1]:
            turn = timed_turn(name, *next(stream))
            if i >= warm_up:
                timed.append(turn)
        if progress and (i + 1 - warm_up) % 50 == 0 and i >= warm_up:
            progress(f"  {i + 1 - warm_up}/{count} turns each")
    return timed
