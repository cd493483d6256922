"""Spoiler labels: the review's own overrides, then meaning on the real model (knowledge/spoilers.py)."""

import re
from pathlib import Path

import pytest
import yaml

from knowledge import spoilers
from knowledge.ingest import ReviewFileError, read_review

DATA = Path(__file__).parent / "data"
BODY = ["The film is gentle and slow.", "Phoenix is superb.", "She is gone, and he is alone on the roof at dawn.",
        "The score is lovely."]


def review(tmp_path: Path, paragraphs: list[str], front: str = "") -> list:
    path = tmp_path / "r.txt"
    head = f"---\ntitle: A Review\n{front}---\n" if front else "A Review\n\n"
    path.write_text(head + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return list(read_review(path)[0].passages)


def marks(passages) -> list:
    return [p.spoiler for p in passages]


def test_without_overrides_every_passage_waits_for_meaning(tmp_path):
    assert marks(review(tmp_path, BODY)) == [None] * 4


@pytest.mark.parametrize("front", ["spoilers: [2, 4]\n", "spoilers: [2, 'score is LOVELY']\n", "spoilers: 2\n"])
def test_front_matter_lists_spoilers_by_number_or_phrase(tmp_path, front):
    expected = [None, True, None, True] if "4" in front or "score" in front else [None, True, None, None]
    assert marks(review(tmp_path, BODY, front)) == expected


@pytest.mark.parametrize("front", ["spoilers: none\n", "spoilers: false\n", "spoilers: []\n", "spoilers: No\n"])
def test_front_matter_none_turns_detection_off(tmp_path, front, encoder):
    passages = review(tmp_path, ["SPOILER: she leaves him.", *BODY], front)
    assert marks(passages) == [False] * 5
    assert marks(spoilers.label(passages, encoder)) == [False] * 5  # nothing left for meaning to decide


@pytest.mark.parametrize("front", ["spoilers: all\n", "spoilers: true\n"])
def test_front_matter_all_marks_every_passage(tmp_path, front):
    assert marks(review(tmp_path, BODY, front)) == [True] * 4


@pytest.mark.parametrize(("front", "message"), [
    ("spoilers: [9]\n", "paragraph 9 does not exist (the body has 4)"),
    ("spoilers: ['not in the text']\n", "no paragraph contains 'not in the text'"),
    ("spoilers: [{a: 1}]\n", "neither a paragraph number nor a phrase"),
])
def test_a_spoilers_entry_that_names_nothing_stops_the_build(tmp_path, front, message):
    with pytest.raises(ReviewFileError, match=re.escape(message)) as error:
        review(tmp_path, BODY, front)
    assert "r.txt" in str(error.value)


def test_the_reviewers_own_markers(tmp_path):
    passages = review(tmp_path, [
        "A gentle film.",
        "SPOILER: the last scene is on a roof.",
        "[spoiler] She leaves.",
        "Still inside the tag.[/spoiler]",
        "After the tag.",
        "Spoilers ahead!",
        "Everything after the warning line.",
        "So is this.",
        "End of spoilers.",
        "The score is lovely.",
    ])
    assert marks(passages) == [None, True, True, True, None, None, True, True, None, None]


SECTIONS = ["A gentle film about a lonely man.", "The look", "Soft colours everywhere.", "What happens last",
            "He writes a letter.", "He climbs to the roof.", "Verdict", "See it."]


@pytest.mark.parametrize("front", ["", "spoilers: ['What happens last']\n"])
def test_a_heading_that_warns_or_is_listed_covers_its_section(tmp_path, front):
    """"The ending (spoilers)" as a heading, or a heading the front matter lists: every paragraph under it, up to the
    next heading, spoils; the headings themselves are never quoted."""
    sections = [p if p != "What happens last" or front else "What happens last (spoilers)" for p in SECTIONS]
    passages = review(tmp_path, sections, front)
    assert marks(passages)[4:6] == [True, True] and marks(passages)[7] is None and marks(passages)[2] is None
    assert [p.off_topic for p in passages] == [False, True, False, True, False, False, True, False]


@pytest.mark.parametrize(("warning", "covered"), [
    ("(Spoiler warning: the next paragraph gives away what becomes of them.)", 1),
    ("Spoilers in the following two paragraphs.", 2),
    ("Spoiler warning: stop reading here if you have not seen it.", 3),
])
def test_a_warning_that_counts_paragraphs_covers_that_many(tmp_path, warning, covered):
    passages = review(tmp_path, ["A gentle film.", warning, "First after it.", "Second after it.", "Third after it."])
    assert marks(passages) == [None, None, *([True] * covered), *([None] * (3 - covered))]


def test_a_warning_inside_a_paragraph_marks_nothing(tmp_path):
    passages = review(tmp_path, ["A gentle film about a man and his computer. (Some slight spoilers ahead)", *BODY])
    assert marks(passages) == [None] * 5


@pytest.mark.parametrize(("text", "spoiler"), [
    ("I won't spoil the ending, but it is perfect.", False),
    ("Spoilers ahead, so stop here if you have not seen it.", False),
    ("Without giving anything away, the last act surprised me.", False),
    ("My final verdict: four stars.", False),
    ("In the closing minutes she says goodbye and is gone for good.", True),
    ("It turns out she was talking to thousands of other people the whole time.", True),
    ("My verdict: two and a half stars out of four.", False),  # a rating line tells no event
])
def test_warnings_and_verdicts_are_not_reveals(text, spoiler, encoder):
    assert spoilers.detect([text], encoder) == [spoiler]


def scores(path: Path, encoder, in_place: bool = False) -> tuple[float, float]:
    """Recall and precision on a labelled set, each paragraph alone or (``in_place``) judged in its review."""
    from bench.spoilers import detect_in_place, recall_precision

    items = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    found = [bool(p.spoiler) for p in detect_in_place(items, encoder)] if in_place else \
        spoilers.detect([item["text"] for item in items], encoder)
    return recall_precision([item["spoiler"] for item in items], found)


@pytest.mark.parametrize(("held_out", "least_recall", "least_precision"), [
    ("formats_and_films.yaml", 0.7, 0.7), ("her_and_other_films.yaml", 0.97, 0.75), ("her_prose.yaml", 0.85, 0.68)])
def test_each_example_file_judged_with_the_others_voting(encoder, held_out, least_recall, least_precision):
    """The examples vote beside the cues: each file's paragraphs, judged with only the other files' sentences voting,
    show how that does on writing it has not seen (2026-12-07: recall / precision 0.73 / 0.73, 0.99 / 0.79 and
    0.87 / 0.71; the cues alone: 0.68 / 0.72 and 0.83 / 0.74 on the two files they were not chosen on)."""
    files = spoilers.example_files()
    assert held_out in [path.name for path in files]
    cues = spoilers.Cues.for_labelling(encoder, examples=tuple(path for path in files if path.name != held_out))
    items = yaml.safe_load((spoilers.EXAMPLES_DIR / held_out).read_text(encoding="utf-8"))["items"]
    found = spoilers.detect([item["text"] for item in items], encoder, cues)
    truth = [item["spoiler"] for item in items]
    hits = sum(t and f for t, f in zip(truth, found, strict=True))
    assert hits / sum(truth) >= least_recall and hits / sum(found) >= least_precision


def test_an_example_spoiler_votes_with_the_sentences_it_names_only(tmp_path):
    """A spoiler's other sentences vote as telling nothing; one that names no revealing sentence gives no example."""
    (tmp_path / "few.yaml").write_text(yaml.safe_dump({"items": [
        {"spoiler": True, "text": "The robots  win. It is well shot.", "reveals": ["The robots win."]},
        {"spoiler": True, "text": "Everyone dies. Nobody cares."},
        {"spoiler": False, "text": "The music is loud. I left early."}]}), encoding="utf-8")
    reveal, other = spoilers.example_sentences((tmp_path / "few.yaml",))
    assert reveal == ["The robots win."] and other == ["It is well shot.", "The music is loud.", "I left early."]


@pytest.mark.xfail(strict=True, reason="not met yet with each paragraph alone: recall 1.00, precision 0.75")
def test_the_labelled_fixture(encoder):
    """Issue 14's goal on the labelled fixture, each paragraph judged alone: no ending quoted without consent."""
    recall, precision = scores(DATA / "labels" / "spoilers.yaml", encoder)
    assert recall == 1.0 and precision >= 0.8, f"recall {recall:.2f}, precision {precision:.2f}"


def test_the_labelled_fixture_as_herbot_judges_it(encoder):
    """The same goal with each paragraph taken from a review file judged in its review, as the index judges it (its
    overrides, its place in the review; bench/spoilers.py "in its review"): met since warnings are read alike alone
    and in a review, words of finality are read in a sentence placed early, and more warnings and markers are known
    (2026-12-07: recall 1.00, precision 0.81; before, 0.95 / 0.77)."""
    recall, precision = scores(DATA / "labels" / "spoilers.yaml", encoder, in_place=True)
    assert recall == 1.0 and precision >= 0.8, f"recall {recall:.2f}, precision {precision:.2f}"


def test_the_index_build_labels_by_meaning(built_index, retriever):
    found = sorted(p.id for p in retriever.passages if p.spoiler)
    assert found == ["her-explores-love-with-an-os/p5", "her-makes-sci-fi-heartfelt/p6"]
    assert built_index.report.spoilers == built_index.manifest["spoilers"] == 2


def test_a_comment_that_the_page_shows_nothing_is_about_the_website():
    from knowledge.labels import about_website

    assert about_website("FYI the video at the top of this page just shows a grey box on my phone.")
    assert not about_website("The film shows a man who works at a card company.")


def test_real_reviews_paragraphs_hide_every_reveal_whole(encoder):
    """On paragraphs of the regression sets' reviews (tests/data/spoiler_review_dev.yaml, labelled by a reader who
    saw no code), every paragraph that tells the ending is hidden whole; of those that tell nothing, most show all
    their sentences and a few hide one (precision of whole hiding 0.43, of any label 0.28)."""
    items = yaml.safe_load((DATA / "spoiler_review_dev.yaml").read_text(encoding="utf-8"))["items"]
    passages = spoilers.detect_passages([item["text"] for item in items], encoder)
    reveals = [p for p, item in zip(passages, items, strict=True) if item["spoiler"]]
    harmless = [p for p, item in zip(passages, items, strict=True) if not item["spoiler"]]
    assert all(p.shows_nothing for p in reveals)
    assert sum(p.shows_nothing for p in harmless) <= 13
    partly = [p for p in harmless if p.spoiler and not p.shows_nothing]
    assert all(0 < len(p.revealing) < len(p.sentences) for p in partly)


def test_a_reveal_in_the_first_half_of_its_review_must_be_clear(encoder):
    """Judged in their reviews, as the index judges them (bench/spoilers.py detect_in_place), the same paragraphs
    keep every reveal hidden whole, and the faint alarms of a review's first half go: a review sets the film up
    before it tells how it ends (precision of any label 0.28 alone, 0.43 in place; of whole hiding 0.43 and 0.67)."""
    from bench.spoilers import detect_in_place

    items = yaml.safe_load((DATA / "spoiler_review_dev.yaml").read_text(encoding="utf-8"))["items"]
    alone = spoilers.detect_passages([item["text"] for item in items], encoder)
    placed = detect_in_place(items, encoder)
    reveals = [p for p, item in zip(placed, items, strict=True) if item["spoiler"]]
    assert reveals and all(p.shows_nothing for p in reveals)
    first_half = [n for n, item in enumerate(items) if _in_first_half(item, items)]
    assert any(alone[n].spoiler for n in first_half), "alone, some paragraphs of a first half raise an alarm"
    assert not any(placed[n].spoiler for n in first_half if not items[n]["spoiler"])
    assert sum(bool(p.spoiler) for p in placed) < sum(bool(p.spoiler) for p in alone)


def _in_first_half(item: dict, items: list[dict]) -> bool:
    stem, place = item["source"].rsplit("/p", 1)
    count = sum(other["source"].startswith(f"{stem}/p") for other in items)
    return int(place) <= count / 2


def test_a_loose_paragraph_is_judged_as_a_review_of_its_own(encoder):
    """A paragraph with no review around it has no place in one: the first-half rule never applies to it."""
    texts = ["Samantha and every other operating system leave together, and he is left on his own."] * 3
    assert all(p.spoiler for p in spoilers.detect_passages(texts, encoder))


def test_the_films_title_is_judged_as_the_film_not_as_a_pronoun(encoder):
    """A title like "Her" reads as a woman: "and Her has only one" sounded like her fate and raised an alarm. Where
    a sentence names the film, it is judged as "the film"; the pronoun stays what it is."""
    cues = spoilers.Cues.load(encoder)
    title = cues.title
    assert title, "the cues file names the film"
    assert cues.as_judged(f"and {title} has only one.") == "and the film has only one."
    assert cues.as_judged(f"“{title}” suffers no such flaw.") == "the film suffers no such flaw."
    assert cues.as_judged(f"{title} is a delicate thing.") == "the film is a delicate thing."
    kept = f"{title} marriage falls apart, and she leaves {title.lower()}."
    assert cues.as_judged(kept) == kept


@pytest.mark.parametrize(("sentence", "backed"), [
    ("Halfway in, we learn of his new job at a bakery, almost in passing.", False),
    ("We hear about her sister only once, and we learn about the farm from a postcard.", False),
    ("In the last scene we learn that the letters were never sent.", True),
    ("We discover she had been writing to someone else all along.", True),
])
def test_learning_of_something_is_no_twist_marker_but_learning_that_is(sentence, backed):
    """"We learn of her friends" names a topic; "we learn that …" tells a revelation. Only the second lowers the
    score a sentence needs to reveal (the rule backs it)."""
    assert spoilers.backed_by_rule(sentence) is backed


@pytest.mark.parametrize(("sentence", "backed"), [
    ("Late on, the captain admits she sold the maps herself.", True),
    ("He discovers his brother is the one who wrote the letters.", True),
    ("She confesses she never loved the house.", True),
    ("Slowly he learns to trust the stranger, and so do we.", False),
    ("She learns about the town's history from an old radio.", False),
    ("He discovers how to bake bread in the second act.", False),
])
def test_a_revelation_told_without_that_is_still_one(sentence, backed):
    """"she admits she ...", "he discovers his brother is ..." tell a revelation as plainly as "admits that";
    learning to do something, or about something, tells none."""
    assert spoilers.backed_by_rule(sentence) is backed


@pytest.mark.parametrize("warning", [
    "Spoiler warning: the rest of this piece covers the whole story, so save it for after you have watched.",
    "[Spoiler-free section ends here.]",
    "The spoiler-free part is over.",
])
def test_a_warning_about_what_follows_marks_what_follows_not_itself(tmp_path, warning):
    assert marks(review(tmp_path, ["The film is gentle and slow.", warning, "The robot wins.", "The robot loses."])) \
        == [None, None, True, True]


def test_a_spoiler_alert_with_an_aside_marks_its_paragraph(tmp_path):
    assert marks(review(tmp_path, ["The film is gentle.", "Spoiler alert, and this time I mean it: the robot wins."])) \
        == [None, True]


def test_a_warning_judged_alone_is_read_as_a_review_reads_it(encoder):
    """A loose paragraph that only warns (a labelled set, a benchmark) reveals nothing, as in a review."""
    assert spoilers.detect(["(Spoiler warning: the next paragraph says what becomes of the two of them.)"],
                           encoder) == [False]


def sentences_judged(text: str) -> list[str]:
    passage = spoilers.Passage(id="r/p1", review="r", review_title="", author=None, section="body", position=1,
                               text=text, sentences=(text,), spoiler=None)
    return [unit for unit, _ in spoilers.units_of(passage)]


def test_a_promise_not_to_give_the_ending_away_is_not_judged():
    assert sentences_judged("I won't give away the ending, but the score by the band is lovely.") == []


def test_a_sentence_placed_early_that_also_says_late_is_judged():
    text = "Halfway through the two quarrel, and by the close the captain has deserted her crew."
    assert text in sentences_judged(text)
    assert spoilers.backed_by_rule(text)
    assert sentences_judged("Halfway through the two quarrel over the map.") == []
