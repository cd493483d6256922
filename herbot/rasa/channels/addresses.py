"""Which client address a request comes from, for the limits per address.

Behind a reverse proxy every request arrives from the proxy. ``X-Forwarded-For`` is read only
when the peer is one of ``HERBOT_TRUSTED_PROXIES`` (anyone else can write anything in it), and
from the right: each proxy appends the address it was sent the request from, so the right-most
address that is not a trusted proxy is the client; what lies left of it is the client's own claim.

Loopback clients (the CLI, tests and benchmarks on this machine) are not limited per address,
except a trusted proxy: all its clients would otherwise go unlimited.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from herbot.settings import address, get_settings

FORWARDED_FOR = "x-forwarded-for"


def request_address(request: Any) -> str | None:
    """The client address of a Sanic request (socket.io: engineio's environ holds it as ``sanic.request``)."""
    if request is None:
        return None
    return client_address(request.ip, ",".join(request.headers.getall(FORWARDED_FOR, [])))


def client_address(peer: str | None, forwarded_for: str = "") -> str | None:
    """The peer, or when the peer is a trusted proxy, the right-most untrusted address it forwarded."""
    peer = _spelled(peer)
    trusted = get_settings().trusted_proxies
    if peer not in trusted:
        return peer
    hops = [_spelled(hop) for hop in forwarded_for.split(",") if hop.strip()]
    return next((hop for hop in reversed(hops) if hop not in trusted), hops[0] if hops else peer)


def is_exempt(client: str | None) -> bool:
    """No limit per address for this machine's own clients (``::ffff:127.0.0.1`` included), trusted proxies aside."""
    client = _spelled(client)
    if client is None:  # no address to count under (not a TCP peer)
        return True
    if client in get_settings().trusted_proxies:
        return False
    try:
        return ipaddress.ip_address(client).is_loopback
    except ValueError:
        return client == "localhost"


def _spelled(text: str | None) -> str | None:
    """One spelling per address, so that ``::ffff:10.0.0.1`` and ``10.0.0.1`` count as one; other text as is."""
    if not text or not text.strip():
        return None
    try:
        return address(text)
    except ValueError:
        return text.strip()
