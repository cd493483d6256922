"""Where conversations and locks live, as Rasa's endpoints configuration, and whether those servers answer.

By default: herbot's tracker store on the SQLite file ``HERBOT_TRACKER_DB`` and Rasa's
in-memory lock store (one Rasa server). With ``HERBOT_TRACKER_URL`` and ``HERBOT_LOCK_URL``:
the same tracker store on PostgreSQL and Rasa's Redis lock store, so several Rasa servers
share the conversations. ``herbot serve`` writes the file into ``HERBOT_HOME`` on every
start; the database password never goes into it (Rasa substitutes it from the environment).
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from herbot.settings import DatabaseUrl, Settings

TRACKER_STORE = "herbot.rasa.tracker_store.LoudSQLTrackerStore"
# The passwords' variables, set only in the Rasa server's environment.
PASSWORD_VARIABLE, LOCK_PASSWORD_VARIABLE = "HERBOT_TRACKER_PASSWORD", "HERBOT_LOCK_PASSWORD"
CONNECT_TIMEOUT_SECONDS = 3  # a database that does not answer must not hold a turn for long


class StoreUnreachable(Exception):
    """PostgreSQL or Redis does not answer; the message is one line for the user."""


def endpoints(settings: Settings) -> dict:
    """Rasa's endpoints configuration for these settings."""
    # herbot's actions never read the domain: without this, Rasa sends all of it (every response
    # text) with each action call, and both servers encode and decode it on every turn.
    config: dict = {"action_endpoint": {"url": settings.action_url, "enable_selective_domain": True}}
    if settings.tracker_url is None:
        # One Rasa server writes the file: it may read its conversations from memory (herbot/rasa/tracker_store.py).
        config["tracker_store"] = {"type": TRACKER_STORE, "dialect": "sqlite", "db": str(settings.tracker_db),
                                   "sole_writer": True}
        return config
    pg = settings.tracker_url
    store = {"type": TRACKER_STORE, "dialect": "postgresql", "url": pg.host, "port": pg.port, "db": pg.database,
             "query": {"connect_timeout": str(CONNECT_TIMEOUT_SECONDS)}}
    if pg.username:
        store["username"] = pg.username
    if pg.password is not None:
        store["password"] = "${" + PASSWORD_VARIABLE + "}"
    config["tracker_store"] = store
    redis = settings.lock_url
    config["lock_store"] = {"type": "redis", "url": redis.host, "port": redis.port, "db": int(redis.database),
                            "key_prefix": "herbot"}
    if redis.username:
        config["lock_store"]["username"] = redis.username
    if redis.password is not None:
        config["lock_store"]["password"] = "${" + LOCK_PASSWORD_VARIABLE + "}"
    return config


def secrets(settings: Settings) -> dict[str, str]:
    """The passwords the endpoints file refers to, for the Rasa server's environment only."""
    values = {}
    if settings.tracker_url and settings.tracker_url.password is not None:
        values[PASSWORD_VARIABLE] = settings.tracker_url.password
    if settings.lock_url and settings.lock_url.password is not None:
        values[LOCK_PASSWORD_VARIABLE] = settings.lock_url.password
    return values


def write_endpoints(settings: Settings, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# Written by `herbot serve` from herbot/settings.py on every start; edits are lost.\n"
    text += yaml.safe_dump(endpoints(settings), sort_keys=False)
    # Rasa substitutes ${VARIABLES} only in unquoted values; yaml leaves "${NAME}" plain.
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def check_reachable(settings: Settings) -> None:
    """Refuse to start when PostgreSQL or Redis does not answer, before anything is started."""
    if settings.tracker_url is not None:
        _check_postgresql(settings.tracker_url)
    if settings.lock_url is not None:
        _check_redis(settings.lock_url)


def _check_postgresql(url: DatabaseUrl) -> None:
    import psycopg2

    try:
        psycopg2.connect(host=url.host, port=url.port, dbname=url.database, user=url.username,
                         password=url.password, connect_timeout=CONNECT_TIMEOUT_SECONDS).close()
    except psycopg2.Error as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise StoreUnreachable(f"PostgreSQL at {url!r} (HERBOT_TRACKER_URL) does not answer: {reason}") from None


def _check_redis(url: DatabaseUrl) -> None:
    import redis

    client = redis.Redis(host=url.host, port=url.port, db=int(url.database), username=url.username,
                         password=url.password, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                         socket_timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        client.ping()
    except redis.RedisError as error:
        raise StoreUnreachable(f"Redis at {url!r} (HERBOT_LOCK_URL) does not answer: {error}") from None
    finally:
        client.close()
