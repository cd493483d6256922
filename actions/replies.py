"""Sending an Answer: its domain response, follow-up buttons, and the quotes for rich channels."""

from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from knowledge.answers import Answer


def send(dispatcher: CollectingDispatcher, answer: Answer) -> None:
    """Utter ``answer.response`` filled with its values; quotes and sources ride along as custom data."""
    buttons = [{"title": text, "payload": text} for text in answer.suggestions]
    custom = {"quotes": answer.quotes, "sources": answer.sources, "rateable": bool(answer.sources)}
    dispatcher.utter_message(response=answer.response, buttons=buttons, json_message=custom, **answer.values)


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
    return events
