"""Work that Rasa 3.6 repeats on every turn, done once instead (same behaviour, less CPU).

The Rasa server's event loop is what limits herbot's throughput: every turn of every
conversation runs in it. py-spy during ``make load`` (50 conversations, no pause) showed
where it went on work whose result never changes within a process:

- **Action replies.** Rasa checks every reply of the action server against a JSON schema
  whose events are a ``oneOf`` over 23 event kinds: each event was checked against all 23
  (9 % of the loop), after Rasa had checked the schema itself against the meta-schema
  (16 %, on every turn). Here the schema is checked once, and each event only against the
  kind its ``event`` names (the kinds are told apart by that constant, so the verdict is
  the same). A reply that fails gets Rasa's own full check, and so Rasa's error message.
- **Running the model's graph.** Rasa runs its NLU and policy graph through dask, which
  orders the graph's nodes again on every call (11 % of the loop). Here the order is
  worked out once per target list and the nodes are called in it, with the same inputs.
- **Checking the domain.** Before parsing each message Rasa asks whether the domain is empty
  by turning it, and a new empty domain, into dictionaries (2 %). A domain does not change
  once loaded: here each one's answer is remembered.
- **Reading events.** Rearranging a stored event into its class walked every subclass of
  ``Event`` (and asked ``inspect`` whether each is abstract) for every event of every
  tracker read (5 %). Here a name, once found, is remembered.
- **Calling the action server.** Rasa opens a new HTTP session, and so a new connection,
  for every action call, and closes it after (5 % of the loop, and as much again in the
  action server). Here each endpoint keeps one session whose connections are reused while
  idle for under 2 s: less than the 5 s after which the action server (Sanic) closes an
  idle one, so a request is never sent on a connection being closed.

``install`` applies them; herbot's REST channel calls it when the Rasa server imports it.
Each has a test that compares it with Rasa's own (tests/test_rasa_speedups.py).
"""

from __future__ import annotations

import asyncio
from graphlib import TopologicalSorter
from typing import Any

import aiohttp
from jsonschema import exceptions
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

from knowledge.once import once

# Rasa's own, kept before ``install`` replaces them (the event one answers names not seen yet)
RASA_RESOLVE_EVENT_TYPE = Event.resolve_by_type
RASA_RUN_GRAPH = DaskGraphRunner.run
RASA_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result
RASA_DOMAIN_IS_EMPTY = Domain.is_empty

IDLE_CONNECTION_SECONDS = 2.0  # under Sanic's KEEP_ALIVE_TIMEOUT (5 s), which the action server runs with


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


def _node_order(runner: DaskGraphRunner, targets: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """The nodes ``targets`` need, each after what it needs, with the names of its inputs."""
    plans = runner.__dict__.setdefault("_herbot_node_orders", {})
    if targets not in plans:
        nodes = runner._graph_schema.minimal_graph_schema(list(targets)).nodes
        needs = {name: tuple(node.needs.values()) for name, node in nodes.items()}
        order = TopologicalSorter({name: [n for n in inputs if n in nodes] for name, inputs in needs.items()})
        plans[targets] = [(name, needs[name]) for name in order.static_order()]
    return plans[targets]


def _run_graph(self: DaskGraphRunner, inputs: dict[str, Any] | None = None,
               targets: list[str] | None = None) -> dict[str, Any]:
    """``DaskGraphRunner.run`` without dask: the same nodes, called with the same inputs."""
    run_targets = targets if targets else self._graph_schema.target_names
    order = _node_order(self, tuple(run_targets))
    # As in dask: an input is the pair (name, value); a name that is no node nor input stays a name.
    values: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in self._graph_schema.nodes:
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the input "
                f"names passed to the `run` method are the same as node names in the graph schema."
            )
        values[name] = (name, value)
    try:
        for name, needs in order:
            values[name] = self._instantiated_nodes[name](*(values.get(need, need) for need in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(values.get(target, target) for target in run_targets)


def _resolve_event_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """``Event.resolve_by_type``, remembering each name it found."""
    found = _EVENT_TYPES.get(type_name)
    if found is None:
        found = RASA_RESOLVE_EVENT_TYPE(type_name, default)
        if found is not None and found.type_name == type_name:
            _EVENT_TYPES[type_name] = found
    return found


_EVENT_TYPES: dict[str, type[Event]] = {}


def _domain_is_empty(self: Domain) -> bool:
    """``Domain.is_empty``, worked out once per domain."""
    known = self.__dict__.get("_herbot_is_empty")
    if known is None:
        known = self.__dict__["_herbot_is_empty"] = RASA_DOMAIN_IS_EMPTY(self)
    return known


class _KeptSession:
    """What ``async with endpoint.session()`` gets: the endpoint's one session, left open after."""

    def __init__(self, endpoint: EndpointConfig):
        self._endpoint = endpoint

    async def __aenter__(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        kept = self._endpoint.__dict__.get("_herbot_session")
        if kept is None or kept[0] is not loop or kept[1].closed:
            kept = (loop, _new_session(self._endpoint))
            self._endpoint.__dict__["_herbot_session"] = kept
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


_KEPT: list[aiohttp.ClientSession] = []


async def close_sessions(*_args) -> None:
    """Close the kept sessions (the Rasa server calls this as it stops)."""
    while _KEPT:
        session = _KEPT.pop()
        if not session.closed:
            await session.close()


def install() -> None:
    """Apply to this process (herbot's REST channel calls this when the Rasa server imports it)."""
    RemoteAction._validate_action_result = _validate_action_result
    DaskGraphRunner.run = _run_graph
    Event.resolve_by_type = staticmethod(_resolve_event_type)
    Domain.is_empty = _domain_is_empty
    EndpointConfig.session = _endpoint_session
