"""Naming a review at any corpus size: the lookups find what scanning every review's names found.

``ReviewSet`` once compared each longer word of a question with every one-word name
(``difflib.get_close_matches``), which grew with the reviews; the lookup that replaces it must
find exactly the same, which these tests check against the old way on many misspellings.
"""

from __future__ import annotations

import difflib
import random
import string

import pytest

from bench.synthetic_reviews import review_names
from knowledge.close_words import CloseWords
from knowledge.review_set import TYPO_FROM, ReviewSet
from knowledge.text import TYPO_MATCH


@pytest.fixture(scope="module")
def thousand() -> ReviewSet:
    return ReviewSet.from_metadata(review_names(1000))


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
