"""Rasa's REST channel, strict about what it accepts.

Stock Rasa 3.6 answers a JSON array, ``null`` or a non-object body with HTTP 500, and
files a message without ``sender`` under one shared "default" conversation. This
channel answers every malformed request with HTTP 400 (413 for an oversized body, 415 for
a body not sent as ``application/json``) and a JSON error naming what is wrong: text that
no store can write, nesting past ``MAX_NESTING``, ``NaN``, a sender with nothing visible,
metadata past ``HERBOT_MAX_METADATA_BYTES``. A sender or address over its rate gets 429 and a
friendly message in Rasa's reply format, cuts long messages at the documented limit (and
says so), and never answers a turn with an empty list (see :mod:`herbot.rasa.channels.turns`).
The URL and the reply format stay Rasa's: ``POST /webhooks/rest/webhook``.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request

from herbot.rasa.channels.addresses import request_address
from herbot.rasa.channels.turns import (
    LOST_THOUGHT,
    MAX_NESTING,
    clip,
    metadata_problem,
    rate_refusal,
    take_turn,
    value_problem,
)

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # a 100,000-character message fits; larger bodies get 413
MAX_SENDER_CHARS = 128


_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false",
               type(None): "null"}


class RequestError(Exception):
    """The request is at fault; the message says what to change."""


class _StrictBlueprint(Blueprint):
    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        # Sanic refuses larger bodies itself (413) before reading them into memory.
        app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, MAX_BODY_BYTES)
        # Sanic refuses before any route is chosen, so only an app-wide handler can answer in JSON.
        app.error_handler.add(PayloadTooLarge, _too_large)
        super().register(app, options)


def _too_large(_: Request, __: Exception) -> Any:
    return response.json({"error": f"the body is larger than {MAX_BODY_BYTES:,} bytes"}, status=413)


class RestInput(RasaRestInput):
    """``{"sender": str, "message": str, "metadata"?: object}`` in; Rasa's list of bot messages out."""

    def blueprint(self, on_new_message: Any) -> Blueprint:
        webhook = _StrictBlueprint("herbot_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> Any:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            if problem := content_type_problem(request.headers.get("content-type", "")):
                return response.json({"error": problem}, status=415)
            try:
                sender, text, metadata = read_request(request.body)
            except RequestError as error:
                return response.json({"error": str(error)}, status=400)
            if refused := rate_refusal(sender, request_address(request)):
                return response.json([{"recipient_id": sender, "text": refused.text}], status=429,
                                     headers={"Retry-After": str(refused.retry_after)})
            text, notice = clip(text)
            collector = CollectingOutputChannel()
            try:
                await take_turn(on_new_message, UserMessage(text, collector, sender, input_channel=self.name(),
                                                            metadata=metadata))
            except Exception:  # Rasa logs it too; the user still gets a reply, never a 500
                logger.exception("the turn for sender %r failed", sender)
            messages = collector.messages or [{"recipient_id": sender, "text": LOST_THOUGHT}]
            if notice:
                messages.insert(0, {"recipient_id": sender, "text": notice})
            return response.json(messages)

        return webhook


def read_request(body: bytes) -> tuple[str, str, dict | None]:
    """Sender, message and metadata of a webhook body, or :class:`RequestError` saying what is wrong."""
    if not body:
        raise RequestError('the body is empty; send JSON like {"sender": "you", "message": "hello"}')
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise RequestError("the body is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise RequestError(f"the body is not valid JSON ({error.msg} at position {error.pos})") from None
    except RecursionError:  # the parser gives up near 1,000 levels; MAX_NESTING refuses far fewer below
        raise RequestError(f"the body is nested too deeply (at most {MAX_NESTING} levels of arrays and objects)") \
            from None
    if not isinstance(data, dict):
        raise RequestError(f'the body must be a JSON object like {{"sender": "you", "message": "hello"}}, '
                           f"not {_JSON_KINDS.get(type(data), 'that')}")
    sender, text, metadata = data.get("sender"), data.get("message"), data.get("metadata")
    problem = (sender_problem(sender) or (None if isinstance(text, str) else '"message" must be a string')
               or value_problem(text, '"message"') or metadata_problem(metadata) or value_problem(data, "the body"))
    if problem:
        raise RequestError(problem)
    return sender, text, metadata


def sender_problem(sender: Any) -> str | None:
    """Why ``sender`` cannot name a conversation, or None: it must be short, printable, visible text."""
    if not isinstance(sender, str) or not sender.strip():
        return '"sender" must be a non-empty string naming the conversation'
    if len(sender) > MAX_SENDER_CHARS:
        return f'"sender" must be at most {MAX_SENDER_CHARS} characters'
    if problem := value_problem(sender, '"sender"'):
        return problem
    if any(unicodedata.category(char) == "Cc" for char in sender):
        return '"sender" must not hold control characters'
    if not any(_visible(char) for char in sender):
        return '"sender" must hold a visible character, not only spaces or invisible ones'
    return None


def _visible(char: str) -> bool:
    """Letters, digits, marks of punctuation and symbols; not spaces, format or combining characters alone."""
    return unicodedata.category(char)[0] not in "CZM" and char not in _BLANK_LETTERS


# Letters and symbols that print as nothing (Hangul fillers, the blank Braille pattern).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _refuse_constant(name: str) -> Any:
    raise RequestError(f"the body is not standard JSON ({name} is no JSON number)")


def content_type_problem(content_type: str) -> str | None:
    """Why the body is not declared JSON, or None: ``application/json``, with ``charset=utf-8`` if any.

    A browser sends a ``text/plain`` form or ``fetch`` from any page without asking; a JSON
    type needs a CORS preflight, which only the allowed origins pass. So a foreign page
    cannot run a turn.
    """
    media_type, _, parameters = content_type.partition(";")
    if media_type.strip().lower() != "application/json":
        return f"send the body as JSON with Content-Type: application/json (not {media_type.strip() or 'none'!r})"
    charset = next((value.strip().strip('"').lower() for key, _, value in
                    (parameter.partition("=") for parameter in parameters.split(";"))
                    if key.strip().lower() == "charset"), "utf-8")
    if charset not in ("utf-8", "utf8"):
        return f"the body must be UTF-8 JSON (Content-Type says charset={charset})"
    return None
