"""Which reviews herbot has read: computed from the loaded set, never a fixed list."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import knowledge
from actions.phrasing import review_reply
from actions.replies import send
from knowledge.answers import ReviewOutcome


class ActionListReviews(Action):
    """Says how many reviews herbot has read and names them (their author and outlet, or title). Sets nothing."""

    def name(self) -> str:
        return "action_list_reviews"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        known = await knowledge()
        send(dispatcher, review_reply(ReviewOutcome("reviews_read", "reviews", len(known.reviews)), known.reviews))
        return []
