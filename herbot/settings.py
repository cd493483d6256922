"""Every setting herbot reads from the environment, with its embedded default.

This is the only module that reads ``os.environ`` for herbot's own settings, so the
README's table of variables and the code cannot drift apart. Paths are resolved
from the package location, never from the working directory.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DATA = PROJECT_ROOT / "knowledge" / "data"
BOT_DIR = PROJECT_ROOT / "bot"
CHAT_PATH = "/chat/"  # where Rasa's server serves the web chat page
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:]+\](:[0-9]{1,5})?")


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def origins(values: list[str] | tuple[str, ...], name: str = "--cors") -> tuple[str, ...]:
    """Exact origins (scheme://host[:port]); wildcards and paths are refused, never widened."""
    cleaned = tuple(value.strip().rstrip("/") for value in values if value.strip())
    for origin in cleaned:
        if not _ORIGIN.fullmatch(origin):
            raise SystemExit(f"herbot: {name} {origin!r} is not an exact origin like http://example.org:8080")
    return cleaned


def _rate(name: str, default: str) -> str:
    """A rate like "30/minute" (the ``limits`` library's notation), checked now rather than at the first turn."""
    from limits import parse

    value = os.environ.get(name) or default
    try:
        parse(value)
    except ValueError:
        raise SystemExit(f"herbot: {name}={value!r} is not a rate like 30/minute") from None
    return value


def _number(name: str, default: float, cast: type = float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return cast(value)
    except ValueError as error:
        raise SystemExit(f"herbot: {name}={value!r} is not a valid {cast.__name__}") from error


@dataclass(frozen=True)
class Settings:
    """Resolved configuration; build it with :func:`get_settings`."""

    home: Path
    reviews_dir: Path
    facts_file: Path
    index_dir: Path
    embedding_model: str
    min_score: float
    ann_threshold: int
    retrieval_mode: str
    max_query_chars: int
    host: str
    port: int
    action_port: int
    models_dir: Path
    tracker_db: Path
    cors: tuple[str, ...]  # origins allowed besides the bot's own page
    threads: int  # compute threads per server process (torch, FAISS)
    rate_limit: str  # turns per conversation
    rate_limit_address: str  # turns per client address (loopback is exempt)

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/webhook"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def chat_url(self) -> str:
        return f"{self.base_url}{CHAT_PATH}"

    @property
    def allowed_origins(self) -> list[str]:
        """Exact origins the browser may talk to the bot from: its own page (both loopback names) and ``cors``."""
        hosts = ["127.0.0.1", "localhost"] if self.host in LOOPBACK else [self.host]
        own = [f"http://{host}:{self.port}" for host in hosts]
        return own + [origin for origin in self.cors if origin not in own]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the environment once per process (tests call ``get_settings.cache_clear()``)."""
    home = _path("HERBOT_HOME", PROJECT_ROOT / "var")
    mode = os.environ.get("HERBOT_RETRIEVAL_MODE", "hybrid")
    if mode not in ("dense", "bm25", "hybrid"):
        raise SystemExit(f"herbot: HERBOT_RETRIEVAL_MODE={mode!r} must be dense, bm25 or hybrid")
    return Settings(
        home=home,
        reviews_dir=_path("HERBOT_REVIEWS_DIR", KNOWLEDGE_DATA / "reviews"),
        facts_file=_path("HERBOT_FACTS_FILE", KNOWLEDGE_DATA / "film_facts.yaml"),
        index_dir=_path("HERBOT_INDEX_DIR", home / "index"),
        embedding_model=os.environ.get("HERBOT_EMBEDDING_MODEL", "all-MiniLM-L6-v2"),
        min_score=_number("HERBOT_MIN_SCORE", 0.2),
        ann_threshold=int(_number("HERBOT_ANN_THRESHOLD", 50_000, int)),
        retrieval_mode=mode,
        max_query_chars=int(_number("HERBOT_MAX_QUERY_CHARS", 2_000, int)),
        host=os.environ.get("HERBOT_HOST", "127.0.0.1"),
        port=int(_number("HERBOT_PORT", 5005, int)),
        action_port=int(_number("HERBOT_ACTION_PORT", 5055, int)),
        models_dir=_path("HERBOT_MODELS_DIR", home / "models"),
        tracker_db=_path("HERBOT_TRACKER_DB", home / "tracker.db"),
        cors=origins(os.environ.get("HERBOT_CORS", "").split(","), "HERBOT_CORS"),
        threads=int(_number("HERBOT_THREADS", 1, int)),
        rate_limit=_rate("HERBOT_RATE_LIMIT", "30/minute"),
        rate_limit_address=_rate("HERBOT_RATE_LIMIT_ADDRESS", "120/minute"),
    )
