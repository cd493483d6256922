"""socket.io session ids the server issues, and the resume tokens that take one back after a reload.

A session id names a conversation (its tracker's sender id and its socket.io room) and shows
up in the tracker store and the logs, so knowing one proves nothing. With each session the
server gives the socket a resume token, an HMAC of the id under a secret kept in
``HERBOT_HOME`` (``session.secret``, made on first use, readable by its owner only): only
an id with its token takes a session back. Several Rasa servers that share conversations
need the same secret file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import uuid
from pathlib import Path
from typing import Any

from herbot.settings import get_settings
from knowledge.once import once

SESSION_ID = re.compile(r"[0-9a-f]{32}")  # uuid4().hex: 122 random bits, not guessable
_SECRET_BYTES = 32


def new_session_id() -> str:
    return uuid.uuid4().hex


def resume_token(session_id: str) -> str:
    return hmac.new(session_secret(), session_id.encode(), hashlib.sha256).hexdigest()


def may_resume(session_id: Any, token: Any) -> bool:
    """Whether ``token`` is the one this server gave out with ``session_id``."""
    if not (isinstance(session_id, str) and isinstance(token, str) and SESSION_ID.fullmatch(session_id)):
        return False
    return hmac.compare_digest(resume_token(session_id), token)


def session_secret() -> bytes:
    """The server's secret; the channel reads it at start, so that a damaged file stops the start, not a turn."""
    return _secret(get_settings().session_secret_file)


@once
def _secret(path: Path) -> bytes:
    """Read, or made the first time (``O_EXCL``: never over one another process made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    secret = secrets.token_bytes(_SECRET_BYTES)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secret.hex() + "\n")
    return secret


def _read_secret(path: Path) -> bytes:
    text = path.read_text(encoding="ascii", errors="replace").strip()
    if not re.fullmatch(f"(?:[0-9a-f]{{2}}){{{_SECRET_BYTES},}}", text):
        raise SystemExit(f"herbot: {path} is damaged; delete it (open chat pages then start new sessions)")
    return bytes.fromhex(text)
