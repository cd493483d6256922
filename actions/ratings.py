"""Thumbs up or down on an answer, stored with the passages it used."""

from __future__ import annotations

from datetime import datetime, timezone

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionRecordRating(Action):
    """Sets ``{rating, sources, question, at}`` in the ``ratings`` slot (kept in the tracker store), one per answer.

    Reads the latest intent (rate_positive / rate_negative) and its ``rated_source`` entities,
    which name the answer a thumb belongs to (the web chat sends them); without them, "that was
    wrong" rates the last answer (``last_sources``, ``last_question``). Sources this conversation
    was never shown are refused, so a typed payload cannot rate what nobody saw.
    """

    def name(self) -> str:
        return "action_record_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        rated = list(tracker.get_latest_entity_values("rated_source"))
        if rated:
            questions = [q for sources, q in answers_shown(tracker.events) if sources == rated]
            rated, question = (rated, questions[-1]) if questions else ([], None)
        else:
            rated, question = tracker.get_slot("last_sources") or [], tracker.get_slot("last_question")
        if not rated:
            dispatcher.utter_message(response="utter_nothing_to_rate")
            return []
        positive = tracker.get_intent_of_latest_message() == "rate_positive"
        rating = {
            "rating": "up" if positive else "down",
            "sources": rated,
            "question": question,
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        thanks = "utter_rating_thanks_positive" if positive else "utter_rating_thanks_negative"
        dispatcher.utter_message(response=thanks)
        return [SlotSet("ratings", [*rated_elsewhere(tracker.get_slot("ratings") or [], rating), rating])]


def rated_elsewhere(ratings: list[dict], rating: dict) -> list[dict]:
    """The earlier ratings of other answers: one answer keeps one rating, its last (a thumb pressed twice,
    or changed from up to down, is not counted twice)."""
    return [earlier for earlier in ratings
            if (earlier.get("sources"), earlier.get("question")) != (rating["sources"], rating["question"])]


def answers_shown(events: list[dict]) -> list[tuple[list[str], str | None]]:
    """Each answer's sources with the question it answered, in order, from the ``SlotSet`` events."""
    shown, question = [], None
    for event in events:
        if event.get("event") != "slot":
            continue
        if event.get("name") == "last_question":
            question = event.get("value")
        elif event.get("name") == "last_sources" and event.get("value"):
            shown.append((event["value"], question))
    return shown
