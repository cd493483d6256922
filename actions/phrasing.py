"""Putting what the reviews say into words: a :class:`ReviewOutcome` to a domain response.

The one place that knows the response names and how counts, lists and stances are said, for
one review or hundreds: "Two of the six reviews praise the acting … The other four don't
discuss it." The persona's wording itself stays in the domain.
"""

from __future__ import annotations

from knowledge.answers import Answer, ReviewOutcome, ReviewQuote
from knowledge.review_details import DetailsOutcome, ReviewDetails
from knowledge.review_set import ReviewSet, count_words, join, reviews_read

LIST_AT_MOST = 10  # reviews named in a list; past it, "and N more"
REVIEW_SOURCE = "review:"  # a source that is a whole review (its metadata): "review:<id>"
NAME_SILENT_AT_MOST = 3  # silent reviews named; past it, counted
DOESNT, DONT = "doesn\u2019t", "don\u2019t"
_NEAREST = {"negative": "least keen", "positive": "warmest"}  # when no review is on the side asked about
_SIDE_LEADS = {"negative": "What it holds against the film", "positive": "What it likes",
               "mixed": "For and against"}
_VERBS = {"positive": ("praises", "praise"), "negative": ("criticises", "criticise")}


def review_reply(outcome: ReviewOutcome, reviews: ReviewSet) -> Answer:
    """The response and values that say ``outcome``, with its quotes and sources for rich channels."""
    status = outcome.status
    if status == "needs_consent" and outcome.speaking and outcome.topic:  # "does anyone bring up <a film>?": who
        named = [reviews[review].label for review in outcome.speaking]     # does, before asking to quote them
        return Answer("utter_ask_spoiler_consent_about", {
            "source": join(named[:NAME_SILENT_AT_MOST]) + (" and others" if len(named) > NAME_SILENT_AT_MOST else ""),
            "verb": "brings up" if len(named) == 1 else "bring up", "topic": outcome.topic}, needs_consent=True,
            sources=[f"{REVIEW_SOURCE}{review}" for review in outcome.speaking])  # the claim rests on the reviews
    if status == "needs_consent":
        return Answer("utter_ask_spoiler_consent", needs_consent=True)
    if status == "withheld":
        return Answer("utter_spoiler_withheld")
    if status in ("silent", "off_limits"):
        return Answer("utter_reviews_silent", {"the_reviews_dont": _the_reviews_dont(outcome, reviews)},
                      suggestions=outcome.suggestions)
    if status == "reviews_read":  # the list rests on the review files themselves
        return Answer("utter_reviews_read", {"reviews_read": reviews_read(len(reviews)), "list": review_list(reviews)},
                      sources=listed_sources(reviews))
    if status == "other_film":  # a fact of another film a review names: not what the reviews say of it
        return Answer("utter_other_film", {"title": outcome.topic, "reviews_read": reviews_read(len(reviews))},
                      suggestions=outcome.suggestions)
    if status == "unread":
        return Answer("utter_review_not_read", {"name": outcome.topic, "reviews_read": reviews_read(len(reviews)),
                                                "list": review_list(reviews)}, sources=listed_sources(reviews))
    if status in ("which_review", "no_other"):
        response = "utter_which_review" if status == "which_review" else "utter_no_other_review"
        return Answer(response, {"reviews_read": reviews_read(len(reviews)), "list": review_list(reviews)},
                      sources=listed_sources(reviews))
    answer = _verdicts(outcome, reviews) if status == "verdicts" else _quoted(outcome, reviews)
    for quote in outcome.quotes:
        answer.sources.append(quote.passage_id)
        answer.quotes.append({"sentence": quote.sentence, "source": quote.source, "passage_id": quote.passage_id,
                              "spoiler": quote.spoiler, "stance": quote.stance, "rating": quote.rating})
    answer.sources = list(dict.fromkeys(answer.sources))
    answer.reviews = list(dict.fromkeys(quote.review for quote in outcome.quotes))
    on_side = outcome.counts.get(outcome.focus or "", 0)
    if status == "verdicts" and outcome.focus and outcome.quotes and (
            on_side == 1 or (on_side == 0 and outcome.focus in _NEAREST)):
        # "who disliked it?" puts the one on that side in play ("his reasons?"), or the one nearest it when none is
        # ("the least keen is …", then "did he like anything at all?")
        answer.reviews = answer.reviews[:1]
    answer.review = answer.reviews[0] if answer.reviews else None
    answer.subject = outcome.subject
    answer.suggestions = answer.suggestions or outcome.suggestions
    return answer


def _quoted(outcome: ReviewOutcome, reviews: ReviewSet) -> Answer:
    first = outcome.quotes[0]
    single = {"quote": first.sentence, "source": first.source}
    if outcome.kind == "comments":
        return Answer("utter_comment_quote", single)
    if outcome.kind == "plot":
        return Answer("utter_plot_quote", single)
    if outcome.review or outcome.total == 1:  # one review's several sentences ("the films it names") in its order
        return Answer("utter_review_quote", {**single, "quote": "” … “".join(q.sentence for q in outcome.quotes)})
    speaking, total = len(outcome.speaking), outcome.total
    values = {"topic": outcome.topic or "that", "quotes": _quotes(outcome.quotes), "total": count_words(total),
              "agreement": _agreement(outcome.quotes)}
    if speaking == total:
        values.update(all_of_them="Both" if total == 2 else f"All {count_words(total)}",
                      verb=_verb(outcome, plural=True))
        return Answer("utter_reviews_all", values)
    values.update(speaking=count_words(speaking).capitalize(), verb=_verb(outcome, plural=speaking > 1),
                  silent=_silent(outcome.silent, total - speaking, reviews))
    return Answer("utter_reviews_some", values)


def _verdicts(outcome: ReviewOutcome, reviews: ReviewSet) -> Answer:
    if outcome.review:
        quote = outcome.quotes[0] if outcome.quotes else None
        values = {"source": reviews[outcome.review].label, "stance": (quote.stance if quote else None) or "mixed",
                  "rating": f", {quote.rating}" if quote and quote.rating else "",
                  "quote": quote.sentence if quote else "", "sides": _sides(outcome)}
        return Answer("utter_review_verdict" if quote else "utter_review_no_verdict", values)
    if not outcome.quotes:  # no verdict sentence that can be quoted without giving the ending away
        return Answer("utter_reviews_verdicts_unquoted", {"summary": verdict_summary(outcome)})
    return Answer("utter_reviews_verdicts", {"summary": verdict_summary(outcome), "quotes": _quotes(outcome.quotes)})


def _sides(outcome: ReviewOutcome) -> str:
    """After one review's verdict, its sentences on the side asked about (or its strongest one)."""
    rest = outcome.quotes[1:]
    if not rest:
        return ""
    lead = _SIDE_LEADS.get(outcome.focus or "", "It also says")
    return f" {lead}: " + " ".join(f"“{q.sentence}”" for q in rest)


def verdict_summary(outcome: ReviewOutcome) -> str:
    """ "All six reviews are positive.", "Of the six reviews, four are positive, one mixed and one negative.",
    and for a question about one side ("who disliked it?") that side first: "One of the six is negative."."""
    total, counts, focus = outcome.total, outcome.counts, outcome.focus
    n = count_words(total)
    if total == 1:
        stance = next(iter(counts), "mixed")
        return f"The one review I've read is {stance}." if not focus or focus == stance else \
            f"No: the one review I've read is {stance}."
    if focus and not counts.get(focus):
        nearest = f"; the {_NEAREST[focus]} is {outcome.quotes[0].source}" \
            if outcome.quotes and focus in _NEAREST else ""
        return f"None of the {n} reviews is {focus}{nearest}. " + _counted(counts, n)
    if len(counts) == 1:
        return f"{'Both' if total == 2 else f'All {n}'} reviews are {next(iter(counts))}."
    if focus:
        count = counts[focus]
        return f"{count_words(count).capitalize()} of the {n} reviews {'is' if count == 1 else 'are'} {focus}. " \
            f"In all, {_counted(counts, n, lead=False)}"
    return _counted(counts, n)


def _counted(counts: dict[str, int], n: str, lead: bool = True) -> str:
    (stance, count), *rest = counts.items()
    parts = [f"{count_words(count)} {'is' if count == 1 else 'are'} {stance}",
             *(f"{count_words(c)} {s}" for s, c in rest)]
    return (f"Of the {n} reviews, " if lead else "") + join(parts) + "."


def _quotes(quotes: list[ReviewQuote]) -> str:
    return " ".join(f"{q.source}{', ' + q.rating if q.rating else ''}: “{q.sentence}”" for q in quotes)


def _agreement(quotes: list[ReviewQuote]) -> str:
    """", and they agree" when every quoted stance is the same, ", but they differ" when they are not."""
    judged = {q.stance for q in quotes if q.stance and q.stance != "neutral"}
    if len(quotes) < 2 or not judged:
        return ""
    return ", and they agree" if len(judged) == 1 and all(q.stance in judged for q in quotes) else ", but they differ"


def _verb(outcome: ReviewOutcome, plural: bool) -> str:
    stances = {q.stance for q in outcome.quotes}
    if outcome.topic and len(stances) == 1 and (stance := next(iter(stances))) in _VERBS:
        return _VERBS[stance][plural]
    return "speak to" if plural else "speaks to"


def _silent(silent: list[str], count: int, reviews: ReviewSet) -> str:
    """The reviews that don't discuss it: named when few (and listed by the outcome), else counted."""
    if count <= 0:
        return ""
    if silent and len(silent) <= NAME_SILENT_AT_MOST:
        verb = DOESNT if len(silent) == 1 else DONT
        return f"{join(reviews[r].label for r in silent)} {verb} discuss it."
    return f"The other {count_words(count)} {DONT} discuss it."


def _the_reviews_dont(outcome: ReviewOutcome, reviews: ReviewSet) -> str:
    if outcome.review:
        return f"{reviews[outcome.review].label} {DOESNT}"
    return f"The review {DOESNT}" if outcome.total == 1 else f"The reviews {DONT}"


def listed(reviews) -> list:
    """The reviews a list names: all of them, or past ``LIST_AT_MOST`` the first ones ("and one more" is never said:
    the one is named)."""
    everyone = list(reviews)
    return everyone if len(everyone) <= LIST_AT_MOST + 1 else everyone[:LIST_AT_MOST]


def listed_sources(reviews: ReviewSet) -> list[str]:
    """The sources of a list of the reviews read: the review files themselves, as many as are named."""
    return [f"{REVIEW_SOURCE}{review.id}" for review in listed(reviews)]


def review_list(reviews: ReviewSet) -> str:
    """The reviews by name, in their order; past ``LIST_AT_MOST``, the rest counted."""
    named = [review.label for review in listed(reviews)]
    left = len(reviews) - len(named)
    return join(named) if not left else ", ".join(named) + f" and {left} more"


# --- the reviews' own details ---------------------------------------------------------------------

def details_reply(outcome: DetailsOutcome) -> Answer:
    """ "“A Quiet Future” is by Jo Critic, in The Weekly.", or one line for each review of the set."""
    if outcome.end:
        return _date_end_reply(outcome)
    if outcome.past:  # "who wrote the second review?" of one: there is none
        return Answer("utter_no_other_review", {"reviews_read": reviews_read(outcome.total),
                                                "list": review_list(outcome.reviews)},
                      sources=listed_sources(outcome.reviews))
    say = _DETAIL_LINES[outcome.detail]
    many = outcome.whole_set or outcome.others
    shown = listed(outcome.reviews) if many else outcome.reviews
    if many and outcome.detail == "ratings":
        shown = sorted(shown, key=lambda r: -(r.rating_value if r.rating_value is not None else -1))
    lines = [say(review) for review in shown]
    if outcome.on_one_scale:  # "on one scale": each rating out of ten too, as herbot orders them
        lines = [_out_of_ten(line, review) for line, review in zip(lines, shown, strict=True)]
    one = shown[0] if len(shown) == 1 and not many else None
    if outcome.detail == "ratings" and one and not one.rating and one.verdict:  # its words instead of a number
        lines[0] = lines[0].rstrip(".") + f": “{one.verdict}”"
    left = len(outcome.reviews) - len(shown)
    text = " ".join(lines) + (f" And {count_words(left)} more." if left > 0 else "")
    if outcome.whole_set:
        text = f"Of the {count_words(outcome.total)} reviews I've read: {text}"
    elif outcome.others:
        text = f"And the other {count_words(len(outcome.reviews))}: {text}"
    return Answer("utter_review_details", {"details": text}, sources=outcome.sources,
                  review=None if many else outcome.reviews[0].id,
                  reviews=[review.id for review in shown])


def _date_end_reply(outcome: DetailsOutcome) -> Answer:
    """ "The most recent of the seven reviews is Jo Critic's review (The Weekly), dated 3 March 2014." """
    first = outcome.reviews[0]
    dated = "" if outcome.dated == outcome.total else "dated "
    which = "earliest" if outcome.end == "earliest" else "most recent"
    named = join(review.label for review in outcome.reviews)
    tied = len(outcome.reviews)
    verb, dates = ("is", "dated") if tied == 1 else ("are", "both dated" if tied == 2 else "all dated")
    text = f"The {which} of the {count_words(outcome.dated)} {dated}reviews {verb} {named}, {dates} {first.date}."
    return Answer("utter_review_details", {"details": text}, sources=outcome.sources,
                  review=first.id if len(outcome.reviews) == 1 else None,
                  reviews=[review.id for review in outcome.reviews])


def _out_of_ten(line: str, review: ReviewDetails) -> str:
    """A rating line with the rating out of ten after it ("gave it B- (about 7 out of 10)."), when it has one."""
    if review.rating_value is None:
        return line
    tenths = round(review.rating_value * 10, 1)
    said = f"{tenths:g}"
    return f"{line.rstrip('.')} (about {said} out of 10)."


def _titled(review: ReviewDetails) -> str:
    return review.title if review.title[:1] in "\"“‘'" else f"“{review.title}”"


def _author_line(review: ReviewDetails) -> str:
    where = f", in {review.outlet}" if review.outlet else ""
    if review.author:
        return f"{_titled(review)} is by {review.author}{where}."
    return f"{_titled(review)} {DOESNT} name its author{where}."


def _outlet_line(review: ReviewDetails) -> str:
    if review.outlet:
        return f"{f'{review.author}’s review' if review.author else _titled(review)} appeared in {review.outlet}."
    return f"{review.label} {DOESNT} say where it was published."


def _date_line(review: ReviewDetails) -> str:
    return f"{review.label} is dated {review.date}." if review.date else f"{review.label} carries no date."


def _title_line(review: ReviewDetails) -> str:
    by = f" by {review.author}" if review.author else f" ({review.outlet})" if review.outlet else ""
    return f"{_titled(review)}{by}."


def _link_line(review: ReviewDetails) -> str:
    return f"{review.label}: {review.url}" if review.url else f"I have no link for {review.label}."


def _rating_line(review: ReviewDetails) -> str:
    if review.rating:
        return f"{review.label} gave it {review.rating}."
    verdict = f"; its verdict reads {review.stance}" if review.stance else ""
    return f"{review.label} gives no rating of its own{verdict}."


def _comments_line(review: ReviewDetails) -> str:
    if not review.comments:
        return f"{review.label} has no reader comments."
    said = f" One reads: “{review.comment}”" if review.comment else ""
    return f"{review.label} has {count_words(review.comments)} reader comment{'' if review.comments == 1 else 's'}." \
        + said


_DETAIL_LINES = {"author": _author_line, "outlet": _outlet_line, "date": _date_line, "title": _title_line,
                 "link": _link_line, "ratings": _rating_line, "comments": _comments_line}
