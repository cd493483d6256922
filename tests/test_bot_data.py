"""The Rasa project made from the loaded reviews: names, synonyms, examples and what the persona says.

The fast tests read the generated files; the slow ones train the real bot on the seed corpus
and on a temporary one with a review written here, and ask the trained model.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from herbot.cli import bot_data
from herbot.cli.train import BotSources, fingerprint, model_problem, project
from herbot.settings import BOT_DIR, KNOWLEDGE_DATA, PROJECT_ROOT
from knowledge import review_set
from knowledge.ingest import load_corpus
from knowledge.review_set import ReviewInfo
from tests.support.serving import HERBOT

SEED = KNOWLEDGE_DATA / "reviews"
MORE = Path(__file__).parent / "data" / "more_reviews"
JO_TESTER = """A Test of Her

By Jo Tester, The Test Gazette

Her is a gentle film about a lonely man and the voice in his computer, and Joaquin Phoenix
carries it with a face that listens. The city looks soft and warm.

I liked it a great deal, though it runs a little long. Go and see it.
"""


def infos(folder: Path) -> list[ReviewInfo]:
    return [ReviewInfo.from_dict(review.metadata()) for review in load_corpus(folder)[0]]


def generated(reviews: list[ReviewInfo]) -> tuple[dict, dict]:
    files = bot_data.generated_files(reviews, bot_data.load_templates(BOT_DIR / bot_data.EXAMPLES),
                                     bot_data.taken_texts(BOT_DIR / "data"))
    return yaml.safe_load(files[bot_data.NLU_FILE]), yaml.safe_load(files[bot_data.DOMAIN_FILE])


def lines(block: str) -> list[str]:
    return [line[2:] for line in block.splitlines() if line.startswith("- ")]


def entries(nlu: dict, kind: str) -> dict[str, list[str]]:
    return {entry[kind]: lines(entry["examples"]) for entry in nlu["nlu"] if kind in entry}


def initial(domain: dict) -> dict[str, str]:
    return {name: slot["initial_value"] for name, slot in domain["slots"].items()}


def corpus(tmp_path: Path, *extra: tuple[str, str]) -> Path:
    """The seed reviews (texts and metadata files) and ``extra`` (file name, text) in a folder of their own."""
    folder = tmp_path / "reviews"
    shutil.copytree(SEED, folder, ignore=shutil.ignore_patterns("README*"))
    for name, text in extra:
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("folder", [SEED, MORE])
def test_every_name_of_every_review_is_looked_up_and_maps_to_its_id(folder):
    reviews = infos(folder)
    nlu, _ = generated(reviews)
    lookup, synonyms = entries(nlu, "lookup")["reviewer"], entries(nlu, "synonym")
    for review in reviews:
        for name in review.called():
            assert name in lookup
            assert name in synonyms[review.id] and name.lower() in synonyms[review.id]
    assert set(synonyms) == {review.id for review in reviews}


@pytest.mark.parametrize("folder", [SEED, MORE])
def test_each_review_is_named_in_examples_of_every_intent_that_names_reviewers(folder):
    reviews = infos(folder)
    nlu, _ = generated(reviews)
    intents = entries(nlu, "intent")
    assert set(intents) == {"ask_opinion", "ask_followup", "ask_recommendation", "ask_comments",
                            "ask_compare_reviews"}
    names = {review.id: {n.casefold() for n in bot_data.names_of(review)} for review in reviews}
    for intent, examples in intents.items():
        assert len(examples) <= bot_data.MAX_PER_INTENT
        assert len(examples) == len(set(examples))
        named = {review for example in examples for mention in re.findall(r"\[([^]]+)\]\(reviewer\)", example)
                 for review, known in names.items() if mention.casefold() in known}
        assert named == set(names), intent
    if folder == SEED:
        assert "what did [Sam Beezjak](reviewer) think of it?" in intents["ask_opinion"]  # the author first


def test_one_review_has_no_comparisons_and_speaks_in_the_singular():
    reviews = infos(MORE)[-1:]
    nlu, domain = generated(reviews)
    assert "ask_compare_reviews" not in entries(nlu, "intent")
    assert initial(domain) == {"reviews_read": "one review of Her",
                               "reviews_by": "Ines Calloway (Saltmarsh Film Quarterly)",
                               "reviewers": "the reviewer", "reviews_question": "Would the reviewer recommend it?"}


def test_the_counts_and_the_reviewers_come_from_the_set():
    seed, more = infos(SEED), infos(MORE)
    assert initial(generated(seed)[1]) == {
        "reviews_read": "two reviews of Her", "reviews_by": "Sam Beezjak (E23, a student newspaper) and a film blog",
        "reviewers": "the reviewers", "reviews_question": "Do the reviewers agree?"}
    six = initial(generated(seed + more)[1])
    assert six["reviews_read"] == "six reviews of Her"
    assert six["reviews_by"] == "Sam Beezjak (E23, a student newspaper), a film blog and four others"
    assert review_set.reviews_read(12) == "twelve reviews of Her" and review_set.reviews_read(13) == "13 reviews of Her"
    for slot in generated(seed)[1]["slots"].values():
        assert slot["type"] == "text" and slot["influence_conversation"] is False
        assert slot["mappings"] == [{"type": "custom"}]


def test_a_name_two_reviews_share_is_looked_up_but_names_neither():
    first, second = infos(MORE)[:2]
    same = replace(second, outlet=first.outlet)
    nlu, _ = generated([first, same])
    synonyms = entries(nlu, "synonym")
    assert first.outlet in entries(nlu, "lookup")["reviewer"]
    assert first.outlet not in synonyms[first.id] and first.outlet not in synonyms[same.id]
    assert first.author in synonyms[first.id]


def test_no_name_from_the_review_files_is_in_the_bots_own_files():
    """bot/ is general: every name a review goes by comes from the generated data."""
    files = [*sorted((BOT_DIR / "data").rglob("*.yml")), BOT_DIR / "domain" / "persona.yml",
             BOT_DIR / bot_data.EXAMPLES, *sorted((BOT_DIR / "tests").glob("*.yml"))]
    for path in files:
        text = path.read_text(encoding="utf-8").casefold()
        for review in infos(SEED) + infos(MORE):
            for name in bot_data.names_of(review):
                assert not re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", text), (path.name, name)


def test_persona_lines_fill_in_only_the_generated_slots():
    persona = yaml.safe_load((BOT_DIR / "domain" / "persona.yml").read_text(encoding="utf-8"))["responses"]
    used = set(re.findall(r"\{(\w+)\}", yaml.safe_dump(persona)))
    assert used == set(generated(infos(SEED))[1]["slots"])
    assert not re.search(r"\b(?:two|both|neither)\b", yaml.safe_dump(persona))
    answers = (BOT_DIR / "domain" / "answers.yml").read_text(encoding="utf-8")
    assert "what two reviewers" not in answers and "{reviews_read}" in answers


def test_the_fingerprint_follows_the_reviews_names_not_their_texts(settings, tmp_path):
    reviews = corpus(tmp_path, ("a-test-of-her.txt", JO_TESTER))
    at = replace(settings, home=tmp_path / "home", reviews_dir=reviews)
    sources = BotSources.at()
    first = fingerprint(project(at, sources))
    assert fingerprint(project(at, sources)) == first
    (reviews / "a-test-of-her.txt").write_text(JO_TESTER.replace("a great deal", "very much"), encoding="utf-8")
    assert fingerprint(project(at, sources)) == first, "a review's wording is the index's business, not the bot's"
    (reviews / "a-test-of-her.txt").rename(reviews / "jo-testers-review.txt")
    renamed = fingerprint(project(at, sources))
    assert renamed != first
    (reviews / "jo-testers-review.txt").write_text(JO_TESTER.replace("Jo Tester", "Jo Testing"), encoding="utf-8")
    assert fingerprint(project(at, sources)) not in (first, renamed)
    (reviews / "jo-testers-review.txt").unlink()
    assert fingerprint(project(at, sources)) not in (first, renamed)


def test_the_reviews_names_come_from_a_current_index_as_from_the_reviews(settings, tmp_path):
    """Training takes the reviews' metadata from the index when it was made from the files there now, and
    reads the reviews when it was not: the same project either way."""
    from knowledge.pipeline import refresh_index

    reviews = corpus(tmp_path, ("a-test-of-her.txt", JO_TESTER))
    no_index = replace(settings, home=tmp_path / "plain", reviews_dir=reviews, index_dir=tmp_path / "none")
    indexed = replace(no_index, index_dir=tmp_path / "index")
    refresh_index(indexed)
    sources = BotSources.at()
    assert fingerprint(project(indexed, sources)) == fingerprint(project(no_index, sources))
    (reviews / "a-test-of-her.txt").write_text(JO_TESTER.replace("Jo Tester", "Jo Testing"), encoding="utf-8")
    renamed = fingerprint(project(no_index, sources))
    assert fingerprint(project(indexed, sources)) == renamed  # the index is out of date: the reviews are read


def test_the_assembled_project_is_the_bots_files_and_the_generated_ones(settings, tmp_path):
    home = tmp_path / "home"
    built = project(replace(settings, home=home), BotSources.at())
    (home / "bot" / "data" / "stale.yml").parent.mkdir(parents=True)
    (home / "bot" / "data" / "stale.yml").write_text("left from a review set of before")
    built.write()
    written = sorted(p.relative_to(home / "bot").as_posix() for p in (home / "bot").rglob("*") if p.is_file())
    own = sorted(p.relative_to(BOT_DIR).as_posix() for folder in ("domain", "data")
                 for p in (BOT_DIR / folder).rglob("*") if p.is_file())
    assert written == sorted([*own, bot_data.NLU_FILE.as_posix(), bot_data.DOMAIN_FILE.as_posix()])
    for name in own:
        assert (home / "bot" / name).read_bytes() == (BOT_DIR / name).read_bytes()


def test_a_reviews_folder_that_cannot_be_read_stops_training_with_one_line(settings, tmp_path):
    from herbot.cli.train import TrainingError

    (tmp_path / "reviews").mkdir()
    with pytest.raises(TrainingError, match="cannot make the bot's review data: .*no review files"):
        project(replace(settings, home=tmp_path, reviews_dir=tmp_path / "reviews"), BotSources.at())


# --- the real training ------------------------------------------------------------------------------


async def parse(model: Path, *texts: str) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def reviewers(parsed: dict) -> list[str]:
    return [entity["value"] for entity in parsed["entities"] if entity["entity"] == "reviewer"]


@pytest.mark.slow
async def test_the_seed_model_knows_the_reviewers_from_the_generated_data(trained_model, herbot_home):
    model, _, _ = trained_model
    assert (herbot_home / "bot" / bot_data.NLU_FILE).is_file()
    assert (herbot_home / "bot" / bot_data.DOMAIN_FILE).is_file()
    sam, blog, third = await parse(model, "what did Sam Beezjak think?", "and the blogger?",
                                   "what did the third critic think?")
    assert sam["intent"]["name"] == "ask_opinion" and reviewers(sam) == ["her-explores-love-with-an-os"]
    assert blog["intent"]["name"] == "ask_followup" and reviewers(blog) == ["her-makes-sci-fi-heartfelt"]
    assert reviewers(third) == ["the third critic"]  # an ordinal is left for the review set to resolve


@pytest.mark.slow
def test_the_assembled_project_passes_rasas_validation(trained_model, herbot_home):
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", "domain", "--data", "data",
         "--config", str(BOT_DIR / "config.yml"), "--fail-on-warnings"],
        cwd=herbot_home / "bot", capture_output=True, text=True,
        env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "", "PYTHONPATH": os.environ.get("PYTHONPATH", "")},
    )
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.slow
async def test_a_new_review_retrains_the_bot_which_then_knows_it(settings, tmp_path):
    from rasa.core.agent import Agent

    reviews = corpus(tmp_path, ("a-test-of-her.txt", JO_TESTER))
    home = tmp_path / "home"
    env = {**os.environ, "HERBOT_HOME": str(home), "HERBOT_REVIEWS_DIR": str(reviews),
           "HERBOT_ENCODER_DIR": str(settings.encoder_dir)}
    here = replace(settings, home=home, models_dir=home / "models", reviews_dir=reviews)

    def train() -> str:
        result = subprocess.run([HERBOT, "train"], capture_output=True, text=True, timeout=1800, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    assert "Model trained in" in train()
    assert "Rasa model up to date" in train()

    agent = Agent.load(str(home / "models" / "herbot.tar.gz"))
    jo, gazette = [await agent.parse_message(text) for text in ("what did Jo Tester think?",
                                                                "and the test gazette?")]
    assert jo["intent"]["name"] == "ask_opinion" and reviewers(jo) == ["a-test-of-her"]
    assert reviewers(gazette) == ["a-test-of-her"]
    greeting = " ".join(message.get("text", "") for message in await agent.handle_text("hello", sender_id="t"))
    assert "three reviews of Her" in greeting, greeting

    (reviews / "a-test-of-her.txt").rename(reviews / "jo-tester.txt")
    assert model_problem(here, BotSources.at()) == "the bot changed since the last training"
    (reviews / "jo-tester.txt").unlink()
    assert model_problem(here, BotSources.at()) == "the bot changed since the last training"
    (reviews / "a-test-of-her.txt").write_text(JO_TESTER, encoding="utf-8")
    assert model_problem(here, BotSources.at()) is None


@pytest.mark.parametrize("folder", [SEED, MORE])
def test_the_generated_files_are_the_same_in_every_process(folder):
    """Python orders sets differently from one process to the next; the files (and so the
    fingerprint) must not change with it, or every start would retrain."""
    script = ("import sys; from pathlib import Path; from tests.test_bot_data import generated, infos; "
              "sys.stdout.write(repr(generated(infos(Path(sys.argv[1])))))")
    runs = {subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, check=True,
                           cwd=PROJECT_ROOT, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3")}
    assert len(runs) == 1
