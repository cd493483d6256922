"""A reviewer's own rating: front-matter values parsed, and ratings found in (and refused from) review text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.ratings import LETTER_GRADES, Rating, find_rating, parse_rating

LABELS = Path(__file__).parent / "data" / "labels" / "ratings.yaml"


@pytest.mark.parametrize(
    ("written", "value", "scale"),
    [
        ("2.5/5", 0.5, "out of 5"),
        ("7/10", 0.7, "out of 10"),
        ("16/20", 0.8, "out of 20"),
        ("85/100", 0.85, "out of 100"),
        ("3 out of 4 stars", 0.75, "out of 4 stars"),
        ("4.5 out of 5", 0.9, "out of 5"),
        ("one star out of five", 0.2, "stars"),
        ("two and a half stars", 0.5, "stars"),
        ("Three-and-a-half stars", 0.7, "stars"),
        ("3 1/2 stars", 0.7, "stars"),
        ("3½ stars", 0.7, "stars"),
        ("4 stars", 0.8, "stars"),
        ("one star", 0.2, "stars"),
        ("half a star", 0.1, "stars"),
        ("★★★★☆", 0.8, "stars"),
        ("★★★½", 0.7, "stars"),
        ("★★☆☆", 0.5, "out of 4 stars"),
        ("***1/2", 0.7, "stars"),
        ("B+", 0.85, "letter"),
        ("b-", 0.75, "letter"),
        ("A minus", 0.9, "letter"),
        ("F", 0.3, "letter"),
        ("85%", 0.85, "percent"),
    ],
)
def test_front_matter_values_are_normalised_and_kept_as_written(written, value, scale):
    assert parse_rating(written) == Rating(value, written, scale)


@pytest.mark.parametrize("written", [4, 3.5, "4", "8", "", "six stars", "12/25", "1/2", "E", "great", True, None])
def test_values_without_a_scale_or_out_of_range_are_no_rating(written):
    assert parse_rating(written) is None


def test_every_letter_grade_of_the_scale():
    assert {grade: parse_rating(grade).value for grade in LETTER_GRADES} == LETTER_GRADES


@pytest.mark.parametrize(
    ("text", "value", "written"),
    [
        ("A sweet, odd little picture.\n\nVerdict: 4/5", 0.8, "4/5"),
        ("I give it three stars out of four.", 0.75, "three stars out of four"),
        ("Rating: B-", 0.75, "B-"),
        ("The ending lands.\n★★★★", 0.8, "★★★★"),
        ("Final verdict: three and a half stars", 0.7, "three and a half stars"),
        ("My rating is 7.5/10, and I stand by it.", 0.75, "7.5/10"),
        ("All told, a solid 8/10.", 0.8, "8/10"),
        ("I'd happily give this film a B+ despite its length.", 0.85, "B+"),
        ("It earns its place. It gets 4 stars from me.", 0.8, "4 stars"),
        ("The Glass Orchard (2031) ★★★½", 0.7, "★★★½"),
        ("Grade: A", 0.95, "A"),
        ("Score: 85/100", 0.85, "85/100"),
        ("Overall - 3 out of 4 stars", 0.75, "3 out of 4 stars"),
        ("Too long by half.\n\n2.5/5", 0.5, "2.5/5"),
        ("I first gave it 3/5. Rating: 4/5", 0.8, "4/5"),
        ("I'm giving it four stars.", 0.8, "four stars"),
        ("Rating: 4½/5", 0.9, "4½/5"),
        ("9/ it is slow.\n\n10/ 2/5. pretty, and pleased with itself.", 0.4, "2/5"),  # a thread's tenth post
        ("Three stars (out of four).", 0.75, "Three stars (out of four)"),
        ("Rating: ★★★ (out of 4)", 0.75, "★★★ (out of 4)"),
        ("**Rating:** 4/5", 0.8, "4/5"),
        ("**Verdict: 7/10**", 0.7, "7/10"),
        ("(4/5)", 0.8, "4/5"),
        ("[Rating: 3/5]", 0.6, "3/5"),
        ("I originally gave it 3/5, but on a rewatch it's a 4/5.", 0.8, "4/5"),
        ("At first I'd have given it two stars; I've since bumped it up to four stars.", 0.8, "four stars"),
        ("It's a 4/5 from me.", 0.8, "4/5"),
        ("I give this movie 4 stars out of 5, no question.", 0.8, "4 stars out of 5"),
        ("This film deserves five stars.", 1.0, "five stars"),
        ("Stars: ★★★★☆", 0.8, "★★★★☆"),
        ("My grade: A–", 0.9, "A–"),
        ("Four and a half stars out of five.", 0.9, "Four and a half stars out of five"),
        ("10/10, would watch again.", 1.0, "10/10"),
        ("Verdict? 4/5", 0.8, "4/5"),
        ("Grade B+", 0.85, "B+"),
        ("A B+ from me.", 0.85, "B+"),
        ("Lovely, odd, too long: three stars from me.", 0.6, "three stars"),
        ("I'd put it at 7 out of 10.", 0.7, "7 out of 10"),
        ("I'd say 8/10.", 0.8, "8/10"),
        ("I'd call it a B-.", 0.75, "B-"),
        ("I'm going to give it four stars.", 0.8, "four stars"),
        ("I'm going with three and a half stars.", 0.7, "three and a half stars"),
        ("For all its faults, this is a four-star film.", 0.8, "four-star"),
        ("Three stars, maybe three and a half on a good day.", 0.6, "Three stars"),
    ],
)
def test_a_stated_rating_is_found(text, value, written):
    rating = find_rating(text)
    assert rating is not None, text
    assert (rating.value, rating.written) == (value, written)


@pytest.mark.parametrize(
    ("written", "verdict"),
    [("4/5", "positive"), ("8/10", "positive"), ("B", "positive"), ("A+", "positive"), ("3/5", "mixed"),
     ("2.5/5", "mixed"), ("C", "mixed"), ("6/10", "mixed"), ("7/10", "mixed"), ("B-", "mixed"),
     ("2/5", "negative"), ("D-", "negative"), ("F", "negative"), ("0/10", "negative"),
     ("C-", "negative"), ("D+", "negative"), ("C+", "mixed")],  # a critic's C- is a pan, though 0.6 on the scale
)
def test_a_rating_gives_a_verdict(written, verdict):
    assert parse_rating(written).stance == verdict


@pytest.mark.parametrize(("written", "words", "verdict"), [
    ("7/10", "positive", "positive"), ("B-", "mixed", "mixed"), ("3.5/5", "negative", "mixed"),
    ("2.5/5", "negative", "negative"), ("2.5/5", "positive", "mixed"), ("4/5", "negative", "positive"),
    ("2/5", "positive", "negative"), ("6/10", "positive", "mixed"), ("C", "negative", "negative"),
    ("C+", "positive", "positive"), ("C+", "negative", "mixed")])
def test_a_borderline_rating_leans_the_way_the_reviews_words_go(written, words, verdict):
    assert parse_rating(written).verdict(words) == verdict


def test_the_title_may_be_what_is_rated():
    text = "I'd give The Glass Orchard four stars."
    assert find_rating(text) is None
    assert find_rating(text, title="The Glass Orchard").value == 0.8
    assert find_rating("I give “The Glass Orchard” a B+.", title="The Glass Orchard").value == 0.85


@pytest.mark.parametrize(
    "text",
    [
        "It opened in 2013 and runs 126 minutes.",
        "The screening started at 10:30 on 12/18/2013.",
        "It made my top 10 of the year.",
        "The first 1/2 hour drags.",
        "Some 3/4 of the film is set in one flat.",
        "I gave it 5 stars on the app before I even saw it.",
        "I'd give the soundtrack 10/10.",
        "9 out of 10 critics agree it's a triumph.",
        "Verdict: A beautiful, sad, generous film.",
        "It's a five-star hotel of a production design.",
        "The film's four stars are all wonderful.",
        "He gets a letter from her on page 4/5 of the script.",
        "I give it a chance, and it rewards patience.",
        "It is rated R for language and sexual content.",
        "One of the 10 best films of the decade.",
        "Audiences on the big sites average 8/10.",
        "My friend gave it 2/5 and walked out.",
        "Critics rate it 4 out of 5.",
        "It's a B-movie premise made with A-list care.",
        "The ensemble is 10/10, the script a 5/10.",
        "It's two-thirds romance and 1/3 satire.",
        "I'd give it a 9.",
        "Grade A material, in places.",
        "Critics call it a five-star film.",
        "Stars two unknowns in the leading roles.",
    ],
)
def test_numbers_that_are_no_rating_of_the_film_are_refused(text):
    assert find_rating(text) is None


def test_a_review_with_no_rating_has_none():
    path = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "reviews"
    for review in sorted(path.glob("*.txt")):
        assert find_rating(review.read_text(encoding="utf-8")) is None, review.name


# Measured once before any change to find_rating (81 of 98 on the first run, 92 now); a regression floor since,
# never tuned on (the set says so).
RATINGS_FLOOR = 92


@pytest.mark.skipif(not LABELS.is_file(), reason="tests/data/labels/ratings.yaml is not there yet")
def test_the_labelled_ratings_do_not_regress():
    items = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["items"]
    right = 0
    for item in items:
        found = find_rating(item["text"])
        if item["rating"] is None:
            right += found is None
        else:
            right += found is not None and abs(found.value - item["rating"]) < 0.011
    assert right >= RATINGS_FLOOR, f"{right} of {len(items)} right"
