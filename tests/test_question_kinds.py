"""Reading what a question asks beyond its topic (a review's own details, how the film ends), by
meaning, on the real model: the dev sample the thresholds were chosen on stays read as well, and
the examples stay general (no review's words: tests/test_no_corpus_in_code.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.question_kinds import QuestionKinds

DEV = Path(__file__).parent / "data" / "question_kind_dev.yaml"


@pytest.fixture(scope="module")
def kinds(knowledge):
    return knowledge.question_kinds


def read_as(knowledge, question: str) -> str:
    text = knowledge.without_names(question)
    detail = knowledge.question_kinds.detail(text).detail
    return detail or ("ending" if knowledge.question_kinds.asks_ending(text) else "other")


def test_the_dev_sample_is_read_at_least_as_well_as_when_the_thresholds_were_chosen(knowledge):
    items = yaml.safe_load(DEV.read_text(encoding="utf-8"))["questions"]
    wrong = [(item["question"], item["kind"], got) for item in items
             if (got := read_as(knowledge, item["question"])) != item["kind"]]
    assert len(items) - len(wrong) >= 54, wrong  # 55 before "that review" was taken out with the names


@pytest.mark.parametrize(("question", "detail"), [
    ("who wrote that one?", "author"), ("when was it published?", "date"), ("where did they appear?", "outlet"),
    ("what scores did the critics give it?", "ratings"), ("which of the reviews have reader comments?", "comments")])
def test_questions_about_the_reviews_themselves(knowledge, question, detail):
    reading = knowledge.question_kinds.nearest_detail(knowledge.without_names(question))
    assert reading.detail == detail


@pytest.mark.parametrize(("question", "detail", "asked"), [
    ("when did the podcast episode come out?", "date", True), ("what date was the video uploaded?", "date", False),
    ("which show did that episode run on?", "outlet", False), ("who are the podcast's hosts?", "author", False)])
def test_details_of_a_review_that_is_no_article(kinds, question, detail, asked):
    """A podcast's hosts, a video's channel, an episode's air date are a review's details as an article's are: the
    nearest detail (what a follow-up about one review reads), and asked outright where said plainly enough."""
    assert kinds.nearest_detail(question).detail == detail
    assert kinds.detail(question).detail == (detail if asked else None)


@pytest.mark.parametrize("question", ["and who edited it?", "who edited it actually", "and the other host"])
def test_a_short_question_of_the_films_people_or_a_hosts_turn_is_no_detail_asked(kinds, question):
    """Examples of other kinds of piece drew these in: "who edited it?" is the film's editor, "and the other host"
    the other host's view."""
    assert kinds.detail(question).detail is None


@pytest.mark.parametrize("question", ["who directed it?", "what did the critics think of the acting?",
                                      "what do the reviews say about the music?", "what is the movie about?"])
def test_questions_about_the_film_are_no_details(kinds, question):
    assert kinds.detail(question).detail is None


def test_an_ending_question_with_the_film_s_names_in_it(knowledge):
    assert knowledge.question_kinds.asks_ending(knowledge.without_names("how does it all turn out for Theodore?"))
    assert not knowledge.question_kinds.asks_ending(knowledge.without_names("how does Theodore meet Samantha?"))


def test_a_character_named_as_the_heros_ex_is_no_ending_asked(knowledge):
    """"his ex" is near "does he get back together with his ex?"; asking what the reviews say of her asks no ending."""
    kinds = knowledge.question_kinds
    assert not kinds.asks_ending(knowledge.without_names("what do the reviews say about Catherine, his ex?"))
    assert kinds.asks_ending(knowledge.without_names("does he get back together with his ex in the end?"))


def test_the_example_file_has_every_group(encoder):
    assert QuestionKinds(encoder).examples.groups["ending"]


@pytest.mark.parametrize("question", ["how does he end up with her in the first place?",
                                      "and what happens after that awful date?"])
def test_a_question_about_the_beginning_or_an_early_scene_asks_no_ending(knowledge, question):
    """"end up ... in the first place" is how the story starts; "the date" is a scene, not the role named by what it
    is ("Blind Date"), so it stays in the question."""
    from knowledge.answers import _asks_ending

    assert not _asks_ending(knowledge, question, None)
    assert "date" in knowledge.without_names("what happens after the date?", nouns=True)
    assert "blind date" in knowledge.without_names("what happens after his blind date?", nouns=True)


@pytest.mark.parametrize(("question", "ending"), [
    ("do the operating systems all go somewhere?", True), ("is Theodore the only person Samantha talks to?", True),
    ("how many other people is she talking to at the same time?", True),
    ("and the other ones?", False), ("who does she play?", False), ("what did the critics say about her voice?", False),
    ("how does Theodore meet Samantha in the first place?", False)])
def test_a_late_twist_asked_is_read_by_what_spoilers_reveal(knowledge, question, ending):
    """A twist the example questions miss is near what the spoiler cues say a reveal is; a short follow-up or a
    question about a character's part is not."""
    assert knowledge.asks_ending(question) is ending


def test_requests_of_elsewhere_are_read_as_on_the_dev_sample_and_no_question_about_the_film_is(knowledge):
    """Chosen on tests/data/elsewhere_dev.yaml: half the requests pass the margin, no question about the film."""
    from knowledge.answers import asks_elsewhere

    dev = yaml.safe_load((DEV.parent / "elsewhere_dev.yaml").read_text(encoding="utf-8"))
    assert [q for q in dev["in_scope"] if asks_elsewhere(knowledge, q)] == []
    assert sum(asks_elsewhere(knowledge, q) for q in dev["elsewhere"]) >= 15


@pytest.mark.parametrize(("question", "elsewhere"), [
    # written for this test, after the margin was chosen
    ("can you print my boarding pass for tomorrow", True), ("where should i go for brunch on sunday", True),
    ("which running shoes are best for beginners", True),
    ("what did the critics say about his moustache", False), ("where do they go on their trip to the beach", False),
    ("which scene made the reviewers cry", False), ("what should i watch after this one", False),
    ("no, please don't tell me", False)])
def test_a_request_of_elsewhere_is_told_from_a_question_about_the_film(knowledge, question, elsewhere):
    from knowledge.answers import asks_elsewhere

    assert asks_elsewhere(knowledge, question) is elsewhere
