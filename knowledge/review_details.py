"""The reviews' own details: who wrote them, where and when they appeared, their titles, links,
ratings and reader comments, for one review or the whole set.

Plain results from the loaded metadata and index, no Rasa: :func:`details_answer` gives a
:class:`DetailsOutcome`; ``actions/phrasing.py`` puts it into words. Which review a question
means comes from its words (a name, a place in the set, "that one") and the conversation (the
review the last answer was about); a question about "them" or "the reviews" is about the set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.question_kinds import DetailReading
from knowledge.review_set import date_end, says_the_others

# Words that make a question about the whole set rather than the review in play.
_THE_SET = re.compile(r"\b(?:they|them|their|these|those|all|each|every|reviews|critics|reviewers|articles|pieces"
                      r"|which (?:one|review|critic)|any of)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ReviewDetails:
    """One review's details, as the metadata and the index hold them."""

    id: str
    label: str  # how an answer names it: "Jo Critic's review (The Weekly)"
    title: str
    author: str | None
    outlet: str | None
    date: str | None
    url: str | None
    rating: str | None  # as the reviewer wrote it
    rating_value: float | None  # 0..1, for ordering
    stance: str | None  # its overall verdict
    comments: int
    comment: str | None = None  # its first reader comment about the film, to quote
    comment_passage: str | None = None
    verdict: str | None = None  # the sentence that carries its verdict, to quote when it states no rating
    verdict_passage: str | None = None


@dataclass
class DetailsOutcome:
    """``detail`` asked for (author, outlet, date, title, link, ratings, comments) of ``reviews``
    (one, the set in its order, or the rest of it); ``total``: how many reviews are loaded."""

    detail: str
    reviews: list[ReviewDetails] = field(default_factory=list)
    total: int = 0
    whole_set: bool = False
    others: bool = False  # every review but the one the conversation was on ("and the others?")
    end: str | None = None  # "earliest" or "latest": the review(s) at that end of the set by date
    dated: int = 0  # how many reviews give a date, when ``end`` is asked
    on_one_scale: bool = False  # the ratings also said out of ten ("put them on one scale")
    past: bool = False  # a review asked by a place the set does not have ("the second review" of one): ``reviews``
    # are the set

    @property
    def sources(self) -> list[str]:
        quoted = [review.comment_passage for review in self.reviews if self.detail == "comments" and review.comment]
        if self.detail == "ratings" and not self.whole_set and not self.others:  # one, unrated: its verdict quoted
            quoted += [review.verdict_passage for review in self.reviews if not review.rating and review.verdict]
        return [f"review:{review.id}" for review in self.reviews] + quoted


def details_answer(knowledge, question: str, reading: DetailReading, *, last_review: str | None = None,
                   in_play: tuple[str, ...] = ()) -> DetailsOutcome:
    """The detail ``reading`` found, of the review the question means or of every review."""
    reviews = knowledge.reviews
    if says_the_others(question) and last_review in reviews.by_id and len(reviews) > 2:  # "and the others?"
        return DetailsOutcome(reading.detail or "author", [details_of(knowledge, r) for r in reviews.ids
                                                           if r != last_review], len(reviews), others=True)
    detail = reading.detail or "author"
    if reviews.points_past(question) and not reviews.named_in(question):  # "who wrote the second review?" of one
        return DetailsOutcome(detail, [details_of(knowledge, r) for r in reviews.ids], len(reviews), past=True)
    if detail == "date" and (end := date_end(question)) and not reviews.named_in(question) \
            and (ends := reviews.at_date_end(end)):  # "which one came out first?"
        return DetailsOutcome(detail, [details_of(knowledge, r) for r in ends], len(reviews), end=end,
                              dated=len(reviews.by_date))
    review = which_review(knowledge, question, last_review, in_play)
    scaled = detail == "ratings" and bool(ON_ONE_SCALE.search(question))
    order = reviews.ids
    if detail == "date" and review is None:  # the set by date, the undated after
        dated = [r for _, r in reviews.by_date]
        known_dates = set(dated)  # once, not per review
        order = dated + [r for r in reviews.ids if r not in known_dates]
    found = [details_of(knowledge, r) for r in ([review] if review else order)]
    if review is None and _LACKS.search(reviews.without_names(question)):  # "which one has no author?": those
        found = [details for details in found if not _GIVES[detail](details)] or found
    return DetailsOutcome(detail, found, len(reviews), whole_set=review is None, on_one_scale=scaled)


# "put all the ratings on one scale", "out of 10 each?", "normalised": every rating said on the same scale too
ON_ONE_SCALE = re.compile(r"\b(?:one|same|single|common|comparable) scale\b|\bnormali[sz]\w*|\bconvert\w*|"
                          r"\bout of (?:10|ten|100|a hundred)\b|\bon a scale\b", re.IGNORECASE)


# "which one doesn't have an author?", "any without a date?", "which review is missing a rating?"
_LACKS = re.compile(r"\b(?:doesn['’]?t|does not|don['’]?t|do not|didn['’]?t|did not|isn['’]?t|aren['’]?t) "
                    r"(?:have|give|name|list|carry|say|show|include|credit|dated|rated|signed)\b|\bwithout\b|"
                    r"\bno (?:author|writer|name|date|rating|score|grade|link|url|outlet|byline|comments?)\b|"
                    r"\b(?:missing|lacks?|lacking|unsigned|undated|unrated|anonymous)\b", re.IGNORECASE)
_GIVES = {"author": lambda d: bool(d.author), "outlet": lambda d: bool(d.outlet), "date": lambda d: bool(d.date),
          "link": lambda d: bool(d.url), "ratings": lambda d: bool(d.rating), "title": lambda d: bool(d.title),
          "comments": lambda d: d.comments > 0}


def which_review(knowledge, question: str, last_review: str | None, in_play: tuple[str, ...]) -> str | None:
    """The one review a details question means, or None for the set.

    Named, or pointed at ("the third review", "that one"); otherwise the review the conversation is
    on, unless the question speaks of them all ("where were they published?")."""
    reviews = knowledge.reviews
    found = reviews.resolve(question, last=last_review, in_play=in_play)
    if found:
        return found
    named = reviews.named_in(question)
    if len(named) == 1:
        return named[0]
    if len(reviews) == 1:
        return reviews.ids[0]
    if _THE_SET.search(reviews.without_names(question)):
        return None
    return last_review if last_review in reviews.by_id else None


def details_of(knowledge, review_id: str) -> ReviewDetails:
    info = knowledge.reviews[review_id]
    verdict = knowledge.verdicts.get(review_id)
    rating = verdict.rating if verdict else None
    comment = knowledge.first_comments.get(review_id)
    return ReviewDetails(review_id, info.label, info.title.strip(), info.author, info.outlet, info.date, info.url,
                         rating.written if rating else None, rating.value if rating else None,
                         verdict.stance if verdict else None, knowledge.comment_counts.get(review_id, 0),
                         knowledge.passage(comment).sentences[0] if comment else None, comment,
                         verdict.sentence if verdict else None, verdict.passage_id if verdict else None)
