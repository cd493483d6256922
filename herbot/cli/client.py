"""Talking to a running herbot over Rasa's REST channel, for ``herbot ask`` and ``herbot shell``.

The REST channel is what every Rasa server has, so the terminal needs nothing the
other channels do not. One :class:`Conversation` is one sender id: Rasa keeps the
conversation's state (follow-ups, spoiler consent) per sender. Failures become
:class:`BotUnreachable` or :class:`BotError` with a one-line message, never a traceback.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field

from herbot.settings import REST_PATH

REPLY_TIMEOUT_SECONDS = 90.0  # generous: on a busy 2-core machine a reply can take seconds
PROBE_TIMEOUT_SECONDS = 3.0


class BotUnreachable(Exception):
    """Nothing answers at the URL (refused, unknown host, connection dropped)."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"cannot reach herbot at {url} ({reason})")
        self.url, self.reason = url, reason


class BotError(Exception):
    """Something answered, but not with a usable reply (HTTP error, not JSON, too slow)."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass
class Reply:
    """What the user reads: text lines, suggested questions, and where the answer came from.

    ``messages`` keeps Rasa's messages as they came (quotes and sources in their ``custom``), for a transcript.
    """

    texts: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)


def check_url(url: str) -> str:
    """Refuse what cannot be a server's address (``localhost:5005`` without ``http://``); drop a final ``/``."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not a server address; give one like http://127.0.0.1:5005")
    return url.strip().rstrip("/")


def answers(url: str) -> bool:
    """Whether anything listens at ``url``: an HTTP error or a slow answer counts, a refusal does not.

    ``herbot shell`` starts its own server only when this is false, so a busy server
    must not look absent.
    """
    try:
        with urllib.request.urlopen(f"{url}/", timeout=PROBE_TIMEOUT_SECONDS):
            return True
    except urllib.error.HTTPError:
        return True
    except urllib.error.URLError as error:
        return isinstance(error.reason, TimeoutError)
    except TimeoutError:
        return True
    except OSError:
        return False


class Conversation:
    """One conversation with herbot at ``url``, under a sender id of its own."""

    def __init__(self, url: str, *, channel: str = "shell", timeout: float = REPLY_TIMEOUT_SECONDS):
        self.url = check_url(url)
        self.sender = f"{channel}-{uuid.uuid4().hex}"  # a fresh conversation, told apart in the tracker store
        self.timeout = timeout

    def say(self, text: str) -> Reply:
        """Send one message and return herbot's reply (KeyboardInterrupt abandons the request)."""
        body = json.dumps({"sender": self.sender, "message": text}).encode()
        request = urllib.request.Request(f"{self.url}{REST_PATH}", data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            if error.code == 429:  # too fast: herbot says so in its own words
                raw = error.read()
            elif refusal := _refusal(error):  # a message herbot will not read (a lone surrogate pasted in)
                raise BotError(f"herbot could not read that message: {refusal}") from None
            else:
                raise BotError(f"herbot at {self.url} answered HTTP {error.code} {error.reason}") from None
        except TimeoutError:  # socket.timeout is TimeoutError since Python 3.10
            raise BotError(f"herbot at {self.url} did not answer within {self.timeout:.0f} s") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise BotError(f"herbot at {self.url} did not answer within {self.timeout:.0f} s") from None
            raise BotUnreachable(self.url, _reason(error.reason)) from None
        except OSError as error:  # the connection dropped mid-reply: the server went away
            raise BotUnreachable(self.url, _reason(error)) from None
        try:
            messages = json.loads(raw or b"[]")
        except ValueError:
            raise BotError(f"herbot at {self.url} sent a reply that is not JSON") from None
        if not isinstance(messages, list):
            raise BotError(f"herbot at {self.url} sent a reply that is not a list of messages")
        return read_reply(messages)


def read_reply(messages: list) -> Reply:
    """Collect texts, buttons and sources from Rasa's REST messages; unknown keys are ignored.

    Sources come from ``custom`` objects: passage ids named by their quote's source label,
    ``facts:…`` ids as film facts, each listed once.
    """
    reply = Reply()
    sources: list[str] = []
    labels: dict[str, str] = {}
    for message in messages:
        if not isinstance(message, dict):
            continue
        reply.messages.append(message)
        if message.get("text"):
            reply.texts.append(str(message["text"]))
        for button in message.get("buttons") or []:
            if isinstance(button, dict) and button.get("payload"):
                reply.buttons.append(Button(str(button.get("title") or button["payload"]), str(button["payload"])))
        custom = message.get("custom")
        if isinstance(custom, dict):
            sources += [str(source) for source in custom.get("sources") or []]
            for quote in custom.get("quotes") or []:
                if isinstance(quote, dict) and quote.get("passage_id"):
                    pid = str(quote["passage_id"])
                    spoiler = ", spoiler" if quote.get("spoiler") else ""
                    labels[pid] = f"{quote.get('source') or pid} ({pid}{spoiler})"
                    sources.append(pid)
    for source in dict.fromkeys(sources):
        reply.sources.append(labels.get(source) or _fact_label(source))
    return reply


def _fact_label(source: str) -> str:
    """``facts:cast:Joaquin Phoenix`` reads as ``film facts (cast: Joaquin Phoenix)``."""
    if source.startswith("facts:"):
        return f"film facts ({source.removeprefix('facts:').replace(':', ': ')})"
    return source


def _reason(reason) -> str:
    """The short why of a connection failure: ``connection refused`` rather than ``[Errno 111] …``."""
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ConnectionResetError):
        return "connection reset"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__


def _refusal(error: urllib.error.HTTPError) -> str | None:
    """What a 4xx from herbot's webhook says is wrong with the message (its JSON ``error``), if it says."""
    if not 400 <= error.code < 500:
        return None
    try:
        said = json.loads(error.read() or b"{}")
    except (ValueError, OSError):
        return None
    return str(said["error"]) if isinstance(said, dict) and said.get("error") else None
