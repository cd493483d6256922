"""Every action and response the code uses exists in the domain, and the other way round."""

import inspect
import re
from pathlib import Path

import pytest
from rasa_sdk.executor import ActionExecutor

from knowledge.fact_answers import FACT_ENTRIES, FACT_TOPICS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def registered():
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor.actions


def test_every_action_class_is_in_the_domain_and_named_by_convention(registered, domain):
    assert set(registered) == set(domain["actions"])
    for name, run in registered.items():
        cls = run.__self__.__class__
        words = re.findall(r"[A-Z][a-z]+", cls.__name__)
        assert words[0] == "Action"
        assert name == "action_" + "_".join(w.lower() for w in words[1:]), cls.__name__
        assert inspect.getdoc(cls), f"{cls.__name__} needs a docstring saying what it reads and sets"


def test_every_response_the_code_names_is_in_the_domain(domain):
    used = set()
    for path in [*ROOT.glob("actions/*.py"), *ROOT.glob("knowledge/*answers.py")]:
        used |= set(re.findall(r"[\"'](utter_[a-z_]+[a-z])[\"']", path.read_text()))
    for path in ROOT.glob("bot/data/*.yml"):
        used |= set(re.findall(r"action: (utter_[a-z_]+)", path.read_text()))
    used |= {f"utter_fact_{entry}" for entry in (*FACT_ENTRIES.values(), *(name for name, _ in FACT_TOPICS))}
    used |= {f"{name}_quoted" for name in ("utter_cast_role", "utter_cast_voice_role")}
    missing = used - set(domain["responses"])
    assert not missing
    unused = set(domain["responses"]) - used
    assert not unused, f"responses nobody sends: {unused}"


def test_every_intent_has_a_rule(domain):
    rules = (ROOT / "bot" / "data" / "rules.yml").read_text()
    for intent in domain["intents"]:
        assert f"intent: {intent}}}" in rules, intent
