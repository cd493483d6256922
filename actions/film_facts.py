"""Facts about the film: director, writer, year, runtime, awards, music and more."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import about_subject, entity, in_thread, knowledge, question, short_followup
from actions.replies import remember, send
from actions.review_answers import about_the_reviews, answer_from_reviews, the_reviews_answer
from knowledge.answers import another_works_facts, unread_review_named
from knowledge.fact_answers import FACT_MATCH, UNKNOWN, clearly_asked, fact_answer, match_fact, other_film_answer


def asks_a_fact(known, text: str) -> bool:
    """Whether the film facts answer the message clearly (an entry well past the facts' own floor), whatever
    the intent classifier made of it ("who direced her?")."""
    return clearly_asked(known.facts, known.retriever, text) is not None


# "what sort of film is it and where is it set?": a second question joined by "and".
_AND_ASKS = re.compile(r"\s*(?:,\s*)?\b(?:and|&)\s+(?=(?:did|does|do|is|was|were|are|has|had|where|when|who|whom|what|"
                       r"how|which)\b)", re.IGNORECASE)


def fact_questions(known, text: str) -> list[str]:
    """The questions a message asks of the facts: each part joined by "and" when every part finds its own
    entry, else the message whole."""
    parts = [part.strip() for part in _AND_ASKS.split(text) if part.strip()]
    if len(parts) < 2:
        return [text]
    found = [match_fact(known.facts, known.retriever, part) for part in parts]
    distinct = len({match.entry for match in found}) == len(found)
    return parts if distinct and all(m.entry != UNKNOWN and m.score >= FACT_MATCH for m in found) else [text]


def fact_in_context(known, tracker: Tracker, text: str) -> str | None:
    """A short turn right after a fact answer, read with the question before it ("where did it premiere?" then
    "what date was that?"): the two together when the facts answer them, else None."""
    last = tracker.get_slot("last_question")
    if tracker.get_slot("last_kind") != "fact" or not last or not short_followup(text) or \
            unread_review_named(known, text):  # "do u have the empire magazine review?" asks no more of the fact
        return None
    together = f"{last.rstrip(' ?.!')}. {text}"
    found = match_fact(known.facts, known.retriever, together)
    return together if found.entry != UNKNOWN and found.score >= FACT_MATCH else None


class ActionAnswerFilmFact(Action):
    """Answers a question about the film itself from the sourced facts file.

    Reads the ``fact`` entity, and ``last_subject`` for "he" or "she". Sets ``last_kind``, ``last_question``
    and ``last_sources``. A message
    that names one of the reviews is about that review (its rating, its verdict), not the film's facts:
    it is answered from the reviews, and one about a review's own details ("who wrote that one?") with them.
    """

    def name(self) -> str:
        return "action_answer_film_fact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict, text: str | None = None
                  ) -> list:
        """``text``: the question to answer when it is not the message itself (a follow-up read in context)."""
        known = await knowledge()
        # "who wrote that one?", "how many stars did <a critic> give it?", "does any reviewer say so?": the reviews'
        if (events := await about_the_reviews(dispatcher, tracker, known)) is not None:
            return events
        retriever, facts = known.retriever, known.facts
        if title := await in_thread(another_works_facts, known, question(tracker)):  # "what year did <a film a review
            send(dispatcher, other_film_answer(title))  # names> come out?": not this film's year
            return []
        if text is None:
            text = about_subject(question(tracker), tracker.get_slot("last_subject"))  # "did she win anything?"
            if (await in_thread(match_fact, facts, retriever, text, fact=entity(tracker, "fact"))).entry == UNKNOWN:
                together = await in_thread(fact_in_context, known, tracker, text)  # "and when did it go wide?"
                if not together and await in_thread(the_reviews_answer, known, text):  # "who liked it the most?"
                    return await answer_from_reviews(dispatcher, tracker, "opinion", question(tracker),
                                                     entity(tracker, "aspect"), entity(tracker, "reviewer"))
                text = together or text
        parts = await in_thread(fact_questions, known, text)
        fact = entity(tracker, "fact") if len(parts) == 1 else None  # the NLU's one entity is for the whole
        for part in parts:
            answer = await in_thread(fact_answer, facts, retriever, fact, part)
            send(dispatcher, answer)
        return remember(answer, "fact", text, None)
