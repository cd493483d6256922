"""NLU quality on the held-out split (never trained on) and Rasa's own data validation."""

import subprocess
import sys

import pytest

from herbot.cli.nlu_report import intent_report
from herbot.settings import BOT_DIR

pytestmark = pytest.mark.slow


def test_rasa_data_validate_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", "domain", "--data", "data",
         "--config", "config.yml", "--fail-on-warnings"],
        cwd=BOT_DIR, capture_output=True, text=True, env={"RASA_TELEMETRY_ENABLED": "false", "PATH": ""},
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_intent_f1_on_the_held_out_split(herbot_cli, settings, built_index):
    trained = herbot_cli("train", timeout=900)
    assert trained.returncode == 0, trained.stderr
    report = intent_report(settings)
    print(f"held-out intent F1 (weighted): {report['weighted avg']['f1-score']:.3f}")
    assert report["weighted avg"]["f1-score"] >= 0.9


def test_dialogue_stories_pass(herbot_cli, settings, built_index, tmp_path):
    """`rasa test core` replays bot/tests/test_stories.yml through the trained model (NLU included)."""
    from herbot.cli.train import model_path, rasa_env

    assert herbot_cli("train", timeout=900).returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--model", str(model_path(settings)), "--stories",
         str(BOT_DIR / "tests" / "test_stories.yml"), "--out", str(tmp_path), "--fail-on-prediction-errors",
         "--no-plot"],
        cwd=tmp_path, capture_output=True, text=True, env=rasa_env(settings),
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
