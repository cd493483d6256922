"""Rasa's REST channel, strict about what it accepts.

Stock Rasa 3.6 answers a JSON array, ``null`` or a non-object body with HTTP 500, and
files a message without ``sender`` under one shared "default" conversation. This
channel answers every malformed request with HTTP 400 (413 for an oversized body) and
a JSON error naming what is wrong, a sender or address over its rate with 429 and a
friendly message in Rasa's reply format, cuts long messages at the documented limit (and
says so), and never answers a turn with an empty list (see :mod:`herbot.channels.turns`).
The URL and the reply format stay Rasa's: ``POST /webhooks/rest/webhook``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request

from herbot import rasa_speedups
from herbot.channels.addresses import request_address
from herbot.channels.turns import LOST_THOUGHT, clip, rate_refusal, take_turn, text_problem

# The Rasa server imports this channel (bot/credentials.yml) before its first turn: the place to
# apply herbot's speed-ups of Rasa's own code.
rasa_speedups.install()

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
        super().register(app, options)


class RestInput(RasaRestInput):
    """``{"sender": str, "message": str, "metadata"?: object}`` in; Rasa's list of bot messages out."""

    def blueprint(self, on_new_message: Any) -> Blueprint:
        webhook = _StrictBlueprint("herbot_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> Any:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
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
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise RequestError("the body is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise RequestError(f"the body is not valid JSON ({error.msg} at position {error.pos})") from None
    if not isinstance(data, dict):
        raise RequestError(f'the body must be a JSON object like {{"sender": "you", "message": "hello"}}, '
                           f"not {_JSON_KINDS.get(type(data), 'that')}")
    sender, text, metadata = data.get("sender"), data.get("message"), data.get("metadata")
    if not isinstance(sender, str) or not sender.strip():
        raise RequestError('"sender" must be a non-empty string naming the conversation')
    if len(sender) > MAX_SENDER_CHARS:
        raise RequestError(f'"sender" must be at most {MAX_SENDER_CHARS} characters')
    if not isinstance(text, str):
        raise RequestError('"message" must be a string')
    if metadata is not None and not isinstance(metadata, dict):
        raise RequestError('"metadata" must be a JSON object when given')
    problem = next(filter(None, (text_problem(value, f'"{name}"') for name, value in
                                 (("sender", sender), ("message", text), ("metadata", metadata)))), None)
    if problem:
        raise RequestError(problem)
    return sender, text, metadata
