"""The web chat page, served by Rasa's own server at ``/chat/``.

A Rasa input channel is the supported way to add routes to Rasa's server. Serving the
page from the same origin as the socket.io endpoint means no CORS for our own page and
no second server. Only the files listed in :data:`ASSETS` are served (no path from the
request ever reaches the file system), each with a strict content security policy. Other
sites frame the page through ``embed.js``; only the origins allowed with ``--cors`` may.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request

from herbot.settings import CHAT_PATH, get_settings

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "chat.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
    "vendor/socket.io.min.js": "text/javascript; charset=utf-8",
    "embed.js": "text/javascript; charset=utf-8",
}


def security_headers(framing_origins: Iterable[str]) -> dict[str, str]:
    """Everything comes from this server; nothing inline, no forms posted elsewhere.

    Only this server's pages and ``framing_origins`` (the ``--cors`` origins, where ``embed.js``
    opens the chat in an iframe) may frame it. X-Frame-Options cannot name other origins;
    browsers that know ``frame-ancestors`` ignore it, older ones keep the page to its own origin.
    """
    ancestors = " ".join(["'self'", *framing_origins])
    policy = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
              f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}")
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "SAMEORIGIN",
        "Cache-Control": "no-cache",
    }


class WebChatPage(InputChannel):
    """Serves herbot/rasa/web/ at /chat/; it receives no messages (the page talks socket.io)."""

    @classmethod
    def name(cls) -> str:
        return "chat"

    def url_prefix(self) -> str:
        # Rasa joins this onto "/webhooks/"; an absolute path puts the page at /chat/.
        return CHAT_PATH.rstrip("/")

    def blueprint(self, on_new_message: Any) -> Blueprint:
        page = Blueprint("herbot_web_chat", __name__)
        headers = security_headers(get_settings().cors)

        @page.route("/", methods=["GET", "HEAD"])  # HEAD: the same headers, no body (Sanic drops it)
        async def without_slash(_: Request) -> Any:
            return response.redirect(CHAT_PATH)  # the page's relative asset links need the slash

        @page.route("/<name:path>", methods=["GET", "HEAD"])
        async def asset(_: Request, name: str) -> Any:
            name = name or "index.html"  # /chat/ itself
            if name not in ASSETS:
                return response.text("Not found", status=404, headers=headers)
            return await response.file(WEB_DIR / name, mime_type=ASSETS[name], headers=headers)

        return page
