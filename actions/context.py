"""Reading a turn's context from the tracker, and loading the knowledge once per process."""

from __future__ import annotations

import asyncio
import re
from functools import partial

from rasa_sdk import Tracker

from herbot.settings import get_settings

SHORT_FOLLOWUP_WORDS = 8  # a message this short right after an answer may carry on with it ("where did it run?")
OPINION_KINDS = ("opinion", "compare", "recommendation")  # the answers that quote what the reviews think


def short_followup(text: str, most: int = SHORT_FOLLOWUP_WORDS) -> bool:
    """Whether the message is short enough (``most`` words) to be read as carrying on with the answer before it."""
    return 0 < len(text.split()) <= most


def entity(tracker: Tracker, *names: str) -> str | None:
    """The first value of the first of ``names`` found in the latest message."""
    for name in names:
        value = next(tracker.get_latest_entity_values(name), None)
        if value:
            return str(value)
    return None


def question(tracker: Tracker) -> str:
    """The user's text, cut to the searchable length (a 20,000-character paste still gets an answer), said
    once, and with its typos mended once the knowledge is loaded ("who direced her?")."""
    from knowledge.loaded import loaded_knowledge

    text = _once_each(((tracker.latest_message or {}).get("text") or "")[: get_settings().max_query_chars])
    known = loaded_knowledge()
    return known.speller.correct(text) if known is not None and not text.startswith("/") else text


def _once_each(text: str) -> str:
    """A pasted question said many times over ("who plays Theodore? who plays Theodore? …") said once:
    repetition only blurs its meaning for the encoder."""
    parts = re.findall(r"[^.?!]+[.?!]*", text)
    unique = list(dict.fromkeys(part.strip() for part in parts if part.strip()))
    return " ".join(unique) if len(unique) < len(parts) else text


# "he", "his", "her": lower case only ("Her" with a capital is often the film itself).
_PERSON_PRONOUN = re.compile(r"\b(?:he|she|him|his|hers|her)\b(?:\s+(?=(\w+)))?")
_ROLE_WORDS = {"character", "role", "part"}
_NOT_A_NOUN = {"in", "on", "at", "for", "to", "with", "about", "as", "and", "or", "but", "so", "play", "plays", "win",
               "won", "do", "does", "did", "is", "was", "be", "get", "got", "voice", "voices"}


def about_subject(text: str, subject: str | None) -> str:
    """The message with its first personal pronoun replaced by the person the conversation is about
    (``subject``: "Actor as Character"), so that the facts can match "who does she play?" like a name.
    "his"/"her" before a noun is possessive ("his character" becomes "Joaquin Phoenix's character")."""
    if not subject:
        return text
    name = subject.split(" as ")[0]
    match = _PERSON_PRONOUN.search(text)
    if not match:
        return text
    word, following = match.group(0).split()[0], match.group(1) or ""
    if following in _ROLE_WORDS:  # "his character": the role itself, which the facts name by the actor
        return text[:match.start()] + f"the {following} {name} plays" + text[match.end() + len(following):]
    possessive = word in ("his", "hers") or (word == "her" and following and following not in _NOT_A_NOUN)
    return text[:match.start()] + (f"{name}'s" if possessive else name) + text[match.start() + len(word):]


async def in_thread(function, *args, **kwargs):
    """Run blocking work (model, index) off the event loop."""
    return await asyncio.to_thread(partial(function, *args, **kwargs))


async def knowledge():
    """The process-wide :class:`~knowledge.loaded.Knowledge`, loaded on first use in a worker thread."""
    from knowledge.loaded import get_knowledge

    return await in_thread(get_knowledge, get_settings())
