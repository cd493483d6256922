"""Thumbs up or down on the last answer, stored with the passages it used."""

from __future__ import annotations

from datetime import datetime, timezone

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionRecordRating(Action):
    """Appends ``{rating, sources, question, at}`` to the ``ratings`` slot (kept in the tracker store).

    Reads the latest intent (rate_positive / rate_negative), ``last_sources`` and ``last_question``.
    """

    def name(self) -> str:
        return "action_record_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        sources = tracker.get_slot("last_sources")
        if not sources:
            dispatcher.utter_message(response="utter_nothing_to_rate")
            return []
        positive = tracker.get_intent_of_latest_message() == "rate_positive"
        rating = {
            "rating": "up" if positive else "down",
            "sources": sources,
            "question": tracker.get_slot("last_question"),
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        thanks = "utter_rating_thanks_positive" if positive else "utter_rating_thanks_negative"
        dispatcher.utter_message(response=thanks)
        return [SlotSet("ratings", [*(tracker.get_slot("ratings") or []), rating])]
