"""The web chat page, served by Rasa's own server at ``/chat/``.

A Rasa input channel is the supported way to add routes to Rasa's server. Serving the
page from the same origin as the socket.io endpoint means no CORS for our own page and
no second server. Only the files listed in :data:`ASSETS` are served (no path from the
request ever reaches the file system), each with a strict content security policy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request

from herbot.settings import CHAT_PATH

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "chat.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
    "vendor/socket.io.min.js": "text/javascript; charset=utf-8",
}
# Everything comes from this server; nothing inline, no frames, no forms posted elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}


class WebChatPage(InputChannel):
    """Serves herbot/web/ at /chat/; it receives no messages (the page talks socket.io)."""

    @classmethod
    def name(cls) -> str:
        return "chat"

    def url_prefix(self) -> str:
        # Rasa joins this onto "/webhooks/"; an absolute path puts the page at /chat/.
        return CHAT_PATH.rstrip("/")

    def blueprint(self, on_new_message: Any) -> Blueprint:
        page = Blueprint("herbot_web_chat", __name__)

        @page.route("/", methods=["GET", "HEAD"])  # HEAD: the same headers, no body (Sanic drops it)
        async def without_slash(_: Request) -> Any:
            return response.redirect(CHAT_PATH)  # the page's relative asset links need the slash

        @page.route("/<name:path>", methods=["GET", "HEAD"])
        async def asset(_: Request, name: str) -> Any:
            name = name or "index.html"  # /chat/ itself
            if name not in ASSETS:
                return response.text("Not found", status=404, headers=SECURITY_HEADERS)
            return await _asset(name)

        return page


async def _asset(name: str) -> Any:
    return await response.file(WEB_DIR / name, mime_type=ASSETS[name], headers=SECURITY_HEADERS)
