"""Rasa's socket.io channel, fixed and tightened for the web chat.

Rasa 3.6.21 calls ``sio.enter_room()`` without ``await``; python-socketio 5.x made it a
coroutine, so with session persistence the browser never joins its session's room and
never sees a reply. This channel awaits it, and also:

- always keeps sessions, but only ones the server issued: a socket asking for a session
  it was not given, and holds no resume token for, gets a new one (the page keeps the
  token, so a reload or a second tab continues the conversation;
  :mod:`herbot.rasa.channels.sessions`); a socket that changes session leaves the old room;
- binds each socket to its session on the server: a message is filed under the socket's
  own session, never under an id the client merely claims;
- accepts exact origins only (Rasa passes ``[]``, which turns the origin check off);
- sends one ``bot_uttered`` event per bot message, text, quick replies and custom data
  together, so the page can attach quotes and ratings to the reply they belong to;
- emits ``bot_typing`` around each turn, so the page shows "typing" exactly as long as
  the bot works;
- refuses metadata that is not a small JSON object (``HERBOT_MAX_METADATA_BYTES``) with a reply
  saying why, as REST answers 400;
- cuts long messages and never answers with silence (:mod:`herbot.rasa.channels.turns`).

Event names and payloads stay Rasa's, so any Rasa socket.io widget still works.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput as RasaSocketIOOutput
from sanic import Blueprint, response
from socketio import AsyncServer

from herbot.rasa.channels.addresses import request_address
from herbot.rasa.channels.sessions import may_resume, new_session_id, resume_token, session_secret
from herbot.rasa.channels.turns import (
    LOST_THOUGHT,
    UNREADABLE,
    UNREADABLE_METADATA,
    clip,
    metadata_problem,
    rate_refusal,
    take_turn,
    value_problem,
)
from herbot.rasa.guard import written_for
from herbot.settings import get_settings

logger = logging.getLogger(__name__)

TYPING_EVENT = "bot_typing"


class SocketIOOutput(RasaSocketIOOutput):
    """One event per bot message (Rasa's splits text, buttons and custom data apart); counts what it sent."""

    sent = 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        if any(message.get(key) for key in ("image", "attachment", "elements")):
            await super().send_response(recipient_id, message)  # not used by herbot: Rasa's way
            return
        event: dict[str, Any] = {}
        if message.get("text"):
            event["text"] = message["text"]
        buttons = message.get("quick_replies") or message.get("buttons") or []
        if buttons:
            event["quick_replies"] = [
                {"content_type": "text", "title": button["title"], "payload": button["payload"]} for button in buttons
            ]
        if message.get("custom"):
            event["custom"] = message["custom"]
        if event:
            await self._send_message(recipient_id, event)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Rasa's version spreads the dict into ``emit()`` keyword arguments and fails on any other key."""
        await self._send_message(recipient_id, {"custom": json_message})


ENGINEIO_CORS_WRITTEN_FOR = "4.15.1"


def leave_cors_headers_to_sanic(sio: AsyncServer) -> None:
    """Engine.IO keeps refusing foreign origins, but Sanic-CORS (``rasa run --cors``) owns the headers.

    Both writing ``Access-Control-Allow-Origin`` gives two of them, which browsers reject (issue 16).
    Engine.IO has no public switch for "check origins, write no headers", so its private
    ``_cors_headers`` is replaced, only on the version this was written for; on another one the
    override is skipped with a warning (cross-origin widgets may then see two headers).
    """
    if written_for("python-engineio", ENGINEIO_CORS_WRITTEN_FOR, "herbot's CORS headers left to Sanic"):
        sio.eio._cors_headers = lambda environ: []


class SocketIOInput(RasaSocketIOInput):
    """Rasa's socket.io channel with awaited room joins and server-side session binding."""

    allowed_origins: list[str]

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SocketIOInput:
        channel = super().from_credentials(credentials)
        channel.allowed_origins = get_settings().allowed_origins
        session_secret()
        return channel

    def get_output_channel(self) -> SocketIOOutput | None:
        return SocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=list(self.allowed_origins))
        leave_cors_headers_to_sanic(sio)
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        namespace = self.namespace

        @webhook.route("/", methods=["GET"])
        async def health(_: Any) -> Any:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            address = request_address(environ.get("sanic.request"))  # engineio's own REMOTE_ADDR is always 127.0.0.1
            await sio.save_session(sid, {"address": address}, namespace=namespace)
            if not self.jwt_key:
                return True
            token = (auth or {}).get("token")
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        async def bind(sid: str, requested: Any = None, token: Any = None) -> str:
            """Keep the socket's session, take back one it holds the token of, or issue a new one.

            ``session_confirm`` carries the id (what Rasa's widgets read) and, as a second
            argument that they ignore, its resume token.
            """
            async with sio.session(sid, namespace=namespace) as session:
                current = session.get("session_id")
                kept = requested is not None and (requested == current or may_resume(requested, token))
                session_id = session["session_id"] = requested if kept else new_session_id()
            if current and current != session_id:
                await sio.leave_room(sid, current, namespace=namespace)
            await sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit("session_confirm", (session_id, resume_token(session_id)), room=sid, namespace=namespace)
            return session_id

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            data = data if isinstance(data, dict) else {}
            await bind(sid, data.get("session_id"), data.get("resume_token"))

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            session = await sio.get_session(sid, namespace=namespace)
            session_id = session.get("session_id") or await bind(sid)
            output = SocketIOOutput(sio, self.bot_message_evt)
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str) or value_problem(text, "message"):
                await output.send_text_message(session_id, UNREADABLE)
                return
            metadata = data.get(self.metadata_key)
            if problem := metadata_problem(metadata):  # refused as over REST: nothing of it is stored
                await output.send_text_message(session_id, f"{UNREADABLE_METADATA} ({problem})")
                return
            if refused := rate_refusal(session_id, session.get("address")):
                await output.send_text_message(session_id, refused.text)
                return
            text, notice = clip(text)
            if notice:
                await output.send_text_message(session_id, notice)
            message = UserMessage(text, output, session_id, input_channel=self.name(), metadata=metadata)
            answered_before = output.sent
            await sio.emit(TYPING_EVENT, {"typing": True}, room=session_id, namespace=namespace)
            try:
                await take_turn(on_new_message, message)
            except Exception:  # Rasa logs it too; the user still gets a reply
                logger.exception("the turn for session %s failed", session_id)
            finally:
                if output.sent == answered_before:
                    await output.send_text_message(session_id, LOST_THOUGHT)
                await sio.emit(TYPING_EVENT, {"typing": False}, room=session_id, namespace=namespace)

        return webhook
