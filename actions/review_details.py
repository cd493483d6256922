"""Questions about the reviews themselves: who wrote them, where and when they appeared, their
titles, links, ratings and reader comments. Any action that gets such a question hands it here."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import OPINION_KINDS, in_thread, short_followup
from actions.phrasing import details_reply
from actions.replies import remember, send
from knowledge.answers import ASKS_COMMENTS, ASKS_JUDGEMENT, GIVES_RATING, unread_review_named
from knowledge.question_kinds import DETAIL_FLOOR, DETAILS, DetailReading
from knowledge.ratings import find_rating
from knowledge.review_details import ON_ONE_SCALE, details_answer
from knowledge.review_set import date_end, says_the_others


def details_reading(known, text: str) -> DetailReading | None:
    """The detail of the reviews a message asks for, or None when it asks something else: clearly nearer
    a details question than a question about the film itself; a rating question that names one of the
    film's topics ("what do the reviews say about the score?" asks about the music) is none, unless it says the
    rating was given ("what score did each critic give it?")."""
    if unread_review_named(known, text):  # "do u have the empire magazine review?": no detail of one read
        return None
    if asks_for_ratings(known, text):
        return RATINGS_ASKED
    if asks_for_ratings_on_one_scale(text):  # "put the ratings on one scale, out of 10"
        return RATINGS_ASKED
    if date_end(text) and _ASKS_WHICH.match(text) and not _ASKS_WHAT_SAID.search(text):  # "which one came out first?"
        return DetailReading("date", 1.0, 1.0)
    if _ASKS_LINK.search(text):  # "link?", "got a link to it?": nothing in a film is a link, a review has one
        return DetailReading("link", 1.0, 1.0)
    for asked, detail in ((_WHEN_PUBLISHED, "date"), (_ASKS_TITLE, "title")):  # of one review: "when was the
        # <outlet> piece published?", "what's the third review called?"
        if asked.search(text) and _one_review_meant(known, text):
            return DetailReading(detail, 1.0, 1.0)
    unnamed = known.reviews.without_names(text)
    if _ASKS_WHO.match(unnamed) and known.reviews.named_in(text):  # "who's <a critic>?": whose review it is
        return DetailReading("author", 1.0, 1.0)
    if _SPEAKS_OF.search(unnamed):  # "does the review talk about his letter-writing job?": what it says, no detail
        return None
    reading = known.question_kinds.detail(unnamed)
    if not reading.detail and _one_review_meant(known, text):  # "is there a
        # url for <the site's> list?", "which outlet ran the fifth one?": the review, clearly ahead of the film
        said = known.question_kinds.nearest_detail(known.reviews.without_names(text, nouns=True, instead=" review "))
        reading = said if said.closeness >= DETAIL_FLOOR and said.lead >= REVIEW_SAID_LEAD else reading
    if reading.detail == "ratings" and known.topics.of_question(text, None) and not _NAMES_A_RATING.search(text):
        return None  # "what do they say about the score?" is the music; "any rating or score?" is a rating
    if reading.detail == "comments" and ASKS_JUDGEMENT.search(text) and not ASKS_COMMENTS.search(text):
        return None  # "does any review complain about how the women are written?": what the reviews say
    return reading if reading.detail else None


def _one_review_meant(known, text: str) -> bool:
    """Whether the words name one review or point at one ("the third one")."""
    return bool(known.reviews.named_in(text)) or known.reviews.refers_to_one(text)


_SPEAKS_OF = re.compile(r"\b(?:talks?|talked|say|says|said|mentions?|mentioned|discuss(?:es|ed)?|brings? up|"
                        r"touch(?:es)? on|covers?|gets? into|goes into)\s+(?:about\s+|on\s+)?(?:his|her|their|the|its|"
                        r"how|what|why|whether)\b", re.IGNORECASE)
_ASKS_LINK = re.compile(r"\b(?:links?|urls?|web ?address(?:es)?|hyperlinks?)\b(?!\s+(?:between|to (?:the|his|her)))",
                        re.IGNORECASE)
_WHEN_PUBLISHED = re.compile(r"\bwhen\b[^?.!]{0,60}\b(?:published|posted|put (?:up|online)|printed|dated|"
                             r"(?:come|came) out|(?:go|went) (?:up|online)|ran|run|appear|appeared)\b",
                             re.IGNORECASE)  # of a review named: "when did the Weekly piece come out?" is its date
# "which review is the oldest?", "what's the most recent one?": a review picked out, not what it says.
_ASKS_WHICH = re.compile(r"^\W*(?:(?:so|and|ok|okay|then|but|also)\W+)?(?:which|what(?:['’]s|\s+is|\s+was)\s+the)\b",
                         re.IGNORECASE)
_ASKS_WHAT_SAID = re.compile(r"\b(?:say|says|said|think|thinks|thought|about|like|liked|feel|felt|rate|rated|rating)\b",
                             re.IGNORECASE)
_NAMES_A_RATING = re.compile(r"\b(?:ratings?|rated|stars?|grades?|graded|scores)\b", re.IGNORECASE)
_ASKS_WHO = re.compile(r"^\W*(?:and\s+|so\s+)?who(?:['’]s|\s+is|\s+was)\W*$", re.IGNORECASE)
# "whats the third review called?", "the title of Jo's piece": not "the critic called it a bore".
_ASKS_TITLE = re.compile(r"\b(?:called|titled)\W*$|\b(?:title|headline)\b|"
                         r"\bname of (?:the|that|this) (?:review|piece|article)\b", re.IGNORECASE)


RATINGS_ASKED = DetailReading("ratings", 1.0, 1.0)  # a rating given, said in so many words: no closeness to weigh
_A_QUESTION = re.compile(r"\?|^\W*(?:(?:ok|okay|so|and|but|then|hey|well|also|now)\W+){0,3}"
                         r"(?:who|whom|whose|which|what|how|did|does|do|has|have|had|was|were|is|are|can|could|"
                         r"anyone|anybody|any)\b", re.IGNORECASE)
_GAVE_IT = re.compile(r"\b(?:give|gave|given|giving|rate[sd]?)s? (?:it|her|the (?:film|movie))\b", re.IGNORECASE)


def asks_for_ratings_on_one_scale(text: str) -> bool:
    """Whether the message asks for the ratings put on one scale ("put all the ratings on one scale, like out of 10"),
    which reads as a request, not a question."""
    return bool(ON_ONE_SCALE.search(text) and _NAMES_A_RATING.search(text))


def asks_for_ratings(known, text: str) -> bool:
    """Whether the message asks for the rating a review gave the film ("what score did each critic give it?",
    "who rated it highest?"), whatever the intent classifier made of it."""
    unnamed = known.reviews.without_names(text)
    if not _A_QUESTION.search(unnamed):  # "give Her 10 out of 10": a request to herbot, not a question
        return False
    given = _GAVE_IT.search(unnamed)  # "who gave it a 9 out of 10?": a rating said after "gave it"
    return bool(GIVES_RATING.search(unnamed)) or bool(given and find_rating(unnamed[given.end():]))


# A review's name said as "review" draws any question nearer the details ("how does the review describe the
# future?" reads as a date, 0.07 ahead): such a reading must be clearly ahead ("is there a url for the review?" 0.29).
REVIEW_SAID_LEAD = 0.12
DETAIL_IN_CONTEXT = 0.25  # least closeness to a detail's questions for such a message (DETAIL_FLOOR without context)
DETAIL_IN_CONTEXT_LEAD = -0.05  # how far behind the film questions it may be ("where did it run?" reads as a place)
DETAIL_AFTER_ONE_REVIEW_LEAD = 0.05  # after an answer about one review, how far ahead of them ("got a link to it?")
DETAIL_IN_PART_LEAD = 0.0  # a part of a message joining details questions: at least as near its detail as the film


def detail_in_context(known, tracker: Tracker, text: str) -> DetailReading | None:
    """A short turn right after an answer about the reviews' details, read as another detail of them ("who wrote
    the review?", then "where did it run?", "and when was that?"), or right after an answer about one review,
    clearly nearer its details than the film ("got a link to it?"); else None."""
    if not short_followup(text):
        return None
    if tracker.get_slot("last_kind") == "details" and says_the_others(text) and \
            (last_detail := tracker.get_slot("last_aspect")) in DETAILS:  # "and the others?": the same detail of them
        return DetailReading(last_detail, 1.0, 1.0)
    last_kind, in_play = tracker.get_slot("last_kind"), tracker.get_slot("last_reviews") or []
    if last_kind == "details":
        lead = DETAIL_IN_CONTEXT_LEAD
    elif last_kind in (*OPINION_KINDS, "comments") and len(in_play) == 1:
        lead = DETAIL_AFTER_ONE_REVIEW_LEAD
    else:
        return None
    reading = known.question_kinds.nearest_detail(known.reviews.without_names(text))
    if last_kind != "details" and reading.detail not in _OF_THE_PAGE:  # "who wrote it?" may be the film's writer
        return None
    return reading if reading.closeness >= DETAIL_IN_CONTEXT and reading.lead >= lead else None


_OF_THE_PAGE = ("link", "outlet", "date", "title")  # details no question about the film asks


# Where a message joins two questions: "where was it published and when?", "what's it called, and is there a link?".
_JOINED = re.compile(r"\s*(?:,\s*)?\b(?:and|plus|also)\b\s*|\s*[,;&]\s*", re.IGNORECASE)


def details_joined(known, text: str, reading: DetailReading) -> list[DetailReading]:
    """Every detail a message asks, in its order, when it joins questions about two or more ("where was it published
    and when?"); else ``reading`` alone. Each part is read as a turn right after a details answer is (the message is
    about the reviews' details already), and the author's line names the outlet, so an outlet asked beside the author
    is said once."""
    parts = [part for part in _JOINED.split(text) if part and part.strip(" ?.!")]
    if len(parts) < 2:
        return [reading]
    asked: list[str] = []
    for part in parts:
        said = part_detail(known, part)
        if said and said not in asked:
            asked.append(said)
    if "author" in asked and "outlet" in asked:
        asked.remove("outlet")
    if len(asked) < 2:
        return [reading]
    return [reading if said == reading.detail else DetailReading(said, 1.0, 1.0) for said in asked]


def part_detail(known, part: str) -> str | None:
    """The detail one part of a details question asks ("when?", "is there a link?"), or None."""
    if _ASKS_LINK.search(part):
        return "link"
    if _ASKS_TITLE.search(part):
        return "title"
    said = known.question_kinds.nearest_detail(known.reviews.without_names(part))
    return said.detail if said.closeness >= DETAIL_IN_CONTEXT and said.lead >= DETAIL_IN_PART_LEAD else None


async def answer_details(dispatcher: CollectingDispatcher, tracker: Tracker, known, text: str,
                         reading: DetailReading) -> list:
    """Says each detail asked for, of the review meant or of every review; remembers the review in play."""
    events: list = []
    for asked in details_joined(known, text, reading):
        outcome = await in_thread(details_answer, known, text, asked, last_review=tracker.get_slot("last_review"),
                                  in_play=tuple(tracker.get_slot("last_reviews") or ()))
        answer = details_reply(outcome)
        send(dispatcher, answer)
        events += remember(answer, "details", text, asked.detail)  # the detail, for "and Jo Critic's?" next
    return events
