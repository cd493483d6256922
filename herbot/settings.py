"""Every setting herbot reads from the environment, with its embedded default, and what it sets there
for the libraries it runs.

This is the only module that reads ``os.environ`` for herbot's own settings, so the
README's table of variables and the code cannot drift apart. Paths are resolved
from the package location, never from the working directory.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, quote, unquote, urlsplit

from knowledge.once import once

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DATA = PROJECT_ROOT / "knowledge" / "data"
BOT_DIR = PROJECT_ROOT / "bot"
CHAT_PATH = "/chat/"  # where Rasa's server serves the web chat page
REST_PATH = "/webhooks/rest/webhook"  # Rasa's REST channel, which the terminal and scripts talk to
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:]+\](:[0-9]{1,5})?")


# What the libraries under herbot read from the environment, not herbot: offline and torch-only when
# sentence-transformers is loaded (the export, the tests), since transformers would otherwise import
# TensorFlow and JAX (Rasa installs both), which costs seconds and memory; and no tokenizer threads
# (a question is tiny, and the requests and the other server compete for the cores).
LIBRARY_ENVIRONMENT = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "USE_TF": "0", "USE_FLAX": "0",
                       "TOKENIZERS_PARALLELISM": "false"}


def set_library_environment() -> None:
    """Give this process (and so its children) :data:`LIBRARY_ENVIRONMENT`, where it is not set otherwise.

    Called first thing where a process starts (``herbot``, the test session, a benchmark), never at import:
    the libraries read it when they are first imported.
    """
    for name, value in LIBRARY_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


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


def address(text: str) -> str:
    """An IP address in one spelling: ``::ffff:127.0.0.1`` is ``127.0.0.1``; ValueError if it is none."""
    parsed = ipaddress.ip_address(text.strip().strip("[]"))
    mapped = getattr(parsed, "ipv4_mapped", None)
    return str(mapped or parsed)


def _addresses(name: str) -> tuple[str, ...]:
    """Comma-separated IP addresses, each checked now."""
    values = [value.strip() for value in os.environ.get(name, "").split(",") if value.strip()]
    try:
        return tuple(address(value) for value in values)
    except ValueError as error:
        raise SystemExit(f"herbot: {name}: {error} (give IP addresses, comma-separated)") from None


def _count(name: str, default: int) -> int:
    value = int(_number(name, default, int))
    if value < 0:
        raise SystemExit(f"herbot: {name}={value} must be 0 or more")
    return value


def _switch(name: str, default: bool, on: str, off: str) -> bool:
    """``1`` or ``0``, checked now; anything else is refused in one line saying what each means."""
    value = os.environ.get(name, "").strip()
    if value in ("", "1", "0"):
        return default if not value else value == "1"
    raise SystemExit(f"herbot: {name}={value!r} must be 1 ({on}) or 0 ({off})")


def _number(name: str, default: float, cast: type = float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return cast(value)
    except ValueError as error:
        raise SystemExit(f"herbot: {name}={value!r} is not a valid {cast.__name__}") from error


@dataclass(frozen=True)
class DatabaseUrl:
    """A server address from a URL, split into what Rasa's endpoint configuration asks for."""

    scheme: str
    host: str
    port: int
    database: str
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never print the password
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{self._host}:{self.port}/{self.database}"

    def url(self) -> str:
        """The whole URL, password included, as SQLAlchemy and the ``limits`` library take it (never print it)."""
        auth = quote(self.username or "", safe="")
        if self.password is not None:
            auth += ":" + quote(self.password, safe="")
        return f"{self.scheme}://{auth + '@' if auth else ''}{self._host}:{self.port}/{quote(self.database, safe='')}"

    @property
    def _host(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host


def _server_url(name: str, schemes: tuple[str, ...], default_port: int, example: str) -> DatabaseUrl | None:
    """A ``scheme://[user[:password]@]host[:port]/name`` URL, checked now with a one-line message."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        parts: SplitResult = urlsplit(value)
        port = parts.port or default_port
    except ValueError:
        parts, port = None, 0
    scheme = parts.scheme.split("+")[0] if parts else ""
    scheme = {"postgres": "postgresql"}.get(scheme, scheme)  # one spelling, the one SQLAlchemy takes
    database = unquote(parts.path.lstrip("/")) if parts else ""
    if not parts or scheme not in schemes or not parts.hostname or not database or parts.query:
        raise SystemExit(f"herbot: {name} is not a URL like {example}")
    return DatabaseUrl(scheme, parts.hostname, port, database,
                       unquote(parts.username) if parts.username else None,
                       unquote(parts.password) if parts.password is not None else None)


def _tracker_url() -> DatabaseUrl | None:
    return _server_url("HERBOT_TRACKER_URL", ("postgresql",), 5432,
                       "postgresql://user:password@127.0.0.1:5432/herbot")


def _lock_url() -> DatabaseUrl | None:
    url = _server_url("HERBOT_LOCK_URL", ("redis",), 6379, "redis://127.0.0.1:6379/0")
    if url and not url.database.isdigit():
        raise SystemExit("herbot: HERBOT_LOCK_URL must end in a Redis database number, like redis://127.0.0.1:6379/0")
    return url


def _action_url(action_port: int) -> str:
    value = os.environ.get("HERBOT_ACTION_URL", "").strip()
    if not value:
        return f"http://127.0.0.1:{action_port}/webhook"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SystemExit(f"herbot: HERBOT_ACTION_URL={value!r} is not a URL like http://127.0.0.1:5055/webhook")
    return value


@dataclass(frozen=True)
class Settings:
    """Resolved configuration; build it with :func:`get_settings`."""

    home: Path
    reviews_dir: Path
    facts_file: Path
    index_dir: Path
    embedding_model: str
    encoder_dir: Path  # the embedding model exported to ONNX, which every process encodes with
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
    threads: int  # compute threads per server process (ONNX Runtime, FAISS)
    rate_limit: str  # turns per conversation
    rate_limit_address: str  # turns per client address (loopback is exempt)
    new_conversations_per_address: str = "60/hour"  # conversations one client address may start
    trusted_proxies: tuple[str, ...] = ()  # peers whose X-Forwarded-For names the client's address
    max_metadata_bytes: int = 4096  # a message's metadata as compact JSON; larger is refused, never stored
    concurrent_turns: int = 8  # turns the Rasa server works on at once; the others wait their turn (0: no limit)
    rasa_speedups: bool = True  # herbot's speed-ups of Rasa's and limits' code in the Rasa server (False: as shipped)
    action_host: str = "127.0.0.1"  # where the action server listens (herbot serve --actions-only in a container)
    action_url: str = ""  # where the Rasa server calls the actions (this machine's action server by default)
    tracker_url: DatabaseUrl | None = None  # PostgreSQL shared by several Rasa servers; None: the SQLite file
    lock_url: DatabaseUrl | None = None  # Redis for conversation locks and rate limits; None: in this process

    @property
    def shared(self) -> bool:
        """Conversations live in PostgreSQL and Redis, so several Rasa servers can serve them."""
        return self.tracker_url is not None

    @property
    def session_secret_file(self) -> Path:
        """The key that signs the chat page's resume tokens (made on first use, readable by the owner only)."""
        return self.home / "session.secret"

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


@once
def get_settings() -> Settings:
    """Read the environment once per process (tests call ``get_settings.cache_clear()``)."""
    home = _path("HERBOT_HOME", PROJECT_ROOT / "var")
    mode = os.environ.get("HERBOT_RETRIEVAL_MODE", "hybrid")
    action_port = int(_number("HERBOT_ACTION_PORT", 5055, int))
    tracker_url, lock_url = _tracker_url(), _lock_url()
    if bool(tracker_url) != bool(lock_url):
        raise SystemExit("herbot: set HERBOT_TRACKER_URL and HERBOT_LOCK_URL together (PostgreSQL and Redis), "
                         "or neither (one process on SQLite)")
    if mode not in ("dense", "bm25", "hybrid"):
        raise SystemExit(f"herbot: HERBOT_RETRIEVAL_MODE={mode!r} must be dense, bm25 or hybrid")
    return Settings(
        home=home,
        reviews_dir=_path("HERBOT_REVIEWS_DIR", KNOWLEDGE_DATA / "reviews"),
        facts_file=_path("HERBOT_FACTS_FILE", KNOWLEDGE_DATA / "film_facts.yaml"),
        index_dir=_path("HERBOT_INDEX_DIR", home / "index"),
        embedding_model=os.environ.get("HERBOT_EMBEDDING_MODEL", "all-MiniLM-L6-v2"),
        encoder_dir=_path("HERBOT_ENCODER_DIR", home / "encoder"),
        min_score=_number("HERBOT_MIN_SCORE", 0.2),
        ann_threshold=int(_number("HERBOT_ANN_THRESHOLD", 50_000, int)),
        retrieval_mode=mode,
        max_query_chars=int(_number("HERBOT_MAX_QUERY_CHARS", 2_000, int)),
        host=os.environ.get("HERBOT_HOST", "127.0.0.1"),
        port=int(_number("HERBOT_PORT", 5005, int)),
        action_port=action_port,
        models_dir=_path("HERBOT_MODELS_DIR", home / "models"),
        tracker_db=_path("HERBOT_TRACKER_DB", home / "tracker.db"),
        cors=origins(os.environ.get("HERBOT_CORS", "").split(","), "HERBOT_CORS"),
        threads=int(_number("HERBOT_THREADS", 1, int)),
        rate_limit=_rate("HERBOT_RATE_LIMIT", "30/minute"),
        rate_limit_address=_rate("HERBOT_RATE_LIMIT_ADDRESS", "120/minute"),
        new_conversations_per_address=_rate("HERBOT_NEW_CONVERSATIONS_PER_ADDRESS", "60/hour"),
        trusted_proxies=_addresses("HERBOT_TRUSTED_PROXIES"),
        max_metadata_bytes=_count("HERBOT_MAX_METADATA_BYTES", 4096),
        concurrent_turns=_count("HERBOT_CONCURRENT_TURNS", 8),
        rasa_speedups=_switch("HERBOT_RASA_SPEEDUPS", True, "herbot's speed-ups of Rasa", "Rasa as shipped"),
        action_host=os.environ.get("HERBOT_ACTION_HOST", "127.0.0.1"),
        action_url=_action_url(action_port),
        tracker_url=tracker_url,
        lock_url=lock_url,
    )
