"""Reading what Rasa stored for a conversation in herbot's SQLite tracker store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path


def slot_events(home: Path, sender: str) -> list[dict]:
    """The conversation's ``slot`` events, oldest first, as Rasa stored them under ``home``."""
    with sqlite3.connect(home / "tracker.db") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'slot' ORDER BY id",
                          (sender,)).fetchall()
    return [json.loads(data) for (data,) in rows]
