"""The answer-quality evaluation set (bench/eval/conversations.yaml) is well formed, large
enough, true to the knowledge, and kept apart from the training data.

Fast: no servers, no model. bench/answers.py runs the set against the real bot.
"""

from __future__ import annotations

import re

import pytest
import yaml

from bench import evalset
from herbot.settings import BOT_DIR, KNOWLEDGE_DATA, PROJECT_ROOT

SETS = sorted((PROJECT_ROOT / "bench" / "eval").glob("*.yaml"))


@pytest.fixture(scope="module")
def conversations():
    return evalset.load()


@pytest.fixture(scope="module", params=SETS, ids=[path.stem for path in SETS])
def each_set(request):
    """Every evaluation set, with the review files it is written for."""
    path = request.param
    return path, evalset.load(path), evalset.corpus_of(path, PROJECT_ROOT)


def _key(text: str) -> str:
    """A message as compared with training data: case folded, punctuation stripped, single spaces."""
    words = " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())
    return words or text.casefold().strip()  # a message of only emoji or symbols is its own key


def test_the_set_follows_its_schema(conversations):
    assert len(conversations) >= 80
    turns = [turn for conversation in conversations for turn in conversation.turns]
    assert all(1 <= len(c.turns) <= evalset.MAX_TURNS for c in conversations)
    assert {turn.category for turn in turns} == set(evalset.CATEGORIES)
    for turn in turns:
        if turn.category in evalset.NOT_ANSWERABLE:
            assert turn.must_not_contain, f"{turn.say!r} must name what an invented answer would say"
        assert turn.must_contain or turn.must_not_contain, turn.say


def test_a_broken_set_is_refused_with_every_problem_named(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump({"conversations": [
        {"id": "Not Kebab", "category": "fact", "turns": [{"say": "hi", "must_contain": ["x"], "sources": "maybe"}]},
        {"id": "ok", "category": "nonsense", "turns": [{"say": "", "typo_key": 1}]},
    ]}))
    with pytest.raises(evalset.EvalSetError) as error:
        evalset.load(path)
    for problem in ("kebab-case", "'sources' must be one of", "category 'nonsense'", "'say' must be non-empty",
                    "unknown key 'typo_key'", "needs 'must_contain' or 'must_not_contain'"):
        assert problem in str(error.value)


def test_checks_read_alternatives_and_banned_phrases():
    turn = evalset.Turn("q", "fact", (("Spike Jonze",), ("wrote", "script")), ("Lynch",), "required")
    assert evalset.problems(turn, "The script is by SPIKE  JONZE.", ["facts:writer"]) == []
    assert evalset.problems(turn, "Spike Jonze, not Lynch", []) == [
        "missing one of ['wrote', 'script']", "contains 'Lynch'", "cites no source"]
    assert evalset.normalise("Johansson’s “work”") == "johansson's \"work\""


def test_no_message_is_copied_from_the_training_data_or_the_held_out_split(each_set):
    _, conversations, _ = each_set
    from rasa.shared.nlu.training_data.loading import load_data

    examples = [*load_data(str(BOT_DIR / "data" / "nlu")).intent_examples,
                *load_data(str(BOT_DIR / "tests" / "nlu" / "heldout.yml")).intent_examples]
    # A bare yes or no answers the bot's own question; whatever its words, it says nothing a set could be fitted to.
    known = {_key(example.get("text")) for example in examples if example.get("intent") not in ("affirm", "deny")}
    assert len(known) > 500
    copied = [turn.say for c in conversations for turn in c.turns if _key(turn.say) in known]
    assert not copied, f"messages that appear in bot/data/nlu or the held-out split: {copied}"


def test_every_expected_phrase_is_in_the_knowledge_or_the_persona(each_set, tmp_path):
    """Some alternative of each must_contain item is in the set's reviews (or their metadata), the film
    facts, the bot's own lines or a count of the reviews: the set asserts nothing the knowledge does not say."""
    import shutil

    from knowledge.ingest import META_SUFFIX, load_corpus

    _, conversations, files = each_set
    folder = KNOWLEDGE_DATA / "reviews"
    if files is not None:
        folder = tmp_path / "reviews"
        folder.mkdir()
        for path in files:
            shutil.copy(path, folder / path.name)
            if (sidecar := path.with_name(path.stem + META_SUFFIX)).is_file():
                shutil.copy(sidecar, folder / sidecar.name)
    reviews, _ = load_corpus(folder)
    texts = [f"{passage.review_title} by {passage.author} ({review.outlet}, {review.date}, {review.url}): "
             f"{passage.text} {review.rating}" for review in reviews for passage in review.passages]
    texts += [" ".join(review.names) for review in reviews]
    texts += [(KNOWLEDGE_DATA / "film_facts.yaml").read_text(encoding="utf-8")]
    texts += [path.read_text(encoding="utf-8") for path in sorted((BOT_DIR / "domain").glob("*.yml"))]
    n = len(reviews)
    words = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    texts += [f"{count} review{'s' if n > 1 else ''} {count} of the" for count in (str(n), words[n - 1])]
    # a count of some of them ("four of the seven reviews are positive"): a number of reviews the bot counts itself
    texts += [f"{k} review{'s' if k != '1' and k != 'one' else ''} {k} of the {all_} {k} of {all_}"
              for part in range(1, n + 1) for k, all_ in ((str(part), str(n)), (words[part - 1], words[n - 1]))]
    known = evalset.normalise("\n".join(texts))
    unfounded = [(turn.say, group) for c in conversations for turn in c.turns for group in turn.must_contain
                 if not any(evalset.normalise(option) in known for option in group)]
    assert not unfounded, f"expected phrases found nowhere in the knowledge: {unfounded}"


def test_the_grounding_check_refuses_made_up_sources_and_misquotes():
    """The runner's grounding figure is only worth something if the check can fail."""
    from bench.answers import Knowledge
    from herbot.settings import get_settings

    knowledge = Knowledge.load(get_settings())
    said = "Spike Jonze directed it. Joaquin Phoenix plays Theodore Twombly."
    assert knowledge.grounding_problems(said, ["facts:director", "facts:cast:Joaquin Phoenix"], []) == []
    quote = {"passage_id": "her-makes-sci-fi-heartfelt/p7", "sentence": "All in all, “Her” is the first must see movie"}
    assert knowledge.grounding_problems("…", [quote["passage_id"]], [quote]) == []
    wrong = knowledge.grounding_problems(said, ["facts:producer", "facts:cast:Tom Hanks", "facts:runtime_minutes",
                                                "her-makes-sci-fi-heartfelt/p99"],
                                         [{**quote, "sentence": "Her is the worst film of 2013."}])
    assert len(wrong) == 5, wrong
    assert knowledge.grounding_problems(said, [], []) == ["an answer that cites no source"]
    assert not knowledge.is_answer(["I'm not sure I understood. Are you asking about the film's cast, its story, "
                                    "or what the reviewers thought?"], [])
    assert knowledge.is_answer(["Spike Jonze directed it."], [])
