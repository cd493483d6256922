"""Intent F1 on the held-out NLU split (bot/tests/nlu/heldout.yml), never seen in training.

Run ``.venv/bin/python -m herbot.cli.nlu_report`` after ``herbot train``: it prints each
intent's F1 and the weighted average. The tests assert the same figure.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from herbot.settings import BOT_DIR, Settings, get_settings, set_library_environment

HELD_OUT = BOT_DIR / "tests" / "nlu" / "heldout.yml"


def intent_report(settings: Settings, held_out: Path = HELD_OUT) -> dict:
    """Rasa's own intent report (per intent and weighted average) for the trained model on ``held_out``."""
    from herbot.cli.train import model_path, rasa_env

    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [sys.executable, "-m", "rasa", "test", "nlu", "--model", str(model_path(settings)), "--nlu",
             str(held_out), "--out", out, "--no-plot"],
            check=True, capture_output=True, text=True, cwd=out, env=rasa_env(settings),
        )
        return json.loads((Path(out) / "intent_report.json").read_text())


def main() -> int:
    set_library_environment()
    report = intent_report(get_settings())
    intents = {name: row for name, row in report.items() if isinstance(row, dict) and "f1-score" in row
               and name not in ("micro avg", "macro avg", "weighted avg")}
    for name, row in sorted(intents.items(), key=lambda item: item[1]["f1-score"]):
        print(f"{name:24} F1 {row['f1-score']:.3f}  (support {row['support']})")
    weighted = report["weighted avg"]["f1-score"]
    print(f"{'weighted average':24} F1 {weighted:.3f}  (goal: at least 0.90)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
