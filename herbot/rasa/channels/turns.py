"""What every herbot channel does around a turn, so that no channel differs.

- It reads at most ``HERBOT_MAX_QUERY_CHARS`` characters of a message and tells the
  user when it cut one (Rasa would otherwise run NLU over 100,000 characters).
- It limits how fast one conversation, and one client address, may send turns
  (``HERBOT_RATE_LIMIT``, ``HERBOT_RATE_LIMIT_ADDRESS``) and how many conversations an
  address may start (``HERBOT_NEW_CONVERSATIONS_PER_ADDRESS``), with a friendly reply past
  a limit and the real time until a turn would be let through.
- It encodes the message for the intent classifier in a worker thread before Rasa parses it,
  so that one turn's encoding does not hold up the other conversations (Rasa's NLU runs
  inside its event loop).
- It lets Rasa work on at most ``HERBOT_CONCURRENT_TURNS`` turns at once; the others wait
  in line, first come first served. Rasa's event loop shares itself between every turn it
  has started, so with 50 at once each took as long as all 50 together; in line, a turn
  waits for the ones before it and then runs with few others (``make load`` measures it).
  A turn that waits longer than ``QUEUE_WAIT_SECONDS`` goes ahead anyway, so that turns
  stuck on a hung action server cannot hold up every conversation.
- It never answers with silence: when a turn produced no message at all (Rasa logs a
  failed custom action and carries on with nothing to say, for example while the
  action server restarts), the user gets a short reply asking them to try again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
import weakref
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse, storage, strategies

from herbot.rasa.channels.addresses import is_exempt
from herbot.rasa.guard import written_for
from herbot.settings import get_settings
from knowledge.once import once

logger = logging.getLogger(__name__)

TOO_FAST = "You're quicker than I am! Give me a few seconds to catch up, then ask again."
TOO_MANY_CONVERSATIONS = ("That's a lot of new conversations from one place! Carry on in one you have, "
                          "or start another a little later.")
LOST_THOUGHT = "Sorry, I lost my train of thought there. Could you ask me that again in a moment?"
UNREADABLE = "I couldn't read that message: send an object with a text field called 'message'."
UNREADABLE_METADATA = "I couldn't read that message: its metadata must be a small JSON object"
QUEUE_WAIT_SECONDS = 3.0
MAX_NESTING = 16  # levels of arrays and objects a request may nest (a body counts as one)
_WAITED_LONG_LOG_SECONDS = 60.0


class TurnFailed(RuntimeError):
    """Something inside Rasa tried to end the server process during a turn; the turn fails instead."""


async def take_turn(on_new_message: Any, message: Any) -> None:
    """Hand ``message`` (a Rasa ``UserMessage``) to Rasa: encoded ahead, then in line for a turn slot.

    Rasa's code calls ``sys.exit`` on some errors (its SQL store takes any ValueError for a
    missing PostgreSQL schema): inside a turn that would stop the server for everyone, so
    it fails this turn only.
    """
    await encode_ahead(message.text or "")
    async with _turn_slot():
        try:
            await on_new_message(message)
        except SystemExit as exit_:
            raise TurnFailed(f"a turn tried to exit the server (status {exit_.code})") from None


def value_problem(value: Any, name: str, depth: int = 0) -> str | None:
    """Why a value from a request cannot be stored as standard JSON text, or None.

    JSON may carry "\\ud800", which Python decodes into a string that no UTF-8 store (SQLite,
    PostgreSQL, the logs) can write; ``NaN``, ``Infinity`` and ``1e999`` become floats that
    only non-standard JSON can hold; and nesting past :data:`MAX_NESTING` levels is refused
    before anything walks it further. Strings inside lists and objects are checked too.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{name} must be valid Unicode text (it holds a lone surrogate, \\u{ord(value[_bad(value)]):04x})"
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{name} must hold only finite numbers (JSON has no NaN or Infinity)"
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return None
    if depth >= MAX_NESTING:
        return f"{name} is nested too deeply (at most {MAX_NESTING} levels of arrays and objects)"
    return next((problem for item in items if (problem := value_problem(item, name, depth + 1))), None)


def metadata_problem(metadata: Any) -> str | None:
    """Why a message's metadata cannot be stored, or None: it must be a small JSON object.

    Rasa keeps metadata in the message's event and copies the first message's into the
    ``session_started_metadata`` slot, and sends both to the action server on every turn;
    ``HERBOT_MAX_METADATA_BYTES`` keeps that small.
    """
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        return '"metadata" must be a JSON object when given'
    if problem := value_problem(metadata, '"metadata"', depth=1):
        return problem
    size, limit = len(json.dumps(metadata, separators=(",", ":"))), get_settings().max_metadata_bytes
    if size > limit:
        return f'"metadata" is {size:,} bytes as JSON; at most {limit:,} are accepted (HERBOT_MAX_METADATA_BYTES)'
    return None


def _bad(text: str) -> int:
    return next(i for i, char in enumerate(text) if 0xD800 <= ord(char) <= 0xDFFF)


_SLOTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # event loop -> (limit, its semaphore)
_last_long_wait = [0.0]


@asynccontextmanager
async def _turn_slot():
    limit = get_settings().concurrent_turns
    if not limit:
        yield
        return
    loop = asyncio.get_running_loop()
    limited, slots = _SLOTS.get(loop, (None, None))
    if limited != limit:  # first turn in this loop (or the setting changed: tests)
        slots = asyncio.Semaphore(limit)
        _SLOTS[loop] = (limit, slots)
    try:
        await asyncio.wait_for(slots.acquire(), QUEUE_WAIT_SECONDS)
    except asyncio.TimeoutError:
        if time.monotonic() - _last_long_wait[0] > _WAITED_LONG_LOG_SECONDS:
            _last_long_wait[0] = time.monotonic()
            logger.warning("a turn waited %.0f s for one of the %d turn slots and went ahead anyway "
                           "(HERBOT_CONCURRENT_TURNS); the server is overloaded or turns are stuck",
                           QUEUE_WAIT_SECONDS, limit)
        yield
        return
    try:
        yield
    finally:
        slots.release()


async def encode_ahead(text: str) -> None:
    """Best effort: should it fail, the classifier encodes the message itself."""
    from herbot.rasa.minilm_intents import encode_ahead

    try:
        await asyncio.to_thread(encode_ahead, text)
    except Exception:  # noqa: BLE001
        logger.exception("could not encode a message ahead of its turn")


def message_limit() -> int:
    return get_settings().max_query_chars


def clip(text: str) -> tuple[str, str | None]:
    """The part of ``text`` herbot reads, and what to tell the user if that is not all of it."""
    limit = message_limit()
    if len(text) <= limit:
        return text, None
    return text[:limit], f"That was a long message, so I read only its first {limit:,} characters."


_STORAGE: list = []
SWEEP_SECONDS = 10.0
LIMITS_WRITTEN_FOR = "2.4.0"  # SweptMemoryStorage replaces a private method of this version


class WindowMemoryStorage(storage.MemoryStorage):
    """limits' memory storage; it also says when a moving window next has room."""

    def free_at(self, key: str, limit: int, expiry: int) -> float:
        """When the moving window ``key`` next has room (entries are kept newest first)."""
        entries = self.events.get(key, [])
        return entries[limit - 1].atime + expiry if len(entries) >= limit else time.time()


class SweptMemoryStorage(WindowMemoryStorage):
    """The memory storage with its expired entries dropped every ``SWEEP_SECONDS``, in the thread that hits.

    limits 2.4 (the newest that installs beside Rasa 3.6) starts a thread on nearly every hit
    to sweep every stored entry 10 ms later, which under load took the Rasa server's event loop
    from the turns. Expired entries never count against a moving window, so sweeping them now
    and then limits exactly as before. It replaces a private method of limits 2.4.0: one of
    herbot's speed-ups, used only on that version and not with ``HERBOT_RASA_SPEEDUPS=0``.
    """

    def __init__(self, *args, **kwargs):
        self._next_sweep = time.monotonic() + SWEEP_SECONDS
        super().__init__(*args, **kwargs)

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the thread-starting one
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()


def memory_storage() -> WindowMemoryStorage:
    """The swept storage where herbot's speed-ups apply, else limits' own (HERBOT_RASA_SPEEDUPS=0, another limits)."""
    if get_settings().rasa_speedups and written_for("limits", LIMITS_WRITTEN_FOR, "herbot's rate-limit sweep"):
        return SweptMemoryStorage()
    return WindowMemoryStorage()


class SharedRedisStorage(storage.RedisStorage):
    """limits' Redis storage; it also says when a moving window next has room.

    (limits' own window statistics give the time the whole window empties, in whole seconds.)
    """

    def free_at(self, key: str, limit: int, expiry: int) -> float:
        oldest_counted = self.storage.lindex(key, limit - 1)  # entries are pushed newest first
        return float(oldest_counted) + expiry if oldest_counted is not None else time.time()


@once
def _limiter() -> strategies.MovingWindowRateLimiter:
    """In this process's memory for one Rasa server; in Redis (``HERBOT_LOCK_URL``) when several
    share the conversations, so that a limit holds whichever server a turn reaches."""
    lock_url = get_settings().lock_url
    store = SharedRedisStorage(lock_url.url()) if lock_url else memory_storage()
    _STORAGE.append(store)  # a limiter holds its storage only by a weak reference
    return strategies.MovingWindowRateLimiter(store)


@dataclass(frozen=True)
class Refusal:
    """A turn refused for now: what to tell the user, and in how many seconds a turn would be let through."""

    text: str
    retry_after: int


def rate_refusal(sender: str, address: str | None) -> Refusal | None:
    """Count one turn for ``sender`` from ``address``; why it must wait, or None to go ahead.

    Besides turns per conversation and per client address, an address may start only so many
    conversations (``HERBOT_NEW_CONVERSATIONS_PER_ADDRESS``): each new sender or socket.io
    session would otherwise bring a fresh per-conversation budget. Exempt addresses (this
    machine's own clients, :func:`herbot.rasa.channels.addresses.is_exempt`) count per conversation only.
    """
    settings = get_settings()
    limiter = _limiter()
    exempt = is_exempt(address)
    try:
        if not exempt and (refused := _start_conversation(limiter, sender, address)):
            return refused
        limits = [(_rate(settings.rate_limit), "sender", sender)]
        if not exempt:
            limits.append((_rate(settings.rate_limit_address), "address", address))
        for item, kind, key in limits:
            if not limiter.hit(item, kind, key):
                return _refused(TOO_FAST, limiter, item, kind, key)
    except Exception as error:  # noqa: BLE001 - Redis away: answer unlimited rather than not at all
        logger.error("rate limit storage error, turn let through: %s", " ".join(str(error).split()))
    return None


def _start_conversation(limiter: strategies.MovingWindowRateLimiter, sender: str, address: str) -> Refusal | None:
    """Count ``sender`` as a conversation ``address`` starts, unless it was counted within the limit's window."""
    item = _rate(get_settings().new_conversations_per_address)
    store, seen = limiter.storage(), f"herbot/conversation/{sender}"
    if store.get(seen):
        return None
    if not limiter.hit(item, "new conversations", address):
        return _refused(TOO_MANY_CONVERSATIONS, limiter, item, "new conversations", address)
    store.incr(seen, item.get_expiry())
    return None


def _refused(text: str, limiter: strategies.MovingWindowRateLimiter, item: RateLimitItem, *key: str) -> Refusal:
    """The refusal with the honest wait: until the oldest of the counted turns leaves the moving window."""
    free_at = limiter.storage().free_at(item.key_for(*key), item.amount, item.get_expiry())
    return Refusal(text, max(1, math.ceil(free_at - time.time())))


@once
def _rate(text: str) -> RateLimitItem:
    """A rate setting parsed once per process, not on every turn."""
    return parse(text)
