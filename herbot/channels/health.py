"""``GET /health`` on Rasa's server: is every turn being stored?

200 with ``{"status": "ok", ...}`` while the tracker database answers and has every turn,
503 with ``"degraded"`` while it cannot be reached or turns wait in memory to be written
(see :mod:`herbot.tracker_store`). Only counts are shown, never an address or a setting, so
a load balancer or a monitor may poll it. Asking retries the waiting writes and pings the
database (``SELECT 1``), so an outage shows even when nobody is talking.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request

from herbot import tracker_store

HEALTH_PATH = "/health"


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
            counts = await store.check()
            return response.json(counts, status=200 if counts["status"] == "ok" else 503)

        return health
