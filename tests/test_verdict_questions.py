"""Reading a question as a verdict question, by meaning, on the real model: the dev sample the
thresholds were chosen on must stay read as well, and the example file must stay general."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.verdict_questions import QUESTIONS_FILE, VerdictQuestions

DEV = Path(__file__).parent / "data" / "verdict_question_dev.yaml"


@pytest.fixture(scope="module")
def reader(encoder):
    return VerdictQuestions(encoder)


def dev_sample() -> list[dict]:
    return yaml.safe_load(DEV.read_text(encoding="utf-8"))["questions"]


def read_as(reader, question: str) -> str:
    reading = reader.read(question)
    return (reading.focus or "overall") if reading.asks else "topic"


def test_the_dev_sample_is_read_at_least_as_well_as_when_the_thresholds_were_chosen(reader):
    items = dev_sample()
    got = [read_as(reader, item["question"]) for item in items]
    asks_right = sum((g == "topic") == (item["asks"] == "topic") for g, item in zip(got, items, strict=True))
    all_right = sum(g == item["asks"] for g, item in zip(got, items, strict=True))
    assert asks_right >= 28 and all_right >= 24, (asks_right, all_right, len(items))


@pytest.mark.parametrize("question", ["what's the weather like tomorrow", "tell me a joke",
                                      "what do they say about the pacing"])
def test_what_is_no_verdict_question_is_not_read_as_one(reader, question):
    assert not reader.read(question).asks


def test_a_side_is_read_only_for_a_question_about_one(reader):
    assert reader.read("any critic who really disliked it?").focus == "negative"
    assert reader.read("how did they score it").focus is None


def test_the_example_file_has_every_group_and_none_of_the_dev_questions():
    examples = yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8"))
    assert set(examples) == {"overall", "negative", "positive", "mixed", "topic"}
    written = {q.casefold() for group in examples.values() for q in group}
    assert not written & {item["question"].casefold() for item in dev_sample()}
