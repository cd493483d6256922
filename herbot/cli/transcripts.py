"""A conversation as Markdown or JSON, read from the tracker store as Rasa stored it.

``herbot transcript`` and ``herbot shell --transcript`` share :func:`markdown`, so a saved
conversation reads the same whichever way it was saved: each answer with its quotes and
sources (the custom data herbot's actions attach to the message).
"""

from __future__ import annotations

import json

from herbot.cli.stored_events import Database, TrackerDbError, rows, shown


class UnknownSender(TrackerDbError):
    """The tracker store holds no conversation for this sender."""


def turns(db: Database, sender: str) -> list[dict]:
    """The conversation's messages, oldest first: ``{"who": "user"|"bot", "text", "quotes", "sources"}``."""
    found = rows(db, "SELECT data FROM events WHERE sender_id = :sender AND type_name IN ('user', 'bot') ORDER BY id",
                 {"sender": sender})
    if not found and not rows(db, "SELECT data FROM events WHERE sender_id = :sender LIMIT 1", {"sender": sender}):
        raise UnknownSender(f"no conversation with sender {sender!r} in {shown(db)}")
    return [turn(json.loads(data)) for (data,) in found]


def turn(event: dict) -> dict:
    """One stored ``user`` or ``bot`` event as a transcript turn."""
    return message_turn(event.get("event"), event.get("text"), (event.get("data") or {}).get("custom"),
                        event.get("timestamp"))


def message_turn(who: str | None, text: str | None, custom: object = None, at: float | None = None) -> dict:
    """A transcript turn from a message's text and custom data, stored or just received over REST."""
    custom = custom if isinstance(custom, dict) else {}
    return {"who": who, "text": text or "", "at": at,
            "quotes": custom.get("quotes") or [], "sources": custom.get("sources") or []}


def reply_turns(messages: list[dict]) -> list[dict]:
    """The bot's turns in a REST reply, one per bot message, as the tracker store keeps them.

    Rasa's REST channel sends a bot message's text (with its buttons) first, and its image,
    attachment or custom data as messages of their own after it: a message without text
    belongs to the one before it.
    """
    parts: list[tuple[str | None, object]] = []
    for message in messages:
        if parts and not message.get("text"):
            text, custom = parts[-1]
            parts[-1] = (text, message["custom"] if message.get("custom") is not None else custom)
        else:
            parts.append((message.get("text"), message.get("custom")))
    return [message_turn("bot", text, custom) for text, custom in parts]


def title(sender: str) -> str:
    """The heading of one conversation's transcript, naming its sender id (``herbot transcript SENDER``)."""
    return f"Conversation {sender}"


def markdown(messages: list[dict], title: str = "Conversation with herbot") -> str:
    """The turns as Markdown: the user's words in bold, each answer followed by its quotes and sources."""
    lines = [f"# {title}", ""]
    for message in messages:
        if message["who"] == "user":
            lines += [f"**You:** {message['text']}", ""]
            continue
        lines += [f"**herbot:** {message['text']}", ""]
        for quote in message.get("quotes") or []:
            rating = f", {quote['rating']}" if quote.get("rating") else ""
            lines.append(f"> “{quote.get('sentence', '')}” — {quote.get('source', '')}{rating}")
        if message.get("quotes"):
            lines.append("")
        if message.get("sources"):
            lines += ["Sources: " + ", ".join(message["sources"]), ""]
    return "\n".join(lines).rstrip() + "\n"

