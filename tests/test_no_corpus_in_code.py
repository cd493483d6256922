"""Nothing about a particular review lives in code: no reviewer's name and no run of four words
of any review text in a Python module, nor in the general data the answers use (topics, stance
anchors). herbot must work on reviews it was not built on; a rule that only works because of a
phrase of the seed reviews is a defect even when every test passes.

Fast: reads files only.
"""

from __future__ import annotations

import re

import pytest

from herbot.settings import KNOWLEDGE_DATA, PROJECT_ROOT
from knowledge.ingest import load_corpus
from knowledge.review_set import ReviewInfo

CORPORA = (KNOWLEDGE_DATA / "reviews", PROJECT_ROOT / "tests" / "data" / "more_reviews")
CODE = sorted([*PROJECT_ROOT.glob("knowledge/*.py"), *PROJECT_ROOT.glob("actions/*.py"),
               *PROJECT_ROOT.glob("herbot/**/*.py")])
GENERAL_DATA = [KNOWLEDGE_DATA / "aspects.yaml", *KNOWLEDGE_DATA.glob("stance_*.yaml"),
                *KNOWLEDGE_DATA.glob("spoiler*.yaml")]
RUN = 4
# Runs of four words that any English prose has; sharing one says nothing about a review.
COMMON = {"one of the most", "at the end of", "the end of the", "in the middle of", "is one of the", "for the rest of",
          "the rest of the", "as well as the", "a lot of the", "on the other hand", "at the same time",
          "is the first time", "the film is a", "and the film is", "in the film s", "it is one of",
          "and it is one",
          # how any review states a rating
          "four stars out of", "stars out of five", "two stars out of", "out of five stars"}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold().replace("’", "'").replace("'", " "))


def _runs(text: str) -> set[str]:
    words = _words(text)
    return {" ".join(words[i:i + RUN]) for i in range(len(words) - RUN + 1)}


@pytest.fixture(scope="module")
def reviews():
    return [review for folder in CORPORA for review in load_corpus(folder)[0]]


@pytest.fixture(scope="module")
def review_runs(reviews) -> set[str]:
    runs: set[str] = set()
    for review in reviews:
        for passage in review.passages:
            runs |= _runs(passage.text)
    return runs - COMMON


def test_no_run_of_four_words_of_a_review_is_in_code_or_general_data(review_runs):
    assert len(review_runs) > 2000  # the corpora were read
    found = {}
    for path in [*CODE, *GENERAL_DATA]:
        shared = _runs(path.read_text(encoding="utf-8")) & review_runs
        if shared:
            found[str(path.relative_to(PROJECT_ROOT))] = sorted(shared)
    assert not found, f"phrases of the review texts in code: {found}"


def test_no_reviewer_or_review_name_is_in_code_or_general_data(reviews):
    names = set()
    for review in reviews:
        info = ReviewInfo.from_dict(review.metadata())
        names |= {name for name in info.called() if len(name) > 3}
        names |= {part for name in (info.author or "", info.outlet or "") for part in name.split(",") if part.strip()}
    assert len(names) > 10
    found = {}
    for path in [*CODE, *GENERAL_DATA]:
        text = path.read_text(encoding="utf-8").casefold()
        hits = sorted(n for n in names if re.search(rf"(?<!\w){re.escape(n.strip().casefold())}(?!\w)", text))
        if hits:
            found[str(path.relative_to(PROJECT_ROOT))] = hits
    assert not found, f"review names in code: {found}"


def test_the_check_can_fail(review_runs):
    """A module that quoted a review would be caught."""
    sample = next(iter(sorted(review_runs)))
    assert _runs(f'PATTERN = r"{sample}"') & review_runs
