"""PostgreSQL and Redis from Debian's packages, run by the tests on free ports in a temporary folder.

``scripts/test-deps.sh`` installs them (``make test`` and CI run it). As root, PostgreSQL
runs as the ``postgres`` user (it refuses root). :func:`missing` says why they cannot run
here, for a skip with a clear reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.ports import free_ports

USER, PASSWORD, DATABASE = "herbot", "s3cret pw", "herbot"


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda path: int(Path(path).parts[4]))
    return Path(found[-1]).parent if found else None


def missing() -> str | None:
    if _postgres_bin() is None:
        return "PostgreSQL is not installed (Debian: apt-get install postgresql; scripts/test-deps.sh does it)"
    if not shutil.which("redis-server"):
        return "Redis is not installed (Debian: apt-get install redis-server; scripts/test-deps.sh does it)"
    return None


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class PostgresServer:
    """A throw-away cluster with a password-protected ``herbot`` user and database; stop() and start() again."""

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="herbot-pg-"))
        self.data, self.log = self.dir / "data", self.dir / "postgres.log"
        (self.port,) = free_ports(1)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        password_file = self.dir / "pw"
        password_file.write_text(PASSWORD)
        if os.geteuid() == 0:
            shutil.chown(password_file, "postgres", "postgres")
        subprocess.run(_as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-U", USER,
                                     f"--pwfile={password_file}", "--auth-host=scram-sha-256",
                                     "--auth-local=trust", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True, text=True)
        self.start()
        subprocess.run(_as_postgres([str(self.bin / "createdb"), "-h", str(self.dir), "-p", str(self.port),
                                     "-U", USER, DATABASE]), check=True, capture_output=True, text=True)

    @property
    def url(self) -> str:
        return f"postgresql://{USER}:{PASSWORD.replace(' ', '%20')}@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(_as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                                     "-o", options, "-w", "start"]), check=True, capture_output=True, text=True)

    def stop(self) -> None:
        subprocess.run(_as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                                     "stop"]), check=False, capture_output=True, text=True)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    """redis-server on a free port, nothing written to disk."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="herbot-redis-"))
        (self.port,) = free_ports(1)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=1).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)
