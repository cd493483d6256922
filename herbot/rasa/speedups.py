"""Work that Rasa 3.6.21 repeats on every turn, done once instead: same behaviour, less CPU.

Every turn of every conversation runs in the Rasa server's event loop, so its CPU time is
herbot's throughput. Profiling it under ``make load`` found the largest shares in work whose
result never changes within a process (``make bench`` measures herbot with and without these):

- **Action replies.** Rasa checks every reply of the action server against a JSON schema
  whose events are a ``oneOf`` over 23 event kinds, after checking the schema itself against
  the meta-schema. Here the schema is checked once, and each event only against the kind its
  ``event`` names (the kinds are told apart by that constant, so the verdict is the same). A
  reply that fails gets Rasa's own full check, and so Rasa's error message.
- **Running the model's graph.** Rasa builds a dask graph of its NLU and policy nodes and
  runs it with dask's local scheduler, which orders the nodes again on every call. Here each
  target list's graph is built once, by Rasa's own code, and run by dask's sequential
  reference scheduler (``dask.core.get``), which takes the same graph and inputs.
- **Checking the domain.** Before parsing each message Rasa asks whether the domain is empty
  by turning it, and a new empty domain, into dictionaries. A loaded domain does not change:
  here each one's answer is remembered.
- **Reading events.** Turning a stored event into its class walked every subclass of
  ``Event`` (asking ``inspect`` whether each is abstract) for every event of every tracker
  read. Here a name, once found, is remembered.
- **Calling the action server.** Rasa opens a new HTTP session, and so a new connection, for
  every action call. Here each endpoint keeps one session whose connections are reused while
  idle for under 2 s: less than the 5 s after which the action server (Sanic) closes an idle
  one, so a request is never sent on a connection being closed.

What is remembered about one of Rasa's objects is kept beside it (:class:`_Remembered`), never
written into it. :func:`install` applies them as the Rasa server starts
(herbot/rasa/channels/server_hooks.py), only on the Rasa version they were written for and not
with ``HERBOT_RASA_SPEEDUPS=0``. Each has a test that compares it with Rasa's own
(tests/test_speedups.py).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

import aiohttp
import dask.core
from jsonschema import exceptions
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

from herbot.rasa.guard import written_for
from herbot.settings import get_settings
from knowledge.once import once

logger = logging.getLogger(__name__)

RASA_WRITTEN_FOR = "3.6.21"
# Rasa's own, kept before ``install`` replaces them (the event one answers names not seen yet)
RASA_RESOLVE_EVENT_TYPE = Event.resolve_by_type
RASA_RUN_GRAPH = DaskGraphRunner.run
RASA_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result
RASA_DOMAIN_IS_EMPTY = Domain.is_empty

IDLE_CONNECTION_SECONDS = 2.0  # under Sanic's KEEP_ALIVE_TIMEOUT (5 s), which the action server runs with


class _Remembered:
    """What a speed-up remembers about each of Rasa's objects, kept here rather than in the object: by
    identity (Rasa's objects may be unhashable, or costly to hash), for as long as the object lives."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, Any]] = {}

    def get(self, owner: Any) -> Any:
        entry = self._entries.get(id(owner))
        return entry[1] if entry is not None and entry[0]() is owner else None

    def set(self, owner: Any, value: Any) -> None:
        key = id(owner)
        self._entries[key] = (weakref.ref(owner, lambda _, key=key: self._entries.pop(key, None)), value)


@once
def _action_reply_validator() -> Any:
    """Rasa's check of a whole reply, its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@once
def _validators_by_event_kind() -> tuple[Any, dict[str, Any]] | None:
    """The reply's check with events checked only for their common fields, and one check per
    event kind; None when the schema's kinds are not told apart by a constant ``event``."""
    schema = RemoteAction.action_response_format_spec()
    event_schema = schema["properties"]["events"]["items"]
    kinds: dict[str, Any] = {}
    for branch in event_schema.get("oneOf", []):
        kind = branch.get("properties", {}).get("event", {}).get("const")
        if not isinstance(kind, str) or kind in kinds:
            return None
        kinds[kind] = branch
    common = {key: value for key, value in event_schema.items() if key != "oneOf"}
    reply = {**schema, "properties": {**schema["properties"], "events": {
        **schema["properties"]["events"], "items": common}}}
    validator_class = validator_for(schema)
    return validator_class(reply), {kind: validator_class(branch) for kind, branch in kinds.items()}


def _reply_is_valid(result: Any) -> bool:
    """The same verdict as Rasa's check, checking each event against its own kind only."""
    split = _validators_by_event_kind()
    if split is None:
        return _action_reply_validator().is_valid(result)
    reply, kinds = split
    if not reply.is_valid(result):
        return False
    for event in result.get("events") or []:
        kind = kinds.get(event["event"])  # the common check made it an object with a string "event"
        if kind is None or not kind.is_valid(event):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's ``RemoteAction._validate_action_result``: True, or Rasa's ``ValidationError``."""
    if _reply_is_valid(result):
        return True
    error = exceptions.best_match(_action_reply_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


_GRAPHS = _Remembered()  # per runner: its dask graph for each target list


def _run_graph(self: DaskGraphRunner, inputs: dict[str, Any] | None = None,
               targets: list[str] | None = None) -> dict[str, Any]:
    """``DaskGraphRunner.run`` with each target list's graph built once, run by ``dask.core.get``."""
    run_targets = targets if targets else self._graph_schema.target_names
    graphs = _GRAPHS.get(self)
    if graphs is None:
        graphs = {}
        _GRAPHS.set(self, graphs)
    if (key := tuple(run_targets)) not in graphs:
        graphs[key] = self._build_dask_graph(self._graph_schema.minimal_graph_schema(run_targets))
    run_graph = dict(graphs[key])
    self._add_inputs_to_graph(inputs, run_graph)  # Rasa's own: the same inputs, the same clash check
    try:
        return dict(dask.core.get(run_graph, run_targets))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error


_EVENT_TYPES: dict[str, type[Event]] = {}


def _resolve_event_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """``Event.resolve_by_type``, remembering each name it found."""
    found = _EVENT_TYPES.get(type_name)
    if found is None:
        found = RASA_RESOLVE_EVENT_TYPE(type_name, default)
        if found is not None and found.type_name == type_name:
            _EVENT_TYPES[type_name] = found
    return found


_EMPTY = _Remembered()  # per domain: whether it is empty


def _domain_is_empty(self: Domain) -> bool:
    """``Domain.is_empty``, worked out once per domain."""
    known = _EMPTY.get(self)
    if known is None:
        known = RASA_DOMAIN_IS_EMPTY(self)
        _EMPTY.set(self, known)
    return known


_SESSIONS = _Remembered()  # per endpoint: (the event loop, its session there)
_KEPT: list[aiohttp.ClientSession] = []


class _KeptSession:
    """What ``async with endpoint.session()`` gets: the endpoint's one session, left open after."""

    def __init__(self, endpoint: EndpointConfig):
        self._endpoint = endpoint

    async def __aenter__(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        kept = _SESSIONS.get(self._endpoint)
        if kept is None or kept[0] is not loop or kept[1].closed:
            kept = (loop, _new_session(self._endpoint))
            _SESSIONS.set(self._endpoint, kept)
            _KEPT.append(kept[1])
        return kept[1]

    async def __aexit__(self, *_exc) -> None:
        return None


def _new_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's session for ``endpoint`` (same headers, auth and timeout), keeping idle connections."""
    auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"]) \
        if endpoint.basic_auth else None
    return aiohttp.ClientSession(headers=endpoint.headers, auth=auth,
                                 timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                                 connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS))


def _endpoint_session(self: EndpointConfig) -> _KeptSession:
    """``EndpointConfig.session`` for ``async with``, reusing the endpoint's session and its connections."""
    return _KeptSession(self)


def kept_session(endpoint: EndpointConfig) -> aiohttp.ClientSession | None:
    """The session kept for ``endpoint``, if a call made one."""
    kept = _SESSIONS.get(endpoint)
    return kept[1] if kept else None


async def close_sessions(*_listener_args) -> None:
    """Close the kept sessions (a listener on the Rasa server's stop: herbot/rasa/channels/server_hooks.py)."""
    closed = 0
    while _KEPT:
        session = _KEPT.pop()
        if not session.closed:
            await session.close()
            closed += 1
    if closed:
        logger.info("closed the %d kept session(s) to the action server", closed)


# (Rasa's class, the attribute replaced, herbot's one)
PATCHES = (
    (RemoteAction, "_validate_action_result", _validate_action_result),
    (DaskGraphRunner, "run", _run_graph),
    (Event, "resolve_by_type", staticmethod(_resolve_event_type)),
    (Domain, "is_empty", _domain_is_empty),
    (EndpointConfig, "session", _endpoint_session),
)


@once
def install() -> bool:
    """Apply the speed-ups to this process, once (later calls answer the same); False when they stay out:
    ``HERBOT_RASA_SPEEDUPS=0``, or a Rasa other than the one they were written for (the log says which)."""
    if not get_settings().rasa_speedups:
        logger.info("HERBOT_RASA_SPEEDUPS=0: Rasa runs as shipped, without herbot's speed-ups")
        return False
    if not written_for("rasa", RASA_WRITTEN_FOR, "herbot's speed-ups of Rasa"):
        return False
    for owner, name, replacement in PATCHES:
        setattr(owner, name, replacement)
    logger.info("herbot's speed-ups of Rasa %s installed: %s", RASA_WRITTEN_FOR,
                ", ".join(f"{owner.__name__}.{name}" for owner, name, _ in PATCHES))
    return True
