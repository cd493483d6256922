"""What users thought of the answers: the stored thumbs, per passage and per question, worst first.

Each conversation's ``ratings`` slot holds its thumbs (``{rating, sources, question, at}``,
one per answer, see actions/ratings.py); the last value stored per conversation is what counts.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from herbot.cli.stored_events import Database, rows


def since_date(text: str) -> datetime:
    """``--since``: an ISO date or date-time, taken as UTC when it names no zone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"bad date {text!r}: give it as YYYY-MM-DD") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def stored_ratings(db: Database, since: datetime | None = None) -> list[dict]:
    """Every conversation's last ``ratings`` slot value, flattened, from ``since`` on."""
    last: dict[str, list] = {}
    for sender, data in rows(db, "SELECT sender_id, data FROM events WHERE type_name = 'slot' ORDER BY id", {}):
        event = json.loads(data)
        if event.get("name") == "ratings":
            last[sender] = event.get("value") or []
    ratings = [rating for value in last.values() for rating in value]
    if since is not None:
        ratings = [r for r in ratings if r.get("at") and since_date(r["at"]) >= since]
    return ratings


def report(ratings: list[dict]) -> dict:
    """Ups and downs per passage and per question, worst first (most downs, then fewest ups)."""
    def tally(keys_of) -> list[dict]:
        table: dict[str, dict] = {}
        for rating in ratings:
            for key in keys_of(rating):
                row = table.setdefault(key, {"key": key, "up": 0, "down": 0, "questions_down": []})
                row[rating["rating"]] += 1
                if rating["rating"] == "down" and rating.get("question") not in row["questions_down"]:
                    row["questions_down"].append(rating.get("question"))
        return sorted(table.values(), key=lambda row: (-row["down"], row["up"], row["key"]))

    return {"ratings": len(ratings),
            "passages": tally(lambda r: r.get("sources") or []),
            "questions": tally(lambda r: [r.get("question") or ""])}


def text(summary: dict) -> str:
    """The report for a terminal."""
    lines = [f"{summary['ratings']} rated answers"]
    for title in ("passages", "questions"):
        lines += ["", f"{title.capitalize()} (worst first):"]
        for row in summary[title]:
            lines.append(f"  -{row['down']} +{row['up']}  {row['key']}")
            lines += [f"      thumbs down on: {q}" for q in row["questions_down"] if title == "passages"]
    return "\n".join(lines) + "\n"
