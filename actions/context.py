"""Reading a turn's context from the tracker, and loading the knowledge once per process."""

from __future__ import annotations

import asyncio
import re
from functools import partial

from rasa_sdk import Tracker

from herbot.settings import get_settings


def entity(tracker: Tracker, *names: str) -> str | None:
    """The first value of the first of ``names`` found in the latest message."""
    for name in names:
        value = next(tracker.get_latest_entity_values(name), None)
        if value:
            return str(value)
    return None


def question(tracker: Tracker) -> str:
    """The user's text, cut to the searchable length (a 20,000-character paste still gets an answer)."""
    text = (tracker.latest_message or {}).get("text") or ""
    return _once_each(text[: get_settings().max_query_chars])


def _once_each(text: str) -> str:
    """A pasted question said many times over ("who plays Theodore? who plays Theodore? …") said once:
    repetition only blurs its meaning for the encoder."""
    parts = re.findall(r"[^.?!]+[.?!]*", text)
    unique = list(dict.fromkeys(part.strip() for part in parts if part.strip()))
    return " ".join(unique) if len(unique) < len(parts) else text


async def in_thread(function, *args, **kwargs):
    """Run blocking work (model, index) off the event loop."""
    return await asyncio.to_thread(partial(function, *args, **kwargs))


async def knowledge():
    """The process-wide :class:`~knowledge.loaded.Knowledge`, loaded on first use in a worker thread."""
    from knowledge.loaded import get_knowledge

    return await in_thread(get_knowledge, get_settings())
