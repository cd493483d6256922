"""The answer to "do you mind spoilers?", remembered for the conversation."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.review_answers import answer_from_reviews

_SPOILERS = re.compile(r"\bspoil", re.IGNORECASE)  # "no spoilers", "spoil it for me", "I don't mind spoilers"


class ActionHandleConsent(Action):
    """On yes/no: if a question waits for spoiler consent, record the answer and answer the question.

    Reads the latest intent (affirm/deny), ``pending_question``, ``last_kind``, ``last_aspect`` and
    ``pending_review`` (the reviewer the question named). Sets ``spoiler_consent`` and clears
    ``pending_question``. Without a pending
    question, a yes or no is simply acknowledged, unless it speaks of spoilers ("no spoilers please"): then
    it is recorded for the conversation.
    """

    def name(self) -> str:
        return "action_handle_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        pending = tracker.get_slot("pending_question")
        if not pending and not _SPOILERS.search((tracker.latest_message or {}).get("text") or ""):
            dispatcher.utter_message(response="utter_noted")
            return []
        consent = tracker.get_intent_of_latest_message() == "affirm"
        dispatcher.utter_message(response="utter_spoilers_ok" if consent else "utter_spoilers_avoided")
        if not pending:  # "no spoilers please, I haven't seen it": said before any question, kept for the conversation
            return [SlotSet("spoiler_consent", consent)]
        events = [SlotSet("spoiler_consent", consent), SlotSet("pending_question", None)]
        kind = tracker.get_slot("last_kind") or "opinion"
        return events + await answer_from_reviews(dispatcher, tracker, kind, pending, tracker.get_slot("last_aspect"),
                                                  tracker.get_slot("pending_review"), consent=consent)
