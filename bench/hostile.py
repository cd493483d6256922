"""Hostile requests mixed into a soak run (``bench/soak.py --hostile S``): what an attacker or a
broken client sends, one every S seconds, each of which herbot must refuse with a 4xx.

Every kind of request here once did harm or is refused by a rule of SECURITY.md: a lone
surrogate as sender (it once stopped the server), nesting past Python's recursion limit (a
500), 1 MiB of metadata (it was stored, twice), a body over 1 MiB, a ``text/plain`` post (a
foreign page's turn), ``NaN``, a sender of zero-width characters, and bytes that are not
UTF-8. None may get a 5xx, none may fail to connect (the server gone), none may be stored.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import aiohttp

JSON = "application/json"
HOSTILE: list[tuple[str, bytes, str]] = [  # (what it is, body, content type)
    ("lone surrogate sender", b'{"sender": "\\ud800", "message": "hi"}', JSON),
    ("nesting 100,000 deep", b'{"sender": "deep", "message": "hi", "metadata": {"a": '
     + b"[" * 100_000 + b"]" * 100_000 + b"}}", JSON),
    ("1 MiB of metadata", json.dumps({"sender": "big", "message": "hi",
                                      "metadata": {"x": "x" * (1024 * 1024 - 100)}}).encode(), JSON),
    ("a body over 1 MiB", json.dumps({"sender": "huge", "message": "x" * (2 * 1024 * 1024)}).encode(), JSON),
    ("a text/plain post", json.dumps({"sender": "cross-site", "message": "hi"}).encode(), "text/plain"),
    ("NaN in metadata", b'{"sender": "nan", "message": "hi", "metadata": {"a": NaN}}', JSON),
    ("an invisible sender", json.dumps({"sender": "\u200b\u2060", "message": "hi"}).encode(), JSON),
    ("bytes that are not UTF-8", b'{"sender": "\xff\xfe", "message": "hi"}', JSON),
]
HOSTILE_SENDERS = ("\ud800", "deep", "big", "huge", "cross-site", "nan", "\u200b\u2060")


async def hostile_traffic(url: str, more: Callable[[], bool], every: float) -> Counter:
    """Send the hostile requests in turn, one every ``every`` seconds while ``more()``; counts by outcome:
    ``refused`` (a 4xx), ``5xx``, ``answered`` (a 2xx: taken as a turn) and ``unreachable``."""
    outcomes: Counter = Counter()
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        turn = 0
        while more():
            name, body, content_type = HOSTILE[turn % len(HOSTILE)]
            turn += 1
            started = time.monotonic()
            try:
                async with session.post(f"{url}/webhooks/rest/webhook", data=body,
                                        headers={"Content-Type": content_type}) as response:
                    await response.read()
                    status = response.status
                kind = "refused" if 400 <= status < 500 else "5xx" if status >= 500 else "answered"
            except aiohttp.ClientError:
                kind = "unreachable"
            outcomes[kind] += 1
            if kind != "refused":
                outcomes[f"{kind}: {name}"] += 1
            await asyncio.sleep(max(0.0, every - (time.monotonic() - started)))
    return outcomes


def stored_size(tracker_db: Path) -> int:
    """Bytes of the SQLite tracker store (its journal files too)."""
    return sum(path.stat().st_size for path in Path(tracker_db).parent.glob(Path(tracker_db).name + "*"))
