"""Each review's overall verdict: its own stated rating when it has one, else the stance of
the sentences that sound most like a verdict; and how a set of verdicts agrees.

Computed once per process from the index (the sentence vectors are already there), so a
turn never walks every review's text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np

from knowledge.film_sections import title_heading
from knowledge.labels import section_under
from knowledge.ratings import Rating, find_rating, only_a_rating, parse_rating
from knowledge.review_set import join
from knowledge.stance import overall
from knowledge.text import SPEAKERS_TURN

VERDICT_QUERY = "the reviewer's overall verdict on the film: whether it is good and worth seeing"
CLOSING_BONUS = 0.1  # a review's last paragraph is where it most often sums up
_VERDICT_SENTENCES = 3  # sentences weighed for a review without a rating
# "In the end, ...", "at the end of the day": a reviewer summing up, not speaking of how the film ends.
SUMMING_UP_END = re.compile(r"\b(?:in the end|at the end of the day)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    review: str
    stance: str  # positive, negative or mixed
    rating: Rating | None
    sentence: str | None  # the review's words that carry the verdict
    passage_id: str | None
    sentence_stance: str | None = None
    critics: tuple[tuple[str, Rating], ...] = ()  # in a piece by more than one critic, each one's own rating line

    def critic_rating(self, name: str) -> Rating | None:
        """The rating the critic ``name`` gave on a line of their own ("Jo Critic: 4/5"), if they did."""
        return next((rating for critic, rating in self.critics if critic.casefold() == name.casefold()), None) or \
            next((rating for critic, rating in self.critics if _a_name_of(critic, name)), None)


def review_verdicts(index, verdict_vector: np.ndarray, ratings: dict[str, str | None], stances,
                    rows: range | None = None, title: str | None = None,
                    about_the_ending=lambda sentence: False) -> dict[str, Verdict]:
    """The verdict of every review in the index, or in its passage ``rows`` (``ratings``: each review's
    rating from its metadata; ``stances``: sentences and their vectors to their stances; ``title``: the film's,
    which heads its section in a piece on several films; ``about_the_ending``: whether a sentence speaks of how the
    film ends, which a verdict is quoted by only when nothing else can be)."""
    by_review: dict[str, list[int]] = {}
    for row in rows if rows is not None else range(len(index.passages)):
        passage = index.passages[row]
        if passage.section == "body":
            by_review.setdefault(passage.review, []).append(row)
    verdicts = {}
    for review, rows in by_review.items():
        verdicts[review] = _verdict(index, review, rows, verdict_vector, ratings.get(review), stances,
                                    _films_section(index, rows, title), about_the_ending)
    return verdicts


def _films_section(index, rows: list[int], title: str | None) -> set[int]:
    """In a piece on several films ("HER", then its grade, then the next film's heading), the rows under the heading
    that is the film's title, up to the next heading; empty when no heading is its title."""
    texts = [index.passages[row].text for row in rows]
    own = title_heading(texts, title)
    return set() if own is None else {rows[n] for n in section_under(texts, own)}


def _verdict(index, review: str, rows: list[int], verdict_vector: np.ndarray, stated: str | None,
             stances, films_section: set[int] = frozenset(), about_the_ending=lambda sentence: False) -> Verdict:
    candidates = []  # (similarity to a verdict, sentence, passage id, vector, spoiler)
    rated: tuple[Rating, str, str] | None = None
    by_critic: dict[str, Rating] = {}  # "Jo Critic: 4/5" lines, in a review written by more than one critic
    last = rows[-1] if rows else None
    section_ids = {index.passages[row].id for row in films_section}
    for row in rows:
        passage = index.passages[row]
        if passage.off_topic:  # a heading, a warning to the reader, another film's section: no verdict on this one
            continue
        closing = CLOSING_BONUS if row == last else 0.0  # reviews end on their verdict
        start = int(index.sentence_offsets[row])
        vectors = index.unit_matrix[start:start + len(passage.sentences)]
        turn = SPEAKERS_TURN.match(passage.text)  # "[00:17:03] JO: 8/10 from me": a transcript's speaker rates it
        rates_it = rated is None or films_section and row in films_section and rated[2] not in section_ids  # in a
        # piece on several films, the grade in the film's own section
        for place, (sentence, vector) in enumerate(zip(passage.sentences, vectors, strict=True)):
            candidates.append((float(vector @ verdict_vector) + closing, sentence, passage.id, vector,
                               passage.spoils(place)))
            found = find_rating(sentence) if turn or rates_it else None
            if turn and found:
                by_critic.setdefault(turn["name"].title(), found)
            if (named := _CRITIC_RATED.match(sentence)) and (given := find_rating(named["rest"])) and \
                    only_a_rating(named["rest"], given):
                by_critic.setdefault(named["name"], given)
            if rates_it and found:
                rated, rates_it = (found, sentence, passage.id), False
    rating = parse_rating(stated) if stated else None
    if rating is None and len(by_critic) >= 2:  # two critics, a rating each: both, and no one line speaks for them
        rating, rated = each_critics(by_critic), None
    if rating is None and rated:
        rating = rated[0]
    # The stance is read from every sentence that sounds like a verdict; only the quote must not spoil.
    candidates.sort(key=lambda c: -c[0])
    top = candidates[: _VERDICT_SENTENCES * 3]
    labels = stances([c[1] for c in top], np.array([c[3] for c in top])) if top else []
    judged = [(c, label) for c, label in zip(top, labels, strict=True) if label != "neutral"]
    quotable = [(c, label) for c, label in judged if not c[4]]
    # A verdict asked for is the film's as a whole: a line on its ending ("The ending is superb ...") speaks of one
    # part, and the one a reader most wants kept from them; it is quoted only when no other line can be.
    quotable.sort(key=lambda item: about_the_ending(item[0][1]))
    if rated and not any(rated[1] == c[1] and c[4] for c in candidates):  # quote the rating in its own words
        sentence, passage_id, sentence_stance = rated[1], rated[2], None
    elif quotable:
        (first, sentence_stance) = quotable[0]
        sentence, passage_id = first[1], first[2]
    else:
        sentence = passage_id = sentence_stance = None
    words = overall([label for _, label in judged]) if judged else None
    stance = rating.verdict(words) if rating is not None else words or "mixed"
    if rated and sentence == rated[1] and only_a_rating(sentence, rated[0]):  # "Grade: B-" says no more than the
        # rating shown beside it: its most verdict-like sentence on the same side speaks for it
        sentence, passage_id, sentence_stance = next(
            ((c[1], c[2], label) for c, label in quotable if label == stance), (sentence, passage_id, None))
    return Verdict(review, stance, rating, sentence, passage_id, sentence_stance, tuple(by_critic.items()))


# "Jo Critic: 4/5", "Sam Writer - two stars": a rating line that names whose it is.
_CRITIC_RATED = re.compile(r"^(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3})\s*(?::|\s[–—-])\s*(?P<rest>\S.*)$")


def each_critics(ratings: dict[str, Rating]) -> Rating:
    """One rating for a review whose critics rate it each: their mean, written as each gave it ("4/5 (Jo Critic) and
    2/5 (Sam Writer)"), so that two critics who disagree make a mixed review."""
    written = join([f"{rating.written} ({name})" for name, rating in ratings.items()])
    first = next(iter(ratings.values()))
    return Rating(sum(rating.value for rating in ratings.values()) / len(ratings), written, first.scale)


def as_dict(verdict: Verdict) -> dict:
    """A verdict as JSON keeps it (knowledge/loaded.py keeps each segment's verdicts between processes)."""
    return asdict(verdict)


def from_dict(data: dict) -> Verdict:
    return Verdict(**{**data, "rating": Rating(**data["rating"]) if data["rating"] else None,
                      "critics": tuple((name, Rating(**rating)) for name, rating in data.get("critics", ()))})


_LEAN = {"positive": 0.85, "mixed": 0.6, "negative": 0.35}  # where a verdict without a rating sits on a scale


def keenest_first(verdicts: list[Verdict], reverse: bool = False) -> list[Verdict]:
    """Verdicts of one stance, the keenest first (the coolest first with ``reverse``): by their rating,
    a review without one where its stance sits; ties keep the set's order."""
    lean = {v.review: v.rating.value if v.rating else _LEAN.get(v.stance, 0.6) for v in verdicts}
    return sorted(verdicts, key=lambda v: lean[v.review] if reverse else -lean[v.review])


def agreement(verdicts: list[Verdict]) -> dict[str, int]:
    """How many verdicts are positive, mixed and negative (in that order, zeros left out)."""
    counts = Counter(v.stance for v in verdicts)
    return {stance: counts[stance] for stance in ("positive", "mixed", "negative") if counts[stance]}


def _a_name_of(said: str, name: str) -> bool:
    """Whether ``said`` is ``name`` or one of its words ("Jo" of "Jo Critic", as a transcript labels its speaker)."""
    words = name.casefold().split()
    return said.casefold() in words or said.casefold() == " ".join(words)
