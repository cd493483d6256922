"""What herbot does to the Rasa server itself as it starts and stops.

Rasa lets code in through the channels named in bot/credentials.yml, and reads them before
it loads the model or takes a turn: this "channel" has no route and takes no message. As the
server starts it installs herbot's speed-ups of Rasa's own code (:func:`herbot.rasa.speedups.install`:
not with ``HERBOT_RASA_SPEEDUPS=0``, nor on a Rasa they were not written for); as the server
stops, it closes the connections to the action server they keep.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint

from herbot.rasa import speedups


class ServerHooks(InputChannel):
    """Herbot's start and stop of the Rasa server; no route."""

    @classmethod
    def name(cls) -> str:
        return "herbot_server"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ServerHooks:
        speedups.install()  # the one place: the server starts, no turn has run yet
        return cls()

    def blueprint(self, on_new_message: Any) -> Blueprint:
        hooks = Blueprint("herbot_server_hooks", __name__)
        hooks.after_server_stop(speedups.close_sessions)
        return hooks
