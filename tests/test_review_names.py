"""Naming a review at any corpus size: the lookups find what scanning every review's names found.

``ReviewSet`` once ran one regular expression of every review's name on each question, and
compared each longer word of it with every one-word name (``difflib.get_close_matches``). Both
grew with the reviews; the lookups that replace them must find exactly the same, which these
tests check against the old way on many generated questions and misspellings.
"""

from __future__ import annotations

import difflib
import random
import re
import string

import pytest

from bench.synthetic_reviews import review_names
from knowledge.close_words import CloseWords
from knowledge.review_set import (
    _POINTING,
    _REVIEW_NOUN,
    _WORD_BEFORE_NOUN,
    _WORDS_BEFORE_NOUN,
    TYPO_FROM,
    ReviewSet,
    date_end,
    kinds_of_piece,
)
from knowledge.text import TYPO_MATCH


@pytest.fixture(scope="module")
def thousand() -> ReviewSet:
    return ReviewSet.from_metadata(review_names(1000)).warm()


def misspelt(rng: random.Random, word: str) -> str:
    """``word`` with one to three letters deleted, added, changed or swapped with the next."""
    letters = list(word)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(letters))
        change = rng.choice(("delete", "add", "change", "swap"))
        if change == "delete" and len(letters) > 1:
            del letters[at]
        elif change == "add":
            letters.insert(at, rng.choice(string.ascii_lowercase))
        elif change == "change":
            letters[at] = rng.choice(string.ascii_lowercase)
        elif at + 1 < len(letters):
            letters[at], letters[at + 1] = letters[at + 1], letters[at]
    return "".join(letters)


def test_a_misspelt_name_is_the_name_difflib_finds_among_every_name(thousand):
    rng = random.Random(18)
    names = [name for name in thousand._owner if " " not in name and len(name) >= 6]
    assert len(names) > 1000
    words = [misspelt(rng, rng.choice(names)) for _ in range(500)]
    words += ["".join(rng.choices(string.ascii_lowercase[:8], k=rng.randint(5, 16))) for _ in range(50)]
    words += ["critics", "reviewers", "acting", "cinematography", "disappointingly", "happily-ever-after"]
    words = [word for word in words if len(word) >= TYPO_FROM]
    close = CloseWords(names, cutoff=TYPO_MATCH, shortest=TYPO_FROM)
    found = [close.closest(word) for word in words]
    assert found == [next(iter(difflib.get_close_matches(word, names, n=1, cutoff=TYPO_MATCH)), None)
                     for word in words]
    assert sum(name is not None for name in found) > 300  # most misspellings are still their name


def test_close_words_asked_about_a_shorter_word_than_kept_for_refuse():
    with pytest.raises(ValueError, match="shorter"):
        CloseWords(["rourke"], cutoff=TYPO_MATCH, shortest=TYPO_FROM).closest("rour")


def regex_of_every_name(reviews: ReviewSet, *, nouns: bool) -> re.Pattern:
    """What ReviewSet searched questions with before: one alternation of every name, longest first."""
    names = sorted(reviews._owner, key=len, reverse=True)
    pattern = r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)"
    return re.compile(pattern + (f"(?:{_REVIEW_NOUN})?" if nouns else ""), re.IGNORECASE)


# Names that begin with no word character, hold punctuation, or begin other names.
ODD = ReviewSet.from_metadata([
    {"id": "odd-1", "title": "(Her) Again", "author": "Kay O'Brien", "outlet": "@reel_talk"},
    {"id": "odd-2", "title": "K.K. Notes", "author": "Lu Fenn", "outlet": "The Weekly"},
    {"id": "odd-3", "title": "The Weekly Reel", "author": "Ann Fenner", "outlet": "-- Marginalia --"}])


def with_odd_names(reviews: ReviewSet) -> ReviewSet:
    """Three hundred of the set's reviews (the regex of every name is slow to run) and the ``ODD`` ones."""
    return ReviewSet([*reviews.reviews[:300], *ODD.reviews])


def questions_naming(rng: random.Random, reviews: ReviewSet, count: int) -> list[str]:
    """Questions with names (the ``ODD`` ones half the time) in any case, inside longer words, beside
    punctuation, before "review" words."""
    names = sorted(reviews._owner)
    odd = sorted(name.casefold() for review in ODD for name in review.called())
    fillers = ["what did", "the", "think of", "review", "'s review", "film critic", "say about the music", "and",
               "x", "-", "(", ")", "?", "'s", "ing", " ", ",", "@", "did"]
    questions = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(2, 8)):
            if rng.random() < 0.4:
                name = rng.choice(rng.choice((names, odd)))
                parts.append(rng.choice((name, name.upper(), name.title(), name.capitalize())))
            else:
                parts.append(rng.choice(fillers))
        questions.append(rng.choice(("", " ")).join(parts))
    return questions


@pytest.mark.parametrize("nouns", [False, True])
def test_names_are_found_where_one_regex_of_every_name_found_them(thousand, nouns):
    reviews = with_odd_names(thousand)
    regex = regex_of_every_name(reviews, nouns=nouns)
    for question in questions_naming(random.Random(7 + nouns), reviews, 2000):
        found = [(start, end) for start, end, _ in reviews._found_names(question, nouns=nouns)]
        assert found == [match.span() for match in regex.finditer(question)], question


def named_in_by_scanning(reviews: ReviewSet, text: str) -> list[str]:
    """``ReviewSet.named_in`` as it was: the regex of every name, then difflib over every one-word name."""
    found = [reviews._owner[m.group(0).casefold()] for m in regex_of_every_name(reviews, nouns=False).finditer(text)]
    if not found:
        found = [reviews._word_owner[m.group(1).casefold()] for m in _WORD_BEFORE_NOUN.finditer(text)
                 if m.group(1).casefold() in reviews._word_owner]
    if not found:
        found = [reviews._word_owner[kind] for kind in kinds_of_piece(text) if kind in reviews._word_owner]
    if not found:  # a critic by their first name, as the code does
        found = [review for _, _, review in reviews._first_names_said(text)]
    names = [name for name in reviews._owner if " " not in name and len(name) >= 6]
    for word in re.findall(r"[\w'’-]+", text.casefold()):
        if len(word) >= TYPO_FROM and word not in reviews._owner:
            found += [reviews._owner[close] for close in difflib.get_close_matches(word, names, n=1, cutoff=TYPO_MATCH)]
    return list(dict.fromkeys(found))


def without_names_by_regex(reviews: ReviewSet, text: str, nouns: bool) -> str:
    """``ReviewSet.without_names`` as it was."""
    named = regex_of_every_name(reviews, nouns=nouns).sub(" ", text)
    named = _WORDS_BEFORE_NOUN.sub(reviews._without_its_name, named)  # the same step after the names as the lookups'
    for start, end, review in reversed(list(reviews._first_names_said(named))):  # a critic by first name, as the code
        if len(reviews.by_id[review].authors) == 1:  # does
            named = named[:start] + " " + named[end:]
    return _POINTING.sub(" ", named)


def test_named_in_and_without_names_say_what_they_said_by_scanning(thousand):
    reviews = with_odd_names(thousand)
    rng = random.Random(3)
    surnames = [review.author.split()[-1] for review in reviews.reviews if review.author]
    questions = questions_naming(rng, reviews, 200)
    questions += [f"what did {misspelt(rng, rng.choice(surnames))} think of the {rng.choice(['acting', 'ending'])}?"
                  for _ in range(200)]
    for question in questions:
        assert reviews.named_in(question) == named_in_by_scanning(reviews, question), question
        for nouns in (False, True):
            assert reviews.without_names(question, nouns=nouns) == without_names_by_regex(reviews, question, nouns)


def test_a_review_called_by_its_outlets_words_and_a_word_for_a_piece():
    """"the Copper Lane blurb", "the Millbrook write-up": words of a review's name before a word for a review name
    it, and go with it from the question, which keeps only what it asks."""
    reviews = ReviewSet.from_metadata([
        {"id": "capsule", "title": "Her", "author": None, "outlet": "Copper Lane Picturehouse"},
        {"id": "club", "title": "Monday Films: Her", "author": "Ada Quill", "outlet": "Millbrook Film Club"},
    ])
    assert reviews.named_in("what does the Copper Lane blurb say?") == ["capsule"]
    assert reviews.named_in("the Millbrook write-up: what about Amy Adams?") == ["club"]
    assert reviews.without_names("what does the Copper Lane blurb say about the music?").split() == \
        ["what", "does", "the", "say", "about", "the", "music?"]


def test_the_review_beside_the_one_in_play_is_named_by_next_and_after():
    reviews = ReviewSet.from_metadata([{"id": name, "title": f"{name.title()} Takes", "author": None}
                                       for name in ("alder", "birch", "cedar")])
    assert reviews.resolve("and the one after it?", last="alder") == "birch"
    assert reviews.resolve("the next one", last="birch") == "cedar"
    assert reviews.resolve("what about the previous review?", last="birch") == "alder"
    assert reviews.resolve("the next one", last="cedar") is None, "there is none after the last"
    assert reviews.resolve("the next scene", last="alder") is None
    assert reviews.refers_to_one("and the one after it?")


def test_a_review_called_by_the_kind_of_piece_only_it_is():
    """"the podcast guys", "what did the round-up say?": a kind of piece names the one review whose names or file
    name hold it; a kind two reviews share names neither."""
    reviews = ReviewSet.from_metadata([
        {"id": "podcast-episode-nine-her", "title": "Episode Nine: Her", "author": None},
        {"id": "roundup-three-films", "title": "Weekend Screens", "author": "Ada Quill"},
        {"id": "essay-one", "title": "On Quiet", "author": None},
        {"id": "essay-two", "title": "On Noise", "author": None},
    ])
    assert reviews.named_in("what did the podcast guys score it?") == ["podcast-episode-nine-her"]
    assert reviews.named_in("and the round-up on the acting?") == ["roundup-three-films"]
    assert reviews.named_in("any complaints in the round up?") == ["roundup-three-films"]
    assert reviews.named_in("what does the essay say?") == [], "two essays: which one is not said"
    card = ReviewSet.from_metadata([{"id": "weekly-scorecard", "title": "The Card", "author": None},
                                    {"id": "dear-film-open-letter", "title": "Dear Film", "author": None}])
    assert card.named_in("which category came off worst on the scorecard") == ["weekly-scorecard"]
    assert card.named_in("how does the letter describe the city") == ["dear-film-open-letter"]
    assert card.without_names("what does the scorecard say about the music?").split() == \
        ["what", "does", "say", "about", "the", "music?"], "the piece said as the one who speaks is no topic"
    assert card.without_names("according to the scorecard, is it slow?").split() == [",", "is", "it", "slow?"]
    assert "letter" in card.without_names("what do the reviews say about the letter he writes?"), "a topic stays"


def test_the_reviews_are_ordered_by_the_dates_they_give_in_any_spelling():
    """"the most recent review", "the oldest one": an end of the set by date, whatever way each review writes its
    date; with fewer than two dated there is no order, and "the latest one" is the last in the set, as before."""
    reviews = ReviewSet.from_metadata([
        {"id": "alder", "title": "Alder", "date": "Friday 7 March 2014"},
        {"id": "birch", "title": "Birch", "date": "2013-12-30"},
        {"id": "cedar", "title": "Cedar", "date": None},
        {"id": "damson", "title": "Damson", "date": "Feb. 11, 2014"},
    ])
    assert [review for _, review in reviews.by_date] == ["birch", "damson", "alder"]
    assert reviews.resolve("the most recent review") == "alder"
    assert reviews.resolve("the oldest one") == "birch"
    assert reviews.resolve("the earliest critic") == "birch"
    assert reviews.at_date_end("latest") == ["alder"]
    undated = ReviewSet.from_metadata([{"id": "elm", "title": "Elm", "date": "2014-01-02"},
                                       {"id": "fir", "title": "Fir", "date": "sometime last winter"}])
    assert undated.at_date_end("earliest") == [], "one dated review: no order to speak of"
    assert undated.resolve("the latest one") == "fir", "no order by date: the last in the set"
    assert undated.resolve("the oldest one") is None


@pytest.mark.parametrize(("question", "end"), [
    ("which review came out first?", "earliest"), ("which one is the most recent, by date?", "latest"),
    ("which of them has the earliest date", "earliest"), ("what was the last one to be published?", "latest"),
    ("which critic wrote theirs first", None), ("what's the first review?", None), ("the last one", None),
])
def test_an_end_of_the_set_by_date_is_asked_in_words_for_time(question, end):
    assert date_end(question) == end


def test_a_word_only_one_reviews_names_hold_names_it_said_as_the_one_who_speaks():
    """"what did the blu-ray guy conclude?", "who reviewed the blu-ray?": a word of one review's names, said as the
    one who speaks or as what was reviewed, names it; the same word said of the film's world ("in the city") does
    not."""
    reviews = ReviewSet.from_metadata([
        {"id": "disc-review", "title": "Her (Blu-ray) Review: Gorgeous Disc", "author": "Wes Fenn"},
        {"id": "city-notes", "title": "A City of Soft Light", "author": None},
        {"id": "other", "title": "Other Notes", "author": None},
    ])
    assert reviews.named_in("what did the blu-ray guy conclude") == ["disc-review"]
    assert reviews.named_in("who reviewed the blu-ray") == ["disc-review"]
    assert reviews.named_in("what did the blu-ray conclude about the acting?") == ["disc-review"]
    assert reviews.without_names("what did the blu-ray conclude about the acting?").split() == \
        ["what", "did", "conclude", "about", "the", "acting?"]
    assert reviews.named_in("what happens in the city at night?") == []
    assert "city" in reviews.without_names("what happens in the city at night?")


def test_a_critic_called_by_their_first_name_names_their_review():
    """"what was Odile's complaint?", "did odile reply to anyone?": people call a critic by their first name. It
    names the review only said as someone's (possessive, a verb of saying after it, or capitalised inside the
    question), never when another review's critic shares it, and never when it is a name of the film's own or the
    start of one (a nickname: "Sam" may be Samantha)."""
    reviews = ReviewSet.from_metadata([
        {"id": "odile", "title": "Quiet Rooms", "author": "Odile Marchbank", "outlet": "The Lamp"},
        {"id": "will", "title": "Talking Machines", "author": "Will Hartley"},
        {"id": "amy", "title": "Soft Focus", "author": "Amy Lowell"},
        {"id": "sam", "title": "Long Distance", "author": "Sam Ortiz"},
        {"id": "pair", "title": "Two Takes", "author": "Joan Reyes and Pia Lund"},
        {"id": "other-pia", "title": "Third Take", "author": "Pia Brandt"},
    ], reserved=frozenset({"amy", "samantha", "theodore twombly", "theodore"}))
    assert reviews.named_in("what was odile's complaint?") == ["odile"]
    assert reviews.named_in("did odile reply to anyone") == ["odile"]
    assert reviews.without_names("what was odile's complaint?").split() == ["what", "was", "complaint?"]
    assert reviews.named_in("what did will say about the score?") == ["will"]
    assert reviews.named_in("So what does Will make of the ending?") == ["will"]
    assert reviews.named_in("will the film make me cry?") == []
    assert reviews.named_in("what does amy think of theodore?") == [], "Amy is the film's"
    assert reviews.named_in("what does sam say to theodore at the end?") == [], "Sam may be Samantha"
    assert reviews.named_in("what did pia think?") == [], "two critics go by it"
    assert reviews.named_in("what did joan say about the score?") == ["pair"]
    assert "joan" in reviews.without_names("what did joan say about the score?"), "one of two critics: whose view it is"


def test_a_title_is_named_by_its_subtitle_and_without_its_apostrophes():
    """"Her: Parents' Guide" is "the parents guide" as people type it: each part of a title after its film's name is a
    name of the review, with or without apostrophes; a part of nothing but generic words ("Her: A Review") is none."""
    reviews = ReviewSet.from_metadata([
        {"id": "guide", "title": "Her: Parents' Guide", "author": "Lee Park", "outlet": "Screen Sense"},
        {"id": "plain", "title": "Her: A Review", "author": "Noor Vance"},
        {"id": "kids", "title": "The Children’s Hour", "author": None},
    ])
    assert reviews.named_in("what did the parents guide rate it?") == ["guide"]
    assert reviews.named_in("and the parents' guide on the language?") == ["guide"]
    assert reviews.named_in("what does the childrens hour say?") == ["kids"]
    assert reviews.named_in("what does a review say about the music?") == []
    assert reviews.without_names("what did the parents guide rate it?").split() == ["what", "did", "the", "rate",
                                                                                      "it?"]
