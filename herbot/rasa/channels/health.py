"""``GET /health`` on Rasa's server: is every turn being stored, and can the actions run?

200 with ``{"status": "ok", ...}`` while the tracker database answers and has every turn and
the action server answers; 503 with ``"degraded"`` while the database cannot be reached,
turns wait in memory to be written (see :mod:`herbot.rasa.tracker_store`), or the action server
is dead or unreachable (``"action_server": "unreachable"``: every answer then is "ask me again
in a moment"). Only counts and states are shown, never an address or a setting, so a load
balancer or a monitor may poll it. Asking retries the waiting writes, pings the database
(``SELECT 1``) and asks the action server's own ``/health``, so an outage shows even when
nobody is talking.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request

from herbot.rasa import tracker_store

HEALTH_PATH = "/health"
ACTION_SERVER_TIMEOUT_SECONDS = 2.0


class HealthCheck(InputChannel):
    """A channel only for its route; it receives no messages."""

    @classmethod
    def name(cls) -> str:
        return "health"

    def url_prefix(self) -> str:
        return HEALTH_PATH  # Rasa joins this onto "/webhooks/"; an absolute path stays as it is

    def blueprint(self, on_new_message: Any) -> Blueprint:
        health = Blueprint("herbot_health", __name__)

        @health.get("/")
        async def report(request: Request) -> Any:
            agent = getattr(request.app.ctx, "agent", None)
            store = tracker_store.find(getattr(agent, "tracker_store", None))
            if store is None:
                return response.json({"status": "starting"}, status=503)
            counts, actions = await asyncio.gather(store.check(), action_server_state(agent))
            counts["action_server"] = actions
            if actions != "reachable":
                counts["status"] = "degraded"
            return response.json(counts, status=200 if counts["status"] == "ok" else 503)

        return health


async def action_server_state(agent: Any) -> str:
    """"reachable" when the action server the agent calls answers its ``/health`` with 200 in time, else
    "unreachable"."""
    endpoint = getattr(agent, "action_endpoint", None)
    if endpoint is None or not endpoint.url:
        return "unreachable"
    parts = urlsplit(endpoint.url)
    url = urlunsplit((parts.scheme, parts.netloc, HEALTH_PATH, "", ""))
    try:
        timeout = aiohttp.ClientTimeout(total=ACTION_SERVER_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as answer:
            return "reachable" if answer.status == 200 else "unreachable"
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        return "unreachable"
