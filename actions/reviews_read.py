"""Which reviews herbot has read: computed from the loaded set, never a fixed list."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import knowledge, question
from actions.opinions import ActionAnswerOpinion
from actions.phrasing import review_reply
from actions.replies import send
from knowledge.answers import ReviewOutcome


class ActionListReviews(Action):
    """Says how many reviews herbot has read and names them (their author and outlet, or title). Sets nothing.

    A message about one of them ("list that review's pluses and minuses") is answered as an opinion."""

    def name(self) -> str:
        return "action_list_reviews"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        known = await knowledge()
        text = question(tracker)
        if known.reviews.named_in(text) or known.reviews.resolve(text, last=tracker.get_slot("last_review")):
            return await ActionAnswerOpinion().run(dispatcher, tracker, domain)  # "list that review's pluses"
        send(dispatcher, review_reply(ReviewOutcome("reviews_read", "reviews", len(known.reviews)), known.reviews))
        return []
