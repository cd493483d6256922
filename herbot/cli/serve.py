"""``herbot serve``: the action server and the Rasa server as supervised children.

herbot stops what a killed ``herbot serve`` left running, checks the ports, refreshes the
index, trains the model if the bot changed, starts both servers on loopback with their
output in ``$HERBOT_HOME/logs``, waits until both answer, and then watches them. Ctrl-C,
SIGTERM or SIGHUP (the terminal closed) stops both (whole process groups); if herbot itself
is killed, its warden stops them (:class:`herbot.cli.processes.Family`). A dead action server is
started again (its index checked first), and a restart that fails never stops the Rasa
server; if the Rasa server dies (or the action server keeps dying), herbot shows the end of
its log and stops the other.

With ``HERBOT_TRACKER_URL`` and ``HERBOT_LOCK_URL`` it first checks that PostgreSQL and
Redis answer (:mod:`herbot.cli.endpoints`); ``--rasa-only`` and ``--actions-only`` start one of
the two servers, so that several Rasa servers can share conversations and action servers.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from subprocess import Popen

from herbot.cli import endpoints, processes
from herbot.cli.train import BotSources, rasa_env, train
from herbot.settings import BOT_DIR, CHAT_PATH, LIBRARY_ENVIRONMENT, PROJECT_ROOT, REST_PATH, Settings, origins

READY_TIMEOUT_SECONDS = 180.0
POLL_SECONDS = 0.5
LOG_LINES_ON_FAILURE = 15
MAX_RESTARTS, RESTART_WINDOW_SECONDS = 3, 300.0
ROLES = ("all", "rasa", "actions")  # both servers; only the Rasa server; only the action server


class ServeError(Exception):
    """herbot could not start or keep serving; the message is one line for the user."""


@dataclass
class Service:
    """One child server: how to start it, where it logs, and how to tell it is ready.

    ``start`` can be called again after the process ended, which is all a restart
    policy needs (see :func:`_watch`).
    """

    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    health_url: str
    restart: bool = False  # start it again when it dies (the action server keeps no state)
    process: Popen | None = field(default=None, repr=False)

    def start(self, *, fresh_log: bool = False) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.cwd.mkdir(parents=True, exist_ok=True)
        with self.log.open("w" if fresh_log else "a", encoding="utf-8") as output, processes.signals_held():
            self.process = processes.spawn(self.argv, env=self.env, cwd=self.cwd, output=output)

    def exit_status(self) -> int | None:
        """None while running, else the exit status (negative: killed by that signal)."""
        return self.process.poll() if self.process else None

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def failure(self, what: str) -> ServeError:
        """Print the end of the log to stderr and build the one-line error."""
        lines = processes.tail(self.log, LOG_LINES_ON_FAILURE)
        if lines:
            print(f"--- last lines of {self.log} ---", file=sys.stderr)
            print("\n".join(lines), file=sys.stderr)
            print("---", file=sys.stderr)
        return ServeError(f"the {self.name} {what}; its log is {self.log}")


def serve(
    settings: Settings,
    *,
    port: int | None = None,
    cors: list[str] | None = None,
    bot_dir: Path = BOT_DIR,
    actions_root: Path = PROJECT_ROOT,
    role: str = "all",
    out=None,
) -> int:
    """Run herbot until SIGINT/SIGTERM/SIGHUP (exit status 0) or a child fails (:class:`ServeError`).

    ``role`` "rasa" starts only the Rasa server (its actions at ``HERBOT_ACTION_URL``),
    "actions" only the action server: several Rasa servers can then share one action server.
    """
    out = out or sys.stdout
    settings = replace(settings, port=port or settings.port, cors=settings.cors + origins(cors or []))
    rasa, actions = role in ("all", "rasa"), role in ("all", "actions")
    run_dir = settings.home / "run"
    if stale := processes.clear_stale(run_dir):
        print(f"Stopped {len(stale)} processes a killed herbot serve had left running (pids "
              f"{', '.join(map(str, stale))}).", file=out, flush=True)
    check_ports(settings, rasa=rasa, actions=actions)
    if rasa:
        try:
            endpoints.check_reachable(settings)
        except endpoints.StoreUnreachable as error:
            raise ServeError(str(error)) from None
    services: list[Service] = []
    with processes.stop_on_signals(), processes.Family(run_dir):  # the training and both servers are its own
        try:
            if actions:
                _prepare_index(settings, out)
            model = train(settings, sources=BotSources.at(bot_dir), out=out).model if rasa else None
            check_ports(settings, rasa=rasa, actions=actions)  # training took a while
            logs = settings.home / "logs"
            plan = []
            if actions:
                plan.append(("starting action server…", action_service(settings, actions_root,
                                                                      logs / "action-server.log")))
            if rasa:
                plan.append(("loading the model…", rasa_service(settings, model, bot_dir, logs / "rasa.log")))
            names = ", ".join(service.log.name for _, service in plan)
            print(f"Server logs: {logs} ({names})", file=out, flush=True)
            for note, service in plan:
                print(note, file=out, flush=True)
                services.append(service)
                service.start(fresh_log=True)
            _wait_until_ready(services, out)
            if actions:
                _warm_up_actions(settings, services[0], out)

            if rasa:
                print(f"herbot is ready: open {settings.chat_url} in your browser "
                      f"(REST: POST {settings.base_url}{REST_PATH}). Press Ctrl-C to stop.", file=out, flush=True)
            else:
                print(f"herbot's action server is ready at {local_action_url(settings)}. Press Ctrl-C to stop.",
                      file=out, flush=True)
            failed, status = _watch(services, settings, out)
            raise failed.failure(f"stopped unexpectedly ({processes.describe_exit(status)})")
        except processes.Stop as stop:
            _say(f"\n{stop} received, stopping herbot…", out)
        finally:
            with processes.signals_ignored():
                processes.stop(*(service.process for service in services if service.process))
    _say("herbot stopped.", out)
    return 0


def _say(text: str, out) -> None:
    """Print while stopping: after a SIGHUP the terminal may be gone, and the stop must go on (the rest of the
    output, and Python's last flush at exit, then go to /dev/null instead of failing)."""
    try:
        print(text, file=out, flush=True)
    except OSError:
        with suppress(OSError, ValueError), open(os.devnull, "w") as nowhere:
            os.dup2(nowhere.fileno(), out.fileno())


def compute_env(settings: Settings) -> dict[str, str]:
    """Threads for FAISS in each server (the encoder's are set when it opens): one by default, because
    a request's encoding is tiny and several requests (and the other server) compete for the cores;
    more threads per request made herbot slower under load on a 2-core machine (``make bench``)."""
    threads = str(settings.threads)
    return {"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}


def local_action_url(settings: Settings) -> str:
    """The action server this ``herbot serve`` starts (``HERBOT_ACTION_URL`` may name another one)."""
    return f"http://{_connectable(settings.action_host)}:{settings.action_port}/webhook"


def _connectable(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else f"[{host}]" if ":" in host else host


def action_service(settings: Settings, actions_root: Path, log: Path) -> Service:
    """rasa-sdk's own server; it binds to SANIC_HOST, so loopback (or HERBOT_ACTION_HOST) is set there."""
    env = {
        **LIBRARY_ENVIRONMENT,
        **os.environ,
        **compute_env(settings),
        "SANIC_HOST": settings.action_host,
        # Rasa keeps its connections to the action server open; Sanic's default 5 s keep-alive
        # closed them under load while Rasa was writing ("Cannot write to closing transport").
        "SANIC_KEEP_ALIVE_TIMEOUT": "75",
        # The first action loads the knowledge: about a minute at 10,000 reviews on a loaded machine, when
        # Sanic's default 60 s would cut the warm-up off (HTTP 500) and herbot serve would stop.
        "SANIC_RESPONSE_TIMEOUT": str(int(READY_TIMEOUT_SECONDS)),
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(actions_root), env.get("PYTHONPATH")]))
    return Service(
        name="action server",
        argv=[sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port)],
        env=env,
        cwd=settings.home,
        log=log,
        health_url=f"http://{_connectable(settings.action_host)}:{settings.action_port}/health",
        restart=True,
    )


def rasa_service(settings: Settings, model: Path, bot_dir: Path, log: Path) -> Service:
    """``rasa run`` with the REST, socket.io, chat page and health channels, no HTTP API, exact CORS origins.

    Its endpoints file is written from the settings (:mod:`herbot.cli.endpoints`). The port and
    origins go to the child's environment too: the channels read them from herbot's settings there.
    """
    settings.tracker_db.parent.mkdir(parents=True, exist_ok=True)
    endpoints_file = endpoints.write_endpoints(settings, settings.home / f"endpoints-{settings.port}.yml")
    env = {
        **rasa_env(settings),
        **compute_env(settings),
        **endpoints.secrets(settings),
        "HERBOT_PORT": str(settings.port),
        "HERBOT_CORS": ",".join(settings.cors),
    }
    argv = [
        sys.executable, "-m", "rasa", "run",
        "--model", str(model),
        "--endpoints", str(endpoints_file),
        "--credentials", str(bot_dir / "credentials.yml"),
        "-i", settings.host, "-p", str(settings.port),
        "--cors", *settings.allowed_origins,
    ]
    return Service(name="Rasa server", argv=argv, env=env, cwd=settings.home, log=log,
                   health_url=f"{settings.base_url}{CHAT_PATH}")


def check_ports(settings: Settings, *, rasa: bool = True, actions: bool = True) -> None:
    """Refuse to start when a port is taken, before anything is started."""
    port, action_port = settings.port, settings.action_port
    if rasa and actions and port == action_port:
        raise ServeError(f"the Rasa port and the action server port are both {port}; choose another with --port")
    wanted = [(settings.host, port, "--port")] if rasa else []
    wanted += [(settings.action_host, action_port, "HERBOT_ACTION_PORT")] if actions else []
    for bind_host, number, how in wanted:
        if not 0 < number < 65536:
            raise ServeError(f"port {number} is not between 1 and 65535; choose another with {how}")
        try:
            _try_bind(bind_host, number)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ServeError(f"port {number} is already in use{_holder(number)}; "
                                 f"choose another with {how}") from None
            raise ServeError(f"cannot listen on {bind_host}:{number}: {error.strerror or error}") from None


def _holder(port: int) -> str:
    """Who holds ``port``, for the error: the pid to stop, when this user can see it."""
    holder = processes.port_holder(port)
    if holder is None:
        return " (is herbot already running?)"
    pid, command = holder
    return f" by pid {pid} ({command[:100]}{'…' if len(command) > 100 else ''}; is herbot already running?)"


def _try_bind(host: str, port: int) -> None:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as error:
        raise ServeError(f"cannot resolve the host {host!r}: {error.strerror}") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        probe.bind(address)


def _prepare_index(settings: Settings, out) -> None:
    from knowledge.pipeline import refresh_index

    print("Checking the review index…", file=out, flush=True)
    result = refresh_index(settings, progress=sys.stderr.isatty(), out=out)
    state = f"rebuilt in {result.manifest['build_seconds']} s ({result.reason})" if result.rebuilt else "up to date"
    print(f"Review index {state}: {settings.index_dir}", file=out, flush=True)


def _wait_until_ready(services: list[Service], out, timeout: float = READY_TIMEOUT_SECONDS) -> None:
    started = time.monotonic()
    waiting = list(services)
    next_note = 30.0
    while waiting:
        for service in list(waiting):
            status = service.exit_status()
            if status is not None:
                raise service.failure(f"exited while starting ({processes.describe_exit(status)})")
            if service.answers():
                waiting.remove(service)
                print(f"  {service.name} is up ({time.monotonic() - started:.0f} s)", file=out, flush=True)
        elapsed = time.monotonic() - started
        if waiting and elapsed > timeout:
            raise waiting[0].failure(f"did not answer {waiting[0].health_url} within {timeout:.0f} s")
        if waiting and elapsed > next_note:
            names = " and ".join(service.name for service in waiting)
            print(f"  still waiting for the {names} ({elapsed:.0f} s)…", file=out, flush=True)
            next_note += 30.0
        if waiting:
            time.sleep(POLL_SECONDS)


def _warm_up_actions(settings: Settings, action_server: Service, out) -> None:
    """Run one real action now, so the model and index load before the first user's question."""
    import json

    print("warming up the answers (model and index)…", file=out, flush=True)
    call = {"next_action": "action_answer_film_fact", "sender_id": "herbot-warm-up", "domain": {},
            "tracker": {"sender_id": "herbot-warm-up", "latest_message": {"text": "", "entities": []}}}
    request = urllib.request.Request(local_action_url(settings), data=json.dumps(call).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=READY_TIMEOUT_SECONDS) as response:
            response.read()
    except (urllib.error.URLError, OSError) as error:
        raise action_server.failure(f"failed its first action ({error})") from None


def _watch(services: list[Service], settings: Settings, out) -> tuple[Service, int]:
    """Block until a child exits for good and return it with its status.

    A restartable child (the action server) is started again (:func:`_restart`) and watched on;
    while it is down, the channels answer "ask me again in a moment" instead of silence.
    More than ``MAX_RESTARTS`` restarts within ``RESTART_WINDOW_SECONDS`` means it cannot
    stay up, and herbot stops rather than loop.
    """
    restarts: list[float] = []
    while True:
        for service in services:
            status = service.exit_status()
            if status is None:
                continue
            now = time.monotonic()
            restarts = [at for at in restarts if now - at < RESTART_WINDOW_SECONDS]
            if not service.restart or len(restarts) >= MAX_RESTARTS:
                return service, status
            restarts.append(now)
            print(f"the {service.name} stopped ({processes.describe_exit(status)}); restarting it…", file=out,
                  flush=True)
            _restart(service, settings, out)
        time.sleep(POLL_SECONDS)


def _restart(action_server: Service, settings: Settings, out) -> None:
    """Check the index (rebuilt if damaged), start the action server, warm it up.

    Nothing that fails here stops the Rasa server: the failure is reported, ``GET /health``
    says degraded while the action server does not answer, and if it exits again that
    counts as one more restart in :func:`_watch`.
    """
    try:
        _prepare_index(settings, out)
    except Exception as error:  # noqa: BLE001 - whatever it is, the Rasa server keeps serving
        print(f"herbot: the review index could not be refreshed ({error}); starting the action server anyway",
              file=out, flush=True)
    action_server.start()
    try:
        _wait_until_ready([action_server], out)
        _warm_up_actions(settings, action_server, out)
    except ServeError as error:
        print(f"herbot: {error}; the Rasa server keeps serving", file=out, flush=True)
        return
    print(f"the {action_server.name} is back.", file=out, flush=True)
