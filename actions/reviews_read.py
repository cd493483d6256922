"""Which reviews herbot has read: computed from the loaded set, never a fixed list."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import knowledge, question
from actions.opinions import ActionAnswerOpinion
from actions.phrasing import review_reply
from actions.replies import send
from actions.review_details import RATINGS_ASKED, answer_details, asks_for_ratings, details_reading
from knowledge.answers import ReviewOutcome, unread_review_named

_LISTED_DETAILS = ("author", "outlet", "title", "link", "date")  # one detail of each review, not the list of names
_HOW_MANY = re.compile(r"\bhow many\b", re.IGNORECASE)  # "how many critics' write-ups?": the count, not their authors


class ActionListReviews(Action):
    """Says how many reviews herbot has read and names them (their author and outlet, or title). Sets nothing.

    A message about one of them ("list that review's pluses and minuses") is answered as an opinion."""

    def name(self) -> str:
        return "action_list_reviews"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        known = await knowledge()
        text = question(tracker)
        if asks_for_ratings(known, text):  # "can you list the ratings each review gave?"
            return await answer_details(dispatcher, tracker, known, text, RATINGS_ASKED)
        if not _HOW_MANY.search(text) and (reading := details_reading(known, text)) and \
                reading.detail in _LISTED_DETAILS:
            return await answer_details(dispatcher, tracker, known, text, reading)  # "who wrote them?", "the titles?"
        if known.reviews.named_in(text) or known.reviews.resolve(text, last=tracker.get_slot("last_review")) or \
                unread_review_named(known, text):  # "list that review's pluses", "have you got the <outlet> review?"
            return await ActionAnswerOpinion().run(dispatcher, tracker, domain)
        send(dispatcher, review_reply(ReviewOutcome("reviews_read", "reviews", len(known.reviews)), known.reviews))
        return []
