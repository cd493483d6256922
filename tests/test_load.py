"""The load test's runner (bench/load.py) at a tiny size against the real herbot serve, and its
history check, which is only worth something if it can fail.

Slow: uses the session's shared ``herbot serve`` (the ``bot`` fixture), whose tracker database
is ``<HERBOT_HOME>/tracker.db``, read back with ``tests/support/histories.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench import load
from herbot.settings import PROJECT_ROOT
from tests.support.histories import history_problems, user_messages

pytestmark = pytest.mark.slow


def test_the_runner_prints_figures_and_finds_every_history_whole(bot, tmp_path):
    url, home = bot
    finished = subprocess.run([sys.executable, "-m", "bench.load", "--url", url, "--levels", "1,3",
                               "--turns", "9", "--warm-up", "0", "--reports", str(tmp_path)],
                              capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT)
    assert finished.returncode == 0, finished.stderr[-3000:]
    out = finished.stdout
    assert "== Load: concurrent conversations over REST ==" in out
    level = next(line.split() for line in out.splitlines() if line.startswith("3 "))
    # 9 turns at 3 concurrent conversations, no CPU figure for a server started elsewhere, no error
    assert (level[2], level[8], level[9]) == ("9", "-", "0"), out
    goal = next(line for line in out.splitlines() if line.startswith("messages lost, doubled or reordered"))
    assert goal.split()[-3:] == ["0", "0", "met"], out
    assert f"read from {Path(home) / 'tracker.db'}" in out
    reports = list(tmp_path.glob("load-*/report.md"))
    assert reports and (reports[0].parent / "load-curves.png").is_file()


async def test_the_history_check_detects_lost_doubled_and_reordered_messages(bot):
    url, home = bot
    db = Path(home) / "tracker.db"
    run = await load.run_users(url, "check", 3, load.turn_budget(9), 0.0)
    assert len(run.turns) == 9 and not [t.error for t in run.turns if t.error]
    assert not load.check_histories(db, run.talks).problems

    talk = max(run.talks, key=lambda t: len(t.turns))
    stored = user_messages(db, talk.sender)
    assert stored == [t.message for t in talk.turns] and len(stored) >= 3
    first, second, *rest = stored
    assert history_problems(stored, stored) == []
    assert history_problems([first, *rest], stored) == [f"unexpected {second!r}"]
    assert history_problems([*stored, "never stored"], stored) == ["lost 'never stored'"]
    assert history_problems(stored, [first, first, second, *rest]) == [f"doubled {first!r}"]
    assert history_problems([second, first, *rest], stored)[0].startswith("reordered")

    # Through the runner's own check: a turn the server answered that is not in the store is lost.
    talk.turns.append(load.TurnResult("a message that never reached the bot", "test", 0.0, 1.0, 200))
    check = load.check_histories(db, run.talks)
    assert check.problems == {talk.sender: ["lost 'a message that never reached the bot'"]}
    assert check.count("lost") == 1


def test_the_cpu_count_takes_in_a_server_s_children():
    """The CPU time per turn covers herbot serve's Rasa and action servers, which are its children."""
    import os

    cpu_seconds = load.cpu_seconds
    before = cpu_seconds(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "import time, sys\nt = time.process_time()\n"
                              "while time.process_time() - t < 0.5: pass\nprint('spun', flush=True)\nsys.stdin.read()"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "spun"
        assert cpu_seconds(os.getpid()) - before >= 0.5
    finally:
        child.communicate("", timeout=10)


def test_a_benchmark_serves_this_checkouts_code(settings, tmp_path):
    """The venv may have been installed from another checkout (an editable install points there): a benchmark's
    ``herbot serve`` must import this checkout's herbot, knowledge and actions, or it measures other code."""
    import os

    from bench.bots import serve_env
    from herbot.settings import PROJECT_ROOT

    env = serve_env(settings, tmp_path / "served", 1, 2)
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(PROJECT_ROOT)
