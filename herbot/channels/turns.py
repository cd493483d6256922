"""What every herbot channel does around a turn, so that no channel differs.

- It reads at most ``HERBOT_MAX_QUERY_CHARS`` characters of a message and tells the
  user when it cut one (Rasa would otherwise run NLU over 100,000 characters).
- It never answers with silence: when a turn produced no message at all (Rasa logs a
  failed custom action and carries on with nothing to say, for example while the
  action server restarts), the user gets a short reply asking them to try again.
"""

from __future__ import annotations

from herbot.settings import get_settings

LOST_THOUGHT = "Sorry, I lost my train of thought there. Could you ask me that again in a moment?"
UNREADABLE = "I couldn't read that message: send an object with a text field called 'message'."


def message_limit() -> int:
    return get_settings().max_query_chars


def clip(text: str) -> tuple[str, str | None]:
    """The part of ``text`` herbot reads, and what to tell the user if that is not all of it."""
    limit = message_limit()
    if len(text) <= limit:
        return text, None
    return text[:limit], f"That was a long message, so I read only its first {limit:,} characters."
