"""Sending an Answer: its domain response, follow-up buttons, and the quotes for rich channels."""

from __future__ import annotations

import json

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from knowledge.answers import Answer

RATING_INTENTS = {"up": "rate_positive", "down": "rate_negative"}


def send(dispatcher: CollectingDispatcher, answer: Answer) -> None:
    """Utter ``answer.response`` filled with its values, then its notes; quotes and sources ride along as custom data.

    The custom data also says when the reply is a spoiler warning, and, for an answer that
    rests on sources, the payloads that rate exactly this answer (the web chat's thumbs).
    """
    buttons = [{"title": text, "payload": text} for text in answer.suggestions]
    custom = {"quotes": answer.quotes, "sources": answer.sources, "rateable": bool(answer.sources),
              "spoiler_warning": answer.needs_consent}
    if answer.sources:
        custom["rate"] = {vote: rating_payload(intent, answer.sources) for vote, intent in RATING_INTENTS.items()}
    dispatcher.utter_message(response=answer.response, buttons=buttons, json_message=custom, **answer.values)
    for fact, source in answer.notes:
        dispatcher.utter_message(response="utter_fact_note", fact=fact, source=source)


def rating_payload(intent: str, sources: list[str]) -> str:
    """A Rasa payload message naming the rated answer by its sources."""
    return f"/{intent}{json.dumps({'rated_source': sources}, ensure_ascii=False)}"


def remember(answer: Answer, kind: str, question: str, aspect: str | None) -> list[SlotSet]:
    """Slots a follow-up needs: what was asked, about whom, from which review, on what sources."""
    events = [
        SlotSet("last_kind", kind),
        SlotSet("last_question", question),
        SlotSet("last_aspect", aspect),
        SlotSet("last_sources", answer.sources),
    ]
    if answer.subject:
        events.append(SlotSet("last_subject", answer.subject))
    if answer.review:
        events.append(SlotSet("last_review", answer.review))
    if answer.reviews:
        events.append(SlotSet("last_reviews", answer.reviews))
    return events
