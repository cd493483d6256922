"""Custom actions on real trackers, the real index and the real facts (no mocks of retrieval)."""

import json
import re

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cast import ActionAnswerCast
from actions.comments import ActionAnswerComments
from actions.fallback import ActionRouteFallback
from actions.film_facts import ActionAnswerFilmFact
from actions.followup import ActionAnswerFollowup
from actions.opinions import ActionAnswerOpinion, ActionAnswerRecommendation, ActionCompareReviews
from actions.plot import ActionAnswerPlot
from actions.ratings import ActionRecordRating
from actions.reviews_read import ActionListReviews
from actions.scope import ActionCheckScope
from actions.spoilers import ActionHandleConsent
from knowledge.aspects import load_aspects

BEEZJAK, BLOG = "her-explores-love-with-an-os", "her-makes-sci-fi-heartfelt"


@pytest.fixture(autouse=True)
def _index(built_index):
    """Actions load the process-wide retriever from the session's index."""


def slots(events) -> dict:
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


async def run(action, dispatcher, tracker, domain):
    events = await action.run(dispatcher, tracker, domain)
    assert dispatcher.messages, "every action says something"
    return events


async def test_cast_by_character_uses_facts_and_a_review_line(dispatcher, tracker_for, domain):
    tracker = tracker_for("who voices the OS?", "ask_cast", {"character": "Samantha"})
    events = await run(ActionAnswerCast(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_cast_voice_role_quoted"
    assert message["actor"] == "Scarlett Johansson" and message["character"] == "Samantha"
    assert message["source"].startswith("film facts, from")
    assert "Johansson" in message["quote"]
    assert slots(events)["last_subject"] == "Scarlett Johansson as Samantha"
    assert "facts:cast:Scarlett Johansson" in slots(events)["last_sources"]


async def test_cast_unknown_person_is_not_invented(dispatcher, tracker_for, domain):
    await run(ActionAnswerCast(), dispatcher, tracker_for("is Tom Hanks in it?", "ask_cast", {"person": "Tom Hanks"}),
              domain)
    assert dispatcher.messages[0]["response"] == "utter_person_unknown"
    assert dispatcher.messages[0]["name"] == "Tom Hanks"


@pytest.mark.parametrize(("fact", "response", "value"), [
    ("director", "utter_fact_director", "Spike Jonze"),
    ("year", "utter_fact_year", "2013"),
    ("runtime", "utter_fact_runtime_minutes", "126"),
])
async def test_film_facts(dispatcher, tracker_for, domain, fact, response, value):
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for(f"what is the {fact}", "ask_film_fact", {"fact": fact}),
              domain)
    message = dispatcher.messages[0]
    assert (message["response"], message["value"]) == (response, value)
    assert "Wikipedia" in message["source"]


async def test_awards_come_from_the_facts(dispatcher, tracker_for, domain):
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for("what did it win", "ask_film_fact", {"fact": "awards"}),
              domain)
    assert "Academy Award for Best Original Screenplay" in dispatcher.messages[0]["wins"]


async def test_opinion_consults_both_reviews(dispatcher, tracker_for, domain, knowledge):
    tracker = tracker_for("what did the critics make of the relationships?", "ask_opinion", {"aspect": "relationships"})
    events = await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_reviews_all" and message["all_of_them"] == "Both"
    assert {q["passage_id"].split("/")[0] for q in message["custom"]["quotes"]} == {BEEZJAK, BLOG}
    on_it = knowledge.topics.aspects["relationships"]
    assert all(on_it.used_in(q["sentence"]) for q in message["custom"]["quotes"]), "each quote is on the aspect"
    assert all(q["sentence"] in message["quotes"] for q in message["custom"]["quotes"])
    assert all(q["stance"] in ("positive", "negative", "mixed", "neutral") for q in message["custom"]["quotes"])
    assert slots(events)["last_kind"] == "opinion"
    assert 1 <= len(message["buttons"]) <= 3
    assert not any("relationships" in b["title"] for b in message["buttons"]), "never suggest what was just asked"
    assert set(message["custom"]["rate"]) == {"up", "down"}


async def test_a_review_silent_on_the_aspect_is_not_quoted_as_if_it_spoke(dispatcher, tracker_for, domain):
    tracker = tracker_for("what did the critics think of the acting?", "ask_opinion", {"aspect": "acting"})
    await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_reviews_some", "the student review never discusses the acting"
    assert (message["speaking"], message["total"]) == ("One", "two")
    assert [q["passage_id"].split("/")[0] for q in message["custom"]["quotes"]] == [BLOG]
    assert "Beezjak" in message["silent"] and "discuss it" in message["silent"]


async def test_an_aspect_neither_review_covers_gets_no_quote(dispatcher, tracker_for, domain):
    tracker = tracker_for("did the critics like the soundtrack?", "ask_opinion", {"aspect": "music"})
    await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_reviews_silent"
    assert not dispatcher.messages[0]["custom"]["sources"]


@pytest.mark.xfail(strict=True, reason="known defect: the stance classifier (0.58 on the labelled set) reads the "
                   "student review's verdict sentences as mixed; both seed reviews are positive")
async def test_a_general_opinion_quotes_verdicts(dispatcher, tracker_for, domain):
    await run(ActionAnswerOpinion(), dispatcher, tracker_for("so what did the critics think of it?", "ask_opinion"),
              domain)
    assert dispatcher.messages[0]["response"] == "utter_reviews_verdicts"
    assert "Both reviews are positive" in dispatcher.messages[0]["summary"]
    quotes = " ".join(q["sentence"] for q in dispatcher.messages[0]["custom"]["quotes"])
    assert re.search(r"must see|heart-wrenching|haunting|magic|greatest strength", quotes), quotes


async def test_a_question_about_the_end_asks_before_it_spoils(dispatcher, tracker_for, domain):
    events = await run(ActionAnswerPlot(), dispatcher, tracker_for("do they split up in the end?", "ask_plot"), domain)
    assert dispatcher.messages[0]["response"] == "utter_ask_spoiler_consent"
    assert slots(events)["pending_question"] == "do they split up in the end?"


@pytest.mark.parametrize(("question", "response", "value"), [
    ("who produced it?", "utter_fact_producers", "Megan Ellison"),
    ("how many minutes does it run", "utter_fact_runtime_minutes", "126"),
    ("who was behind the camera as cinematographer", "utter_fact_cinematography", "Hoyte van Hoytema"),
    ("what kind of film is it, genre-wise?", "utter_fact_genre", "romantic drama"),
    ("where did it premiere?", "utter_fact_release", "New York Film Festival"),
])
async def test_facts_the_entity_missed_are_found_by_the_question_words(dispatcher, tracker_for, domain,
                                                                      question, response, value):
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for(question, "ask_film_fact"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == response and value in message["value"]
    assert message["custom"]["sources"] and message["source"].startswith("film facts, from")


async def test_an_award_asked_about_by_name(dispatcher, tracker_for, domain):
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for("was it up for Best Picture at the Oscars?",
                                                              "ask_film_fact", {"fact": "awards"}), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_fact_awards_named"
    assert "nominated for the Academy Award for Best Picture" in message["result"]
    assert "Screenplay" not in message["result"], "only the award asked about"


@pytest.mark.parametrize("question", ["how old is Joaquin Phoenix?", "what other films did Spike Jonze direct?",
                                      "what's its score on Rotten Tomatoes?", "who catered the wrap party?"])
async def test_what_the_facts_do_not_hold_is_not_answered(dispatcher, tracker_for, domain, question):
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for(question, "ask_film_fact", {"fact": "director"}
                                                              if "directed" in question else None), domain)
    assert dispatcher.messages[0]["response"] == "utter_fact_unknown"
    assert not dispatcher.messages[0]["custom"]["sources"]


async def test_a_trivia_item_answers_what_no_entry_does(dispatcher, tracker_for, domain):
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for("what's the OS that Theodore buys called?",
                                                              "ask_film_fact"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_fact_trivia" and "OS1" in message["fact"]
    assert message["custom"]["sources"] == ["facts:trivia:os1"]


@pytest.mark.parametrize(("question", "mention", "actor"), [
    ("who plays Amy's husband?", {"character": "Amy"}, "Matt Letscher"),
    ("who played Theodore's ex?", {"character": "Theodore"}, "Rooney Mara"),
    ("who is the voice of Alan Watts, Samantha's OS friend?", {"character": "Samantha"}, "Brian Cox"),
    ("who plays the woman who stands in as Samantha's body?", {"character": "Samantha"}, "Portia Doubleday"),
    ("who plays Theodore?", {"character": "Theodore"}, "Joaquin Phoenix"),
])
async def test_cast_finds_the_role_asked_about_not_just_a_name_in_the_question(dispatcher, tracker_for, domain,
                                                                              question, mention, actor):
    await run(ActionAnswerCast(), dispatcher, tracker_for(question, "ask_cast", mention), domain)
    assert dispatcher.messages[0]["actor"] == actor


@pytest.mark.parametrize(("action", "intent"), [(ActionAnswerCast, "ask_cast"),
                                              (ActionAnswerFilmFact, "ask_film_fact")])
async def test_the_star_is_the_first_billed_whichever_action_answers(dispatcher, tracker_for, domain, action, intent):
    await run(action(), dispatcher, tracker_for("who's the star?", intent), domain)
    assert dispatcher.messages[0]["response"].startswith("utter_cast_role")
    assert dispatcher.messages[0]["actor"] == "Joaquin Phoenix"


async def test_a_crew_question_the_nlu_sent_to_the_cast_action_gets_the_fact(dispatcher, tracker_for, domain):
    await run(ActionAnswerCast(), dispatcher, tracker_for("who made it, as in directed?", "ask_cast"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_fact_director" and message["value"] == "Spike Jonze"
    assert message["custom"]["sources"] == ["facts:director"]


async def test_a_related_trivia_item_follows_a_cast_answer_with_its_source(dispatcher, tracker_for, domain):
    tracker = tracker_for("who voiced Samantha while they were filming?", "ask_cast", {"character": "Samantha"})
    await run(ActionAnswerCast(), dispatcher, tracker, domain)
    answer, note = dispatcher.messages
    assert note["response"] == "utter_fact_note" and "Samantha Morton" in note["fact"]
    assert note["source"].startswith("film facts, from")
    assert "facts:trivia:samantha_morton" in answer["custom"]["sources"]


async def test_spoiler_consent_is_asked_once_and_honoured(dispatcher, tracker_for, domain):
    ask = tracker_for("how does it end?", "ask_plot", {"aspect": "ending"})
    events = await run(ActionAnswerPlot(), dispatcher, ask, domain)
    assert dispatcher.messages[0]["response"] == "utter_ask_spoiler_consent"
    pending = slots(events)
    assert pending["pending_question"] == "how does it end?"

    dispatcher.messages.clear()
    yes = tracker_for("/affirm", "affirm", **pending)
    events = await run(ActionHandleConsent(), dispatcher, yes, domain)
    assert [m["response"] for m in dispatcher.messages][0] == "utter_spoilers_ok"
    assert any(q["spoiler"] for q in dispatcher.messages[1]["custom"]["quotes"])
    assert slots(events)["spoiler_consent"] is True and slots(events)["pending_question"] is None

    dispatcher.messages.clear()
    no = tracker_for("/deny", "deny", **pending)
    await run(ActionHandleConsent(), dispatcher, no, domain)
    assert dispatcher.messages[0]["response"] == "utter_spoilers_avoided"
    assert not any(q["spoiler"] for m in dispatcher.messages[1:] for q in m.get("custom", {}).get("quotes", []))


async def test_after_consent_was_given_no_question_is_asked(dispatcher, tracker_for, domain):
    tracker = tracker_for("how does it end?", "ask_plot", {"aspect": "ending"}, spoiler_consent=True)
    await run(ActionAnswerPlot(), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] != "utter_ask_spoiler_consent"


async def test_follow_up_to_the_other_reviewer(dispatcher, tracker_for, domain):
    tracker = tracker_for("and the other critic?", "ask_followup", {"reviewer": "other"}, last_kind="opinion",
                          last_question="what did the critics make of the relationships?",
                          last_aspect="relationships", last_review=BLOG)
    events = await run(ActionAnswerFollowup(), dispatcher, tracker, domain)
    quotes = dispatcher.messages[0]["custom"]["quotes"]
    assert quotes and {q["passage_id"].split("/")[0] for q in quotes} == {BEEZJAK}
    assert slots(events)["last_review"] == BEEZJAK


async def test_the_other_reviewer_silent_on_the_point_says_so(dispatcher, tracker_for, domain):
    tracker = tracker_for("and the other critic?", "ask_followup", {"reviewer": "other"}, last_kind="opinion",
                          last_question="what did the critics think of the acting?", last_aspect="acting",
                          last_review=BLOG)
    await run(ActionAnswerFollowup(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    # the student review's only line near the acting is in its spoiler part: silence, or consent first
    assert message["response"] in ("utter_reviews_silent", "utter_ask_spoiler_consent")
    assert not message["custom"]["quotes"]


async def test_her_performance_means_the_last_person(dispatcher, tracker_for, domain):
    tracker = tracker_for("what did the critics say about her performance?", "ask_opinion",
                          last_subject="Scarlett Johansson as Samantha")
    await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    sentences = " ".join(q["sentence"] for q in dispatcher.messages[0]["custom"]["quotes"])
    assert "Johans" in sentences


async def test_a_named_reviewer_is_the_only_source(dispatcher, tracker_for, domain):
    tracker = tracker_for("what does Sam Beezjak think of it?", "ask_opinion", {"reviewer": "Sam Beezjak"})
    await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    assert {q["passage_id"].split("/")[0] for q in dispatcher.messages[0]["custom"]["quotes"]} == {BEEZJAK}
    assert "Sam Beezjak" in dispatcher.messages[0]["source"]


async def test_do_they_agree_gives_each_reviews_verdict(dispatcher, tracker_for, domain):
    await run(ActionCompareReviews(), dispatcher, tracker_for("do the two reviewers agree?", "ask_compare_reviews"),
              domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_reviews_verdicts"
    assert {q["passage_id"].split("/")[0] for q in message["custom"]["quotes"]} == {BEEZJAK, BLOG}


async def test_comments_quote_a_reader_never_the_website_complaint(dispatcher, tracker_for, domain):
    await run(ActionAnswerComments(), dispatcher, tracker_for("what did readers say?", "ask_comments"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_comment_quote"
    assert [q["passage_id"] for q in message["custom"]["quotes"]] == [f"{BLOG}/c1"]
    assert message["source"].startswith("a reader comment")


async def test_on_topic_but_not_covered_says_so(dispatcher, tracker_for, domain):
    tracker = tracker_for("what did the critics think about the popcorn prices at the premiere?", "ask_opinion")
    await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_reviews_silent"
    assert dispatcher.messages[0]["buttons"]


async def test_a_very_long_message_still_gets_an_answer(dispatcher, tracker_for, domain):
    tracker = tracker_for("what about the acting? " * 1000, "ask_opinion")
    await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"].startswith("utter_")


async def test_rating_is_stored_with_the_sources(dispatcher, tracker_for, domain):
    sources = [f"{BLOG}/p5", "facts:cast:Scarlett Johansson"]
    tracker = tracker_for("thumbs down", "rate_negative", last_sources=sources, last_question="who is Samantha?",
                          ratings=[{"rating": "up", "sources": ["x"], "question": "q", "at": "t"}])
    events = await run(ActionRecordRating(), dispatcher, tracker, domain)
    ratings = slots(events)["ratings"]
    assert len(ratings) == 2
    assert ratings[-1]["rating"] == "down" and ratings[-1]["sources"] == sources
    assert dispatcher.messages[0]["response"] == "utter_rating_thanks_negative"


def answered(question: str, sources: list[str]) -> list[dict]:
    """The SlotSet events an answer leaves in the tracker, as Rasa sends them to the action server."""
    return [SlotSet("last_question", question), SlotSet("last_sources", sources)]  # plain dicts in rasa-sdk


async def test_a_thumb_rates_the_answer_it_was_under_not_the_last_one(dispatcher, tracker_for, domain):
    first, last = [f"{BLOG}/p2"], ["facts:director"]
    history = answered("is the acting good?", first) + answered("who directed it?", last)
    tracker = tracker_for("/rate_positive", "rate_positive", {"rated_source": first}, events=history,
                          last_sources=last, last_question="who directed it?")
    rating = slots(await run(ActionRecordRating(), dispatcher, tracker, domain))["ratings"][-1]
    assert rating["rating"] == "up" and rating["sources"] == first and rating["question"] == "is the acting good?"


async def test_a_second_thumb_on_an_answer_replaces_its_first(dispatcher, tracker_for, domain):
    first, last = [f"{BLOG}/p2"], ["facts:director"]
    history = answered("is the acting good?", first) + answered("who directed it?", last)
    earlier = [{"rating": "up", "sources": first, "question": "is the acting good?", "at": "t1"},
               {"rating": "up", "sources": last, "question": "who directed it?", "at": "t2"}]
    tracker = tracker_for("/rate_negative", "rate_negative", {"rated_source": first}, events=history,
                          ratings=earlier)
    ratings = slots(await run(ActionRecordRating(), dispatcher, tracker, domain))["ratings"]
    assert [(rating["question"], rating["rating"]) for rating in ratings] == [("who directed it?", "up"),
                                                                             ("is the acting good?", "down")]


async def test_a_thumb_for_sources_never_shown_is_refused(dispatcher, tracker_for, domain):
    history = answered("who directed it?", ["facts:director"])
    tracker = tracker_for("/rate_negative", "rate_negative", {"rated_source": [f"{BEEZJAK}/p1"]}, events=history,
                          last_sources=["facts:director"])
    assert await run(ActionRecordRating(), dispatcher, tracker, domain) == []
    assert dispatcher.messages[0]["response"] == "utter_nothing_to_rate"


async def test_nothing_to_rate_yet(dispatcher, tracker_for, domain):
    events = await run(ActionRecordRating(), dispatcher, tracker_for("thumbs up", "rate_positive"), domain)
    assert events == [] and dispatcher.messages[0]["response"] == "utter_nothing_to_rate"


def test_slot_events_are_plain_rasa_events():
    assert SlotSet("x", 1) == {"event": "slot", "timestamp": None, "name": "x", "value": 1}


async def test_a_misread_entity_does_not_replace_the_person_talked_about(dispatcher, tracker_for, domain):
    """The entity extractor once tagged "his performance" as a character; the subject must survive."""
    tracker = tracker_for("what did the critics say about his performance?", "ask_opinion",
                          {"character": "his performance"}, last_subject="Joaquin Phoenix as Theodore Twombly")
    await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] in ("utter_reviews_all", "utter_reviews_some")
    assert all("Phoenix" in q["sentence"] for q in message["custom"]["quotes"])


async def test_opinions_come_from_reviews_not_reader_comments(dispatcher, tracker_for, domain):
    tracker = tracker_for("is it worth watching?", "ask_recommendation")
    await run(ActionAnswerRecommendation(), dispatcher, tracker, domain)
    assert all("/p" in q["passage_id"] for q in dispatcher.messages[0]["custom"]["quotes"])


async def test_an_unsure_intent_is_answered_from_the_aspect_it_names(dispatcher, tracker_for, domain):
    tracker = tracker_for("anything from either critic on the soundtrack?", "nlu_fallback", {"aspect": "music"})
    await run(ActionRouteFallback(), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_reviews_silent"


@pytest.mark.parametrize("text", ["according to the reviews, what is the movie's biggest strength?",
                                  "and how was phoenix, according to her?"])
async def test_an_unsure_intent_that_asks_what_the_reviews_say_is_answered_from_them(dispatcher, tracker_for,
                                                                                    domain, text):
    await run(ActionRouteFallback(), dispatcher, tracker_for(text, "nlu_fallback"), domain)
    assert dispatcher.messages[0]["response"] != "utter_clarify" and dispatcher.messages[0]["custom"]["quotes"]


@pytest.mark.parametrize(("text", "response"), [("when did it go wide in the US", "utter_fact_release"),
                                              ("who was the DP on it", "utter_fact_cinematography"),
                                              ("how much money did they spend making it", "utter_fact_budget")])
async def test_an_unsure_intent_worded_like_a_fact_question_gets_the_fact(dispatcher, tracker_for, domain, text,
                                                                          response):
    await run(ActionRouteFallback(), dispatcher, tracker_for(text, "nlu_fallback"), domain)
    assert dispatcher.messages[0]["response"] == response


async def test_an_unsure_intent_about_the_reviews_but_nothing_in_them_is_not_answered(dispatcher, tracker_for,
                                                                                      domain):
    tracker = tracker_for("do the critics say what the weather will be tomorrow?", "nlu_fallback")
    await run(ActionRouteFallback(), dispatcher, tracker, domain)
    assert not dispatcher.messages[0].get("custom", {}).get("quotes")


async def test_an_unsure_intent_with_nothing_recognised_asks_to_rephrase(dispatcher, tracker_for, domain):
    events = await run(ActionRouteFallback(), dispatcher, tracker_for("blorp the wibble", "nlu_fallback"), domain)
    assert dispatcher.messages[0]["response"] == "utter_clarify" and events == []


async def test_a_misspelt_aspect_still_quotes_what_the_reviews_say_on_it(dispatcher, tracker_for, domain):
    await run(ActionAnswerOpinion(), dispatcher, tracker_for("wat did teh critics thnk of the actng", "ask_opinion"),
              domain)
    quotes = dispatcher.messages[0]["custom"]["quotes"]
    assert quotes and all(re.search(r"perform|acting|played|voiced|convey", q["sentence"]) for q in quotes)


@pytest.mark.parametrize("question", ["how is Theodore reacting to it?", "is he spending his nights alone?",
                                      "did the critics like the scenes?"])
def test_words_near_an_aspect_name_are_not_taken_for_a_typo_of_it(question, knowledge):
    assert knowledge.topics.of_question(question, None) is None


@pytest.mark.parametrize(("question", "actor"), [("who plays the lead, Theodor Twombley?", "Joaquin Phoenix"),
                                                 ("what part does chris prat have", "Chris Pratt")])
async def test_a_misspelt_name_still_finds_the_role(dispatcher, tracker_for, domain, question, actor):
    await run(ActionAnswerCast(), dispatcher, tracker_for(question, "ask_cast"), domain)
    assert dispatcher.messages[0]["actor"] == actor


async def test_an_aspect_only_spoilers_cover_asks_for_consent(dispatcher, tracker_for, domain):
    tracker = tracker_for("do the reviews compare it with other films?", "ask_opinion", {"aspect": "comparisons"})
    await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_ask_spoiler_consent_about", message  # which review names which films
    assert message["source"] and "(" in message["topic"] and not message["custom"]["quotes"]


async def test_a_person_named_without_an_entity_is_the_subject(dispatcher, tracker_for, domain):
    tracker = tracker_for("how was Scarlett Johansson's voice work received?", "ask_opinion", {"aspect": "acting"})
    await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    quotes = dispatcher.messages[0]["custom"]["quotes"]
    assert quotes and all("Johans" in q["sentence"] for q in quotes), "reviews misspell her name: the stem counts"


@pytest.mark.parametrize(("question", "response", "expected"), [
    ("was Joaquin Phoenix nominated for a Golden Globe for this?", "utter_fact_awards_named",
     "Golden Globe Award for Best Actor"),
    ("did Amy Adams win an Oscar for it?", "utter_fact_awards_none", "Amy Adams"),
])
async def test_awards_of_a_person_are_theirs_only(dispatcher, tracker_for, domain, question, response, expected):
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for(question, "ask_film_fact", {"fact": "awards"}), domain)
    message = dispatcher.messages[0]
    assert message["response"] == response
    assert expected in (message.get("result") or message.get("name"))


async def test_a_plot_question_not_about_the_end_is_answered_without_spoilers(dispatcher, tracker_for, domain):
    await run(ActionAnswerPlot(), dispatcher, tracker_for("what is the film's premise?", "ask_plot"), domain)
    message = dispatcher.messages[0]
    assert message["response"] != "utter_ask_spoiler_consent"
    assert not any(q["spoiler"] for q in message["custom"]["quotes"])


@pytest.mark.parametrize(("action", "question", "intent"), [
    (ActionAnswerFilmFact, "who was the director of the movie Gravity?", "ask_film_fact"),
    (ActionAnswerCast, "who starred in Lost in Translation, the cast of Lost in Translation?", "ask_cast"),
    (ActionAnswerPlot, "what happens at the end of Titanic?", "ask_plot"),
    (ActionAnswerPlot, "how does Blade Runner end?", "ask_plot"),
    (ActionRouteFallback, "how does Blade Runner end?", "nlu_fallback"),
    (ActionAnswerPlot, "what happens at the end of titanic?", "ask_plot"),  # typed in lower case
    (ActionAnswerPlot, "so how does inception end", "ask_plot"),
    (ActionAnswerPlot, "what is the plot of where the wild things are", "ask_plot"),
    (ActionAnswerFilmFact, "how long is under the skin?", "ask_film_fact"),  # not this film's runtime
    (ActionAnswerCast, "who stars in the lobster?", "ask_cast"),
])
async def test_a_question_about_another_film_is_declined(dispatcher, tracker_for, domain, action, question, intent):
    await run(action(), dispatcher, tracker_for(question, intent), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_other_film" and not message["custom"]["sources"]


@pytest.mark.parametrize(("action", "intent"), [(ActionAnswerOpinion, "ask_opinion"), (ActionAnswerPlot, "ask_plot")])
async def test_a_request_of_elsewhere_gets_no_review_quoted(dispatcher, tracker_for, domain, action, intent):
    """Whatever the intent classifier made of "where can i buy a hat like his?", no review's words answer it."""
    await run(action(), dispatcher, tracker_for("where can i buy a hat like the one he wears?", intent), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope"]


@pytest.mark.parametrize(("question", "title"), [
    ("what happens at the end of titanic?", "Titanic"), ("How does inception end", "Inception"),
    ("is inception a better movie than her?", "Inception"), ("was her better than gravity?", "Gravity"),
    ("how does it compare to lost in translation?", "Lost in Translation"),
    ("what is the plot of where the wild things are", "Where the Wild Things Are"),
    ("what's the plot of the matrix?", "The Matrix"),
    # a fact question with another film where this one would be: not this film's fact
    ("how long is under the skin?", "Under the Skin"), ("who directed the social network", "The Social Network"),
    ("when did moonlight come out?", "Moonlight"), ("what year was memento released", "Memento"),
    ("who stars in the lobster?", "The Lobster"), ("how many oscars did parasite win?", "Parasite"),
    ("where was solaris filmed", "Solaris"), ("whats the runtime of solaris", "Solaris"),
    ("how much did avatar make?", "Avatar"), ("who wrote the music for interstellar?", "Interstellar"),
    ("what is drive rated?", "Drive"), ("how long is Under the Skin?", "Under the Skin"),
    ("what is the social network about", "The Social Network"), ("what is Children of Men about?", "Children of Men")])
def test_a_film_typed_in_lower_case_is_another_film(question, title):
    from herbot.settings import get_settings
    from knowledge.facts import load_facts
    from knowledge.other_films import another_film

    assert another_film(load_facts(get_settings().facts_file), question) == title


@pytest.mark.parametrize("question", ["who directed Her?", "who plays Samantha in the movie Her?",
                                      "what happens at the end of Theodore's marriage?",
                                      "at the end of the day, is it any good?", "what happens at the end of act two?",
                                      "does theodore end up alone?", "how does it end?", "the end of time, then?",
                                      "who was the director of photography?", "was it better than expected?",
                                      "is the acting better than the script?", "is she compared to HAL from 2001?",
                                      "what's the plot of the film?", "what's the premise of the whole thing",
                                      "what is the plot of it", "whats the plot of her",
                                      "how long is the film exactly?", "how long is the movie her?",
                                      "who directed this one?", "when did it come out in the uk?",
                                      "what's the runtime?", "who wrote the screenplay?", "who composed the score?",
                                      "how long is theodore married?", "who made the os?",
                                      "did joaquin phoenix win anything?", "did she win an oscar?",
                                      "what did the film win?", "where was it filmed?", "how much did it make?",
                                      "who wrote the review?", "who wrote the second one?", "who is in the cast?",
                                      "how long is the trailer?", "when was her released?",
                                      "who directed the movie about a man who falls for his computer?",
                                      "how long is a day for samantha?", "when did you come out?",
                                      "what is the plot about", "what is love about", "what's the subplot about",
                                      "how long is the intro", "who made the interface",
                                      "whats samanthas voice about", "what is theodores job about"])
def test_her_and_its_people_are_not_another_film(question):
    from herbot.settings import get_settings
    from knowledge.facts import load_facts
    from knowledge.other_films import another_film

    assert another_film(load_facts(get_settings().facts_file), question) is None


async def test_another_film_a_review_names_is_a_comparison_not_declined(dispatcher, tracker_for, domain, knowledge):
    from knowledge.answers import named_by_a_review

    assert named_by_a_review(knowledge, "Good Will Hunting") and not named_by_a_review(knowledge, "Titanic")
    tracker = tracker_for("does any review bring up the film Good Will Hunting?", "ask_opinion")
    await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] != "utter_other_film"
    if message["response"] == "utter_ask_spoiler_consent_about":  # only a passage giving the ending away names it:
        assert message["topic"] == "Good Will Hunting" and message["source"]  # which review, before asking
        assert message["custom"]["sources"] and all(s.startswith("review:") for s in message["custom"]["sources"])
    else:
        assert any("Good Will Hunting" in q["sentence"] for q in message["custom"]["quotes"])


async def test_she_after_one_reviews_verdict_is_that_critic(dispatcher, tracker_for, domain, knowledge):
    review = knowledge.reviews.ids[0]
    tracker = tracker_for("did she have any complaints?", "ask_opinion", last_kind="opinion", last_review=review,
                          last_reviews=[review], last_subject="Scarlett Johansson as Samantha")
    await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] in ("utter_review_verdict", "utter_review_no_verdict"), message["response"]
    assert {q["passage_id"].split("/")[0] for q in message["custom"]["quotes"]} <= {review}
    dispatcher.messages.clear()
    tracker = tracker_for("did she have any complaints?", "ask_opinion", last_kind="cast",
                          last_subject="Scarlett Johansson as Samantha")
    await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] not in ("utter_review_verdict", "utter_review_no_verdict")



@pytest.mark.parametrize("text", ["why?", "what were their reasons", "any complaints in it though?",
                                  "what were her reasons?"])
async def test_why_after_one_reviews_verdict_asks_that_critic(dispatcher, tracker_for, domain, knowledge, text):
    """After an answer about one review ("did anyone dislike it?": one did), a bare "why?", a "they" or a side that
    asks nothing else ("any complaints in it though?") is that critic's, not the set's verdicts again."""
    from actions.followup import ActionAnswerFollowup

    review = knowledge.reviews.ids[1]
    tracker = tracker_for(text, "ask_followup", last_kind="opinion", last_review=review, last_reviews=[review],
                          last_question="did anyone dislike it?")
    await run(ActionAnswerFollowup(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] in ("utter_review_verdict", "utter_review_no_verdict"), message["response"]
    assert {q["passage_id"].split("/")[0] for q in message["custom"]["quotes"]} == {review}
    dispatcher.messages.clear()
    for other in ("what about their relationship?", "did anyone else dislike it?"):  # a topic; the whole set
        tracker = tracker_for(other, "ask_followup", last_kind="opinion", last_review=review, last_reviews=[review],
                              last_question="did anyone dislike it?")
        await run(ActionAnswerFollowup(), dispatcher, tracker, domain)
        assert dispatcher.messages[-1]["response"] not in ("utter_review_verdict", "utter_review_no_verdict"), other

# --- context: the reviews' own details, the person talked about, short turns after an answer ---------------

async def test_who_wrote_it_is_the_screenplay_unless_the_words_point_at_a_review(dispatcher, tracker_for, domain):
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for("who wrote the screenplay?", "ask_film_fact",
                                                              {"fact": "writer"}), domain)
    assert dispatcher.messages[0]["response"] == "utter_fact_writer"
    dispatcher.messages.clear()
    events = await run(ActionAnswerFilmFact(), dispatcher, tracker_for(
        "who wrote that review?", "ask_film_fact", {"fact": "writer"}, last_kind="opinion", last_review=BEEZJAK),
        domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_review_details" and "Sam Beezjak" in message["details"]
    assert message["custom"]["sources"] == [f"review:{BEEZJAK}"]
    assert SlotSet("last_kind", "details") in events


async def test_his_character_is_the_person_talked_about(dispatcher, tracker_for, domain):
    tracker = tracker_for("what's the name of his character", "ask_cast", {"character": "his character"},
                          last_subject="Joaquin Phoenix as Theodore Twombly")
    await run(ActionAnswerCast(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"].startswith("utter_cast_role") and message["character"] == "Theodore Twombly"


async def test_a_short_unsure_turn_after_an_answer_from_the_reviews_carries_on_with_its_topic(
        dispatcher, tracker_for, domain):
    tracker = tracker_for("why's it so weird though", "nlu_fallback", last_kind="opinion",
                          last_question="what do the reviews say about the relationship?", last_aspect="relationships")
    events = await run(ActionRouteFallback(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] != "utter_clarify" and message["custom"]["sources"], message
    assert SlotSet("last_aspect", "relationships") in events


async def test_thanks_the_nlu_missed_is_answered_as_thanks(dispatcher, tracker_for, domain):
    await run(ActionRouteFallback(), dispatcher, tracker_for("thanks so much, that was really helpful herbot",
                                                             "nlu_fallback"), domain)
    assert dispatcher.messages[0]["response"] == "utter_youre_welcome"


async def test_an_unsure_turn_with_no_conversation_and_no_evidence_is_asked_again(dispatcher, tracker_for, domain):
    await run(ActionRouteFallback(), dispatcher, tracker_for("blorp the wibble", "nlu_fallback"), domain)
    assert dispatcher.messages[0]["response"] == "utter_clarify"


async def test_a_typo_is_mended_before_the_question_is_read(dispatcher, tracker_for, domain, knowledge):
    await run(ActionCheckScope(), dispatcher, tracker_for("who direced her?", "out_of_scope"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_fact_director" and "Spike Jonze" in message["value"]
    assert knowledge.speller.correct("what's the weather like?") == "what's the weather like?"
    assert knowledge.speller.correct("waht did the critcs think") == "what did the critics think"
    # a contraction typed without its apostrophe keeps its meaning (it was mended into "doesn", losing the "not")
    assert knowledge.speller.correct("which one doesnt have an author? whats it about") == \
        "which one doesn't have an author? what's it about"
    # a word the model knows only by its stem is a word, not a typo ("bugged" was mended into "budget")
    assert knowledge.speller.correct("what bugged her, and who moaned?") == "what bugged her, and who moaned?"
    assert knowledge.speller.correct("who direced it") == "who directed it"
    # a bare "d" ends only a word whose stem ends in "e" ("moved"): "directd" is a typo, not a form of "direct"
    assert knowledge.speller.correct("who directd it?") == "who directed it?"
    assert knowledge.speller.correct("the critic moved me") == "the critic moved me"
    assert knowledge.speller.correct("how many minuts is it") == "how many minutes is it"  # no regular form of a word


async def test_an_unsure_question_that_reads_as_how_it_ends_asks_for_consent_first(dispatcher, tracker_for, domain):
    events = await run(ActionRouteFallback(), dispatcher, tracker_for("so how does it all wrap up", "nlu_fallback"),
                       domain)
    assert dispatcher.messages[0]["response"] == "utter_ask_spoiler_consent"
    assert SlotSet("pending_question", "so how does it all wrap up") in events


@pytest.mark.parametrize("question", ["too sappy?", "is it sappy or what"])
async def test_an_unsure_yes_or_no_about_what_the_film_is_like_is_answered_from_the_reviews(
        dispatcher, tracker_for, domain, question):
    # the one sentence on it lies in a passage that gives the ending away: consent first, then the quote
    await run(ActionRouteFallback(), dispatcher, tracker_for(question, "nlu_fallback"), domain)
    await run(ActionRouteFallback(), dispatcher, tracker_for(question, "nlu_fallback", spoiler_consent=True), domain)
    assert dispatcher.messages[0]["response"] == "utter_ask_spoiler_consent"
    quotes = dispatcher.messages[1]["custom"]["quotes"]
    assert any("sappiness" in quote["sentence"] for quote in quotes), dispatcher.messages[1]


async def test_an_unsure_yes_or_no_on_nothing_the_reviews_judge_is_asked_again(dispatcher, tracker_for, domain):
    await run(ActionRouteFallback(), dispatcher, tracker_for("is it on netflix", "nlu_fallback"), domain)
    assert dispatcher.messages[0]["response"] == "utter_clarify"


@pytest.mark.parametrize("question", ["who rated it highest", "what score did each critic give it?",
                                      "who gave it a 9 out of 10?"])
async def test_a_rating_question_gets_each_reviews_rating_whatever_the_intent(dispatcher, tracker_for, domain,
                                                                             question):
    from actions.scope import ActionCheckScope

    await run(ActionCheckScope(), dispatcher, tracker_for(question, "out_of_scope"), domain)
    await run(ActionAnswerOpinion(), dispatcher, tracker_for(question, "ask_opinion", {"aspect": "music"}), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_review_details"] * 2, dispatcher.messages


async def test_who_wrote_them_asks_for_the_reviewers_not_the_screenwriter(dispatcher, tracker_for, domain):
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for("ok and who wrote em", "ask_film_fact",
                                                              {"fact": "writer"}), domain)
    message = dispatcher.messages[0]
    assert message["response"] != "utter_fact_writer" and "Beezjak" in str(message), message


async def test_no_spoilers_said_before_any_question_is_kept_for_the_conversation(dispatcher, tracker_for, domain):
    events = await run(ActionHandleConsent(), dispatcher, tracker_for("pls no spoilers, haven't seen it yet", "deny"),
                       domain)
    assert dispatcher.messages[0]["response"] == "utter_spoilers_avoided"
    assert SlotSet("spoiler_consent", False) in events
    dispatcher.messages.clear()
    assert await run(ActionHandleConsent(), dispatcher, tracker_for("no", "deny"), domain) == []
    assert dispatcher.messages[0]["response"] == "utter_noted"


async def test_an_unsure_question_on_how_a_named_review_tells_the_end_asks_for_consent(dispatcher, tracker_for, domain):
    tracker = tracker_for("what does the E23 review say happens in the last half hour", "nlu_fallback",
                          {"reviewer": "the E23 review"})
    events = await run(ActionRouteFallback(), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_ask_spoiler_consent"
    assert SlotSet("pending_review", "the E23 review") in events


@pytest.mark.parametrize("intent", ["out_of_scope", "nlu_fallback", "ask_film_fact"])
async def test_a_short_turn_after_a_fact_is_read_with_the_question_before_it(dispatcher, tracker_for, domain, intent):
    from actions.scope import ActionCheckScope

    action = {"out_of_scope": ActionCheckScope(), "nlu_fallback": ActionRouteFallback(),
              "ask_film_fact": ActionAnswerFilmFact()}[intent]
    tracker = tracker_for("what date was that?", intent, last_kind="fact", last_question="where did it premiere?")
    events = await run(action, dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_fact_release" and "October 12, 2013" in message["value"], message
    assert SlotSet("last_question", "where did it premiere. what date was that?") in events
    dispatcher.messages.clear()  # with no fact before it, the same words are no fact question
    await run(action, dispatcher, tracker_for("what date was that?", intent, last_kind="opinion",
                                              last_question="what did the critics think of it?"), domain)
    assert dispatcher.messages[0]["response"] != "utter_fact_release"


async def test_a_review_not_read_asked_for_after_a_fact_is_no_more_of_the_fact(dispatcher, tracker_for, domain):
    """"do u have the evening gazette review" right after the box office was answered the box office again."""
    await run(ActionRouteFallback(), dispatcher, tracker_for("do u have the evening gazette review", "nlu_fallback",
                                                             last_kind="fact",
                                                             last_question="how much did it make at the box office?"),
              domain)
    assert dispatcher.messages[0]["response"] == "utter_review_not_read", dispatcher.messages[0]


async def test_an_award_named_in_a_few_words_is_that_award(dispatcher, tracker_for, domain):
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for("was it up for best picture too", "ask_film_fact"),
              domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_fact_awards_named" and "Best Picture" in message["result"]
    assert "Screenplay" not in message["result"]


@pytest.mark.parametrize("question", ["who won best actor at the oscars that year",
                                      "did it win best cinematography at the Academy Awards?",
                                      "who took best actress at the golden globes?"])
async def test_an_award_category_a_body_never_gave_her_is_not_another_bodys(dispatcher, tracker_for, domain, question):
    """The body named decides: the Golden Globe for Best Actor is not an answer about the Oscars."""
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for(question, "ask_film_fact"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_fact_award_not_listed", message
    body = "Golden Globe" if "globes" in question else "Academy"
    assert message["body"].startswith(body) and body in message["source"]


async def test_a_details_follow_up_keeps_the_detail_asked_before(dispatcher, tracker_for, domain):
    tracker = tracker_for("what score did Beezjak give it?", "ask_opinion")
    events = await run(ActionAnswerOpinion(), dispatcher, tracker, domain)
    assert SlotSet("last_aspect", "ratings") in events
    message = dispatcher.messages[0]  # no rating of its own: its verdict in its words, cited
    assert "no rating of its own" in message["details"] and "“" in message["details"]
    assert any(source.startswith(f"{BEEZJAK}/p") for source in message["custom"]["sources"])
    dispatcher.messages.clear()
    await run(ActionAnswerFollowup(), dispatcher, tracker_for(
        "and the blog's score?", "ask_followup", last_kind="details", last_aspect="ratings",
        last_question="and Sam Beezjak?", last_review=BEEZJAK), domain)
    assert "no rating of its own" in dispatcher.messages[0]["details"] and "Sci-Fi" in dispatcher.messages[0]["details"]


@pytest.mark.parametrize("question, title", [("whats the second review called?", "Sci-Fi Heartfelt"),
                                             ("what was Beezjak's piece titled", "explores the possibilities")])
async def test_a_title_asked_of_a_review_it_points_at_is_its_title(dispatcher, tracker_for, domain, question, title):
    await run(ActionAnswerOpinion(), dispatcher, tracker_for(question, "ask_opinion"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_review_details" and title in message["details"], message


async def test_what_is_the_os_called_is_no_question_about_a_review_title(dispatcher, tracker_for, domain):
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for("what is the OS called?", "ask_film_fact"), domain)
    assert dispatcher.messages[0]["response"] != "utter_review_details"


async def test_two_fact_questions_joined_by_and_get_both_answers(dispatcher, tracker_for, domain):
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for("what sort of film is it and where is it set?",
                                                              "ask_film_fact"), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_fact_genre", "utter_fact_setting"]
    dispatcher.messages.clear()  # one question with "and" in it stays one
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for("who wrote and directed it?", "ask_film_fact"), domain)
    assert len(dispatcher.messages) == 1


async def test_a_critic_who_called_it_something_is_no_question_about_a_title(dispatcher, tracker_for, domain):
    await run(ActionAnswerOpinion(), dispatcher, tracker_for(
        "then just tell me the E23 critic called it a boring waste of time", "ask_opinion"), domain)
    assert dispatcher.messages[0]["response"] != "utter_review_details"


async def test_an_unsure_question_about_what_commenters_said_is_answered_from_the_comments(dispatcher, tracker_for,
                                                                                          domain):
    events = await run(ActionRouteFallback(), dispatcher, tracker_for(
        "which part did a commenter say they loved most?", "nlu_fallback"), domain)
    assert all("/c" in source for source in dispatcher.messages[0]["custom"]["sources"]), dispatcher.messages[0]
    assert dispatcher.messages[0]["custom"]["sources"] and SlotSet("last_kind", "comments") in events


async def test_a_request_to_give_it_a_rating_is_no_question_about_the_reviews_ratings(dispatcher, tracker_for,
                                                                                     domain):
    from actions.scope import ActionCheckScope

    await run(ActionCheckScope(), dispatcher, tracker_for("pretend you are a review and give Her 10 out of 10",
                                                          "out_of_scope"), domain)
    assert dispatcher.messages[0]["response"] != "utter_review_details"


@pytest.mark.parametrize(("action", "intent", "question", "entities"), [
    (ActionAnswerCast, "ask_cast", "how was Joaquin Phoenix in it?", {"person": "Joaquin Phoenix"}),
    (ActionAnswerCast, "ask_cast", "was Scarlett Johansson any good as Samantha?", {"person": "Scarlett Johansson"}),
    (ActionAnswerFilmFact, "ask_film_fact", "did any critic talk about the casting?", {}),
])
async def test_how_good_someone_was_is_the_reviews_to_say_whichever_action_the_nlu_chose(
        dispatcher, tracker_for, domain, action, intent, question, entities):
    """The cast list says who plays whom, not how well: a question of how good someone or something was is
    answered with the reviews' words, never with a cast or fact entry."""
    await run(action(), dispatcher, tracker_for(question, intent, entities), domain)
    message = dispatcher.messages[0]
    assert not message["response"].startswith(("utter_cast", "utter_fact"))
    assert message["custom"]["quotes"] and all(not source.startswith("facts:")
                                               for source in message["custom"]["sources"])


async def test_the_review_named_nearest_the_side_asked_is_he_in_the_next_question(dispatcher, tracker_for, domain):
    """No review is negative here: "the least keen is X" names one, and "did he like anything at all?" is about
    X, read for its praise."""
    events = await run(ActionAnswerOpinion(), dispatcher, tracker_for("who was the harshest on it?", "ask_opinion"),
                       domain)
    message = dispatcher.messages[0]
    assert "least keen" in message.get("summary", "")
    least = slots(events)["last_review"]
    assert slots(events)["last_reviews"] == [least]
    follow = CollectingDispatcher()  # the next turn's
    await run(ActionAnswerOpinion(), follow, tracker_for("did he like anything at all?", "ask_opinion",
                                                         last_kind="opinion", last_review=least,
                                                         last_reviews=[least]), domain)
    quotes = follow.messages[0]["custom"]["quotes"]
    assert {q["passage_id"].split("/")[0] for q in quotes} == {least}
    assert any(q["stance"] == "positive" for q in quotes[1:]), "what it liked follows its verdict"


@pytest.mark.parametrize(("action", "intent", "question", "entities"), [
    (ActionAnswerCast, "ask_cast", "how many stars from Sam Beezjak?", {"reviewer": "Sam Beezjak"}),
    (ActionListReviews, "ask_reviews_read", "can you list the ratings each review gave", {}),
])
async def test_a_rating_asked_of_the_reviews_is_answered_with_the_ratings_whichever_action_the_nlu_chose(
        dispatcher, tracker_for, domain, action, intent, question, entities):
    """The ratings the reviews gave are the reviews' details: never "not something I know" from the cast list, nor
    the list of reviews without them."""
    await run(action(), dispatcher, tracker_for(question, intent, entities), domain)
    message = dispatcher.messages[0]
    assert message["response"].startswith("utter_review_detail") or "rating" in message["response"], message


async def test_a_verdict_question_the_nlu_sent_to_the_facts_is_answered_from_the_reviews(dispatcher, tracker_for,
                                                                                         domain):
    """No film fact says who liked it most: the reviews do, so the facts action does not say "not something I know"."""
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for("who liked it the most", "ask_film_fact"), domain)
    message = dispatcher.messages[0]
    assert message["response"] != "utter_fact_unknown" and message["custom"]["quotes"]


@pytest.mark.parametrize("question", ["did anyone mention the acting?", "does anyone think it's too long?"])
async def test_the_fallback_takes_a_question_of_what_the_reviewers_say_to_the_reviews(dispatcher, tracker_for, domain,
                                                                                      question):
    await run(ActionRouteFallback(), dispatcher, tracker_for(question, "nlu_fallback"), domain)
    assert dispatcher.messages[0]["response"] != "utter_clarify"


@pytest.mark.parametrize("text", ["", "   "])
async def test_a_button_payload_with_no_words_gets_the_fact_its_entity_names(dispatcher, tracker_for, domain, text):
    """"/ask_film_fact{"fact": "director"}" carries no words: the entity says what is asked, and no search of the
    reviews is tried with an empty question (it raised, and the action server's first action failed)."""
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for(text, "ask_film_fact", {"fact": "director"}), domain)
    assert dispatcher.messages[0]["response"] == "utter_fact_director"


async def test_who_wrote_the_reviews_names_every_author_not_the_list_of_reviews(dispatcher, tracker_for, domain,
                                                                               knowledge):
    """"who wrote these reviews?" asks one detail of each review: their authors, not how many there are."""
    await run(ActionListReviews(), dispatcher, tracker_for("who wrote these reviews?", "ask_reviews_read"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_review_details", message
    authors = [review.author for review in knowledge.reviews if review.author]
    assert authors and all(author in message["details"] for author in authors)


async def test_how_many_critics_write_ups_is_the_count_not_their_authors(dispatcher, tracker_for, domain):
    await run(ActionListReviews(), dispatcher, tracker_for("how many critics' write-ups have you read?",
                                                           "ask_reviews_read"), domain)
    assert dispatcher.messages[0]["response"] == "utter_reviews_read"


async def test_a_short_question_after_a_reviews_details_asks_another_of_its_details(dispatcher, tracker_for, domain,
                                                                                   knowledge):
    """"where did it run?" after "who wrote the first review?" is where the review appeared, not the film's places."""
    first = knowledge.reviews.ids[0]
    await run(ActionCheckScope(), dispatcher, tracker_for(
        "where did it run?", "out_of_scope", last_kind="details", last_review=first, last_reviews=[first],
        last_aspect="author"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_review_details" and knowledge.reviews[first].outlet in message["details"]


async def test_a_story_question_a_trivia_fact_answers_gets_the_fact_not_a_spoiler_question(dispatcher, tracker_for,
                                                                                          domain):
    """"what's the name of the OS he buys?" taken for a story question: no review says it without its ending, but a
    film fact says it outright, so the fact answers (with its source) instead of a question about spoilers."""
    await run(ActionAnswerPlot(), dispatcher, tracker_for("what's the name of the operating system he buys?",
                                                          "ask_plot"), domain)
    message = dispatcher.messages[0]
    assert message["response"] != "utter_ask_spoiler_consent"
    assert "facts:trivia:os1" in message["custom"]["sources"], "the fact answers, or rides along with a quote"


async def test_an_ending_question_is_never_answered_with_a_fact_the_words_come_near(dispatcher, tracker_for, domain):
    await run(ActionAnswerPlot(), dispatcher, tracker_for("so how does the story wrap up?", "ask_plot"), domain)
    assert dispatcher.messages[0]["response"] == "utter_ask_spoiler_consent"


async def test_where_only_an_ending_passage_says_it_a_trivia_fact_answers_a_story_question(
        dispatcher, tracker_for, domain, knowledge_of, monkeypatch):
    """Over four other reviews, the sentence naming the OS sits in a passage that gives the ending away: the film
    fact answers instead of a question about spoilers."""
    from knowledge.answers import review_answer
    from tests.support.corpora import DATA

    corpus = knowledge_of(*sorted((DATA / "blind6_reviews").glob("*.txt")))
    question = "what's the name of the operating system he buys?"
    assert review_answer(corpus, question, kind="plot", consent=None).status == "needs_consent"

    async def those_reviews():
        return corpus

    monkeypatch.setattr("actions.review_answers.knowledge", those_reviews)
    await run(ActionAnswerPlot(), dispatcher, tracker_for(question, "ask_plot"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_fact_trivia" and message["custom"]["sources"] == ["facts:trivia:os1"]


async def test_consent_said_in_the_question_itself_is_taken_and_kept(dispatcher, tracker_for, domain, knowledge):
    """"I changed my mind, spoilers are fine. does he end up with Amy?" after a "no": the ending is told and the
    consent remembered; "no spoilers please, how does it end?" keeps it from a user who had said yes."""
    events = await run(ActionAnswerPlot(), dispatcher, tracker_for(
        "actually I changed my mind, spoilers are fine. how does it end?", "ask_plot", spoiler_consent=False), domain)
    assert dispatcher.messages[0]["response"] not in ("utter_spoiler_withheld", "utter_ask_spoiler_consent")
    told = dispatcher.messages[0]["custom"]["sources"]
    assert told and all(knowledge.passage(source).spoiler for source in told), "what it asks, not its words of consent"
    assert slots(events)["spoiler_consent"] is True
    refused = CollectingDispatcher()
    events = await run(ActionAnswerPlot(), refused, tracker_for("no spoilers please, how does it end?", "ask_plot",
                                                                spoiler_consent=True), domain)
    assert refused.messages[0]["response"] in ("utter_spoiler_withheld", "utter_ask_spoiler_consent")
    assert slots(events)["spoiler_consent"] is False
    kept = CollectingDispatcher()
    await run(ActionAnswerPlot(), kept, tracker_for("no spoilers please, but does samantha stay with him?", "ask_plot"),
              domain)
    assert kept.messages[0]["response"] == "utter_spoiler_withheld", "an ending asked, after a no: kept, not skirted"


async def test_a_link_asked_right_after_one_reviews_answer_is_that_reviews_link(dispatcher, tracker_for, domain,
                                                                                  six_reviews, monkeypatch):
    review = next(r for r in six_reviews.reviews if r.url)

    async def those_reviews():
        return six_reviews

    monkeypatch.setattr("actions.scope.knowledge", those_reviews)
    await run(ActionCheckScope(), dispatcher, tracker_for("got a link to it?", "out_of_scope", last_kind="opinion",
                                                          last_review=review.id, last_reviews=[review.id]), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_review_details" and review.url in message["details"], message


async def test_and_when_was_that_after_where_a_review_ran_is_its_date(dispatcher, tracker_for, domain, six_reviews,
                                                                      monkeypatch):
    review = next(r for r in six_reviews.reviews if r.date and r.outlet)

    async def those_reviews():
        return six_reviews

    monkeypatch.setattr("actions.followup.knowledge", those_reviews)
    await run(ActionAnswerFollowup(), dispatcher, tracker_for("and when was that", "followup", last_kind="details",
                                                              last_aspect="outlet", last_review=review.id,
                                                              last_reviews=[review.id]), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_review_details" and review.date in message["details"], message


@pytest.mark.parametrize(("question", "asked"), [
    ("where was that one published, and when?", ("outlet", "date")),
    ("when did it go up? also, is there a link?", ("date", "link")),
    ("what's that one titled and have you got a url for it", ("title", "link")),
])
async def test_a_message_joining_two_details_of_a_review_gets_both(dispatcher, tracker_for, domain, six_reviews,
                                                                   monkeypatch, question, asked):
    """Two details asked in one message are both said, in the order asked, each of the review in play."""
    review = next(r for r in six_reviews.reviews if r.date and r.outlet and r.url)
    values = {"outlet": review.outlet, "date": review.date, "link": review.url, "title": review.short_title}

    async def those_reviews():
        return six_reviews

    monkeypatch.setattr("actions.review_answers.knowledge", those_reviews)
    events = await run(ActionAnswerOpinion(), dispatcher, tracker_for(question, "ask_opinion", last_kind="opinion",
                                                                       last_review=review.id, last_reviews=[review.id]),
                       domain)
    said = [message["details"] for message in dispatcher.messages]
    assert [m["response"] for m in dispatcher.messages] == ["utter_review_details"] * 2, dispatcher.messages
    assert values[asked[0]] in said[0] and values[asked[1]] in said[1], said
    assert slots(events)["last_review"] == review.id


async def test_a_detail_joined_to_a_question_about_the_film_is_one_detail(dispatcher, tracker_for, domain):
    """"who wrote that review and what did they think of it?" asks one detail; what they thought is no detail."""
    await run(ActionAnswerOpinion(), dispatcher, tracker_for("who wrote that review and what did they think of it?",
                                                             "ask_opinion", last_kind="opinion", last_review=BEEZJAK,
                                                             last_reviews=[BEEZJAK]), domain)
    assert len([m for m in dispatcher.messages if m["response"] == "utter_review_details"]) <= 1


@pytest.mark.parametrize("action", [ActionCheckScope, ActionAnswerCast, ActionAnswerFilmFact])
@pytest.mark.parametrize("question", ["what role does Tom Hanks play in Her", "is Brad Pitt in it?"])
async def test_a_person_the_facts_do_not_name_is_said_to_be_unknown_whatever_the_intent(dispatcher, tracker_for,
                                                                                        domain, question, action):
    """The intent classifier may send it anywhere and find no name in it: the name the question says decides."""
    await run(action(), dispatcher, tracker_for(question, "out_of_scope"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_person_unknown" and message["name"] in question, message


async def test_a_short_follow_up_to_a_cast_answer_the_facts_answer_is_one_more_cast_question(dispatcher, tracker_for,
                                                                                            domain, knowledge):
    """"who plays the main guy?", then "and his friend amy's husband?" taken for a story question: the facts answer
    it clearly, and the conversation is on the cast."""
    await run(ActionAnswerPlot(), dispatcher, tracker_for("and his friend amy's husband?", "ask_plot",
                                                          last_kind="cast"), domain)
    message = dispatcher.messages[0]
    husband = next(role for role in knowledge.facts.cast if "husband" in role.description)
    assert message["response"].startswith("utter_cast") and message["actor"] == husband.actor, message


async def test_the_year_of_another_film_a_review_names_is_not_this_films_year(dispatcher, tracker_for, domain,
                                                                              six_reviews, monkeypatch):
    title = next(iter(six_reviews.works.titles.values()))

    async def those_reviews():
        return six_reviews

    monkeypatch.setattr("actions.film_facts.knowledge", those_reviews)
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for(f"what year did {title.lower()} come out?",
                                                              "ask_film_fact"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_other_film" and message["title"] == title, message


@pytest.mark.parametrize(("action", "intent"), [(ActionAnswerOpinion, "ask_opinion"),
                                               (ActionCheckScope, "out_of_scope")])
async def test_who_is_a_critic_says_whose_review_it_is(dispatcher, tracker_for, domain, knowledge, action, intent):
    """"who's <a critic>?" asks who they are here: the review they wrote, whatever the intent classifier made of it."""
    review = next(review for review in knowledge.reviews if review.author)
    await run(action(), dispatcher, tracker_for(f"who's {review.author.lower()}?", intent), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_review_details", message
    assert review.author in message["details"] and review.title in message["details"]



async def test_their_point_after_one_reviews_answer_on_a_topic_asks_it_that_topic_again(dispatcher, tracker_for,
                                                                                       domain, knowledge):
    """"what's their point about it?" after one review's answer on the acting is that review on the acting again,
    not its overall verdict."""
    from actions.followup import ActionAnswerFollowup

    review = knowledge.reviews.ids[1]
    tracker = tracker_for("what's their point about it?", "ask_followup", last_kind="opinion", last_review=review,
                          last_reviews=[review], last_question="what does the blog say about the acting?",
                          last_aspect="acting")
    await run(ActionAnswerFollowup(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] not in ("utter_review_verdict", "utter_reviews_verdicts"), message["response"]
    assert {q["passage_id"].split("/")[0] for q in message["custom"]["quotes"]} == {review}


async def test_a_critic_named_after_the_ending_was_refused_is_asked_what_the_message_asks(dispatcher, tracker_for,
                                                                                        domain, knowledge):
    """"no spoilers", then "fine, then what did Sam Beezjak think?": that critic's verdict, not the refused ending
    asked again of that review (which could only be withheld)."""
    from actions.followup import ActionAnswerFollowup

    tracker = tracker_for("fine, then what did Sam Beezjak think", "ask_followup", {"reviewer": "Sam Beezjak"},
                          last_kind="plot", last_question="what happens at the very end of the film?",
                          spoiler_consent=False)
    await run(ActionAnswerFollowup(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] in ("utter_review_verdict", "utter_review_no_verdict"), message["response"]
    assert {q["passage_id"].split("/")[0] for q in message["custom"]["quotes"]} == {knowledge.reviews.ids[0]}

async def test_did_she_like_it_sent_to_the_facts_is_a_critics_verdict(dispatcher, tracker_for, domain):
    """"so did she like it overall?" judges the film ("it"): a critic's verdict, whatever the NLU made of "she"."""
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for("so did she like it overall", "ask_film_fact"), domain)
    assert dispatcher.messages[0]["response"].startswith(("utter_review_verdict", "utter_reviews_verdicts")), \
        dispatcher.messages[0]["response"]


@pytest.mark.parametrize("text", ["did anyone not mind the length?", "did anybody find it too long?",
                                  "two hours sounds long, did any critic moan about the length?"])
async def test_what_anyone_made_of_a_fact_is_asked_of_the_reviews(dispatcher, tracker_for, domain, text):
    """"did anyone not mind the length?" asks what the reviewers thought of it, not the film's running time."""
    await run(ActionAnswerFilmFact(), dispatcher, tracker_for(text, "ask_film_fact", {"fact": "runtime"}), domain)
    message = dispatcher.messages[0]
    assert message["response"] != "utter_fact_runtime" and not message["response"].startswith("utter_fact"), message


async def test_a_follow_up_that_points_at_one_review_asks_it_the_last_question(dispatcher, tracker_for, domain):
    """"and the second one?" after an answer on the acting is the second review on the acting, not its verdict."""
    await run(ActionAnswerFollowup(), dispatcher, tracker_for(
        "and the second one?", "ask_followup", last_kind="opinion", last_aspect="acting",
        last_question="what did the critics think of the acting?", last_review=BEEZJAK,
        last_reviews=[BEEZJAK, BLOG]), domain)
    message = dispatcher.messages[0]
    assert message["custom"]["sources"] and all(s.startswith(BLOG) for s in message["custom"]["sources"]), message
    assert "verdict" not in message["response"] and load_aspects()["acting"].used_in(json.dumps(message)), message


@pytest.mark.parametrize("intent", ["ask_cast", "ask_film_fact"])
async def test_a_comparison_with_other_films_is_the_reviews_not_a_cast_answer(dispatcher, tracker_for, domain, intent):
    """"does it compare her with any other movie?" asks what the reviews compare the film with, whatever the intent
    classifier made of "her"."""
    action = ActionAnswerCast if intent == "ask_cast" else ActionAnswerFilmFact
    await run(action(), dispatcher, tracker_for("does it compare her with any other movie?", intent,
                                                {"character": "Samantha"} if intent == "ask_cast" else None), domain)
    message = dispatcher.messages[0]
    assert not message["response"].startswith(("utter_cast", "utter_fact")), message
    assert all(not s.startswith("facts:") for s in message["custom"]["sources"]), message


@pytest.mark.parametrize("text", ["does the review talk about his letter writing job?",
                                  "does the review mention how he writes for other people?"])
async def test_what_a_review_talks_about_is_no_question_of_its_details(dispatcher, tracker_for, domain, text):
    """"does the review talk about his letter writing job?" asks what it says, not where or by whom it was written."""
    await run(ActionAnswerOpinion(), dispatcher, tracker_for(text, "ask_opinion"), domain)
    assert dispatcher.messages[0]["response"] != "utter_review_details", dispatcher.messages[0]


@pytest.mark.parametrize(("action", "intent"), [(ActionAnswerFilmFact, "ask_film_fact"),
                                                (ActionCheckScope, "out_of_scope"),
                                                (ActionAnswerOpinion, "ask_opinion")])
async def test_a_filmography_is_not_the_films_a_review_compares_it_with(dispatcher, tracker_for, domain, action,
                                                                       intent):
    """"which other films has Spike Jonze directed?" asks what he made, which nothing here says: no quote, no
    question about spoilers for a passage that names another film."""
    await run(action(), dispatcher, tracker_for("which other films has Spike Jonze directed?", intent), domain)
    message = dispatcher.messages[0]
    assert "spoiler" not in message["response"] and not message["custom"].get("sources"), message


@pytest.mark.parametrize(("text", "asks"), [("and how was phoenix, according to her?", True),
                                            ("according to the reviews, how does their marriage go?", True),
                                            ("according to wikipedia, who directed it?", False),
                                            ("what does it say about loneliness", True),
                                            ("does it mention the moon song", True), ("how does it end?", False),
                                            ("what did it win?", False),
                                            ("who brought up the shot on the escalator", True),
                                            ("anyone talk about the sound design", True),
                                            ("anyone know when it came out?", False)])
def test_according_to_a_critic_asks_what_the_reviews_say(text, asks):
    from knowledge.answers import ASKS_JUDGEMENT

    assert bool(ASKS_JUDGEMENT.search(text)) is asks


@pytest.mark.parametrize(("text", "said"), [("spoilers fine: how does it end?", True),
                                            ("spoilers ok, what happens to them?", True),
                                            ("spoilers are welcome", True), ("no spoilers! how does it start?", False),
                                            ("are spoilers a problem for you?", None),
                                            ("i don't care about spoilers. how does it end?", True),
                                            ("spoilers don't bother me", True)])
def test_consent_said_in_few_words(text, said):
    from actions.review_answers import consent_said

    assert consent_said(text) is said


@pytest.mark.parametrize(("text", "asked"), [
    ("no spoilers please, but does samantha stay with him?", "does samantha stay with him?"),
    ("I don't care about spoilers. How does the movie end?", "How does the movie end?"),
    ("without any spoilers, does he leave?", "does he leave?"), ("spoil it", "spoil it")])
def test_what_a_message_asks_is_its_part_that_says_nothing_of_spoilers(text, asked):
    """The part of a message that says whether spoilers are welcome goes whole, so the rest reads as a question
    alone ("please, but does she stay?" had no longer read as asking how it ends)."""
    from actions.review_answers import without_consent

    assert without_consent(text) == asked


@pytest.mark.parametrize(("text", "verdict"), [("sum up the verdict for me", True), ("what's the consensus then", True),
                                               ("so what's the bottom line?", True), ("who plays the ex-wife?", False)])
async def test_a_verdict_asked_in_so_many_words_reaches_the_verdicts(dispatcher, tracker_for, domain, text, verdict):
    """The NLU unsure of "sum up the verdict for me": the word "verdict" (or "consensus", "bottom line") asks it."""
    await run(ActionRouteFallback(), dispatcher, tracker_for(text, "nlu_fallback"), domain)
    assert (dispatcher.messages[0]["response"] in ("utter_reviews_verdicts", "utter_reviews_agreement",
                                                   "utter_review_verdict")) is verdict, dispatcher.messages[0]


@pytest.mark.parametrize(("text", "verdict"), [("who liked her the least", True), ("who rated her lowest?", True),
                                              ("what did they like about her voice", False)])
async def test_the_films_title_after_a_word_of_judging_is_the_film(dispatcher, tracker_for, domain, text, verdict):
    """The NLU unsure of "who liked her the least": the film's title as the object of "liked", "rated", is the film
    (the encoder read a woman); "her voice" stays Samantha's."""
    await run(ActionRouteFallback(), dispatcher, tracker_for(text, "nlu_fallback"), domain)
    assert (dispatcher.messages[0]["response"] in ("utter_reviews_verdicts", "utter_reviews_agreement",
                                                   "utter_review_verdict", "utter_review_details")) is verdict, \
        dispatcher.messages[0]


async def test_with_one_review_he_who_judges_is_its_critic(dispatcher, tracker_for, domain, knowledge_of, tmp_path,
                                                           monkeypatch):
    """One review loaded, the NLU unsure: "did he like the game bits?" asks what its critic thought of them."""
    path = tmp_path / "one.txt"
    path.write_text("One Review\n\nBy Jo Critic\n\nThe lead is superb, and the city is gorgeous.\n\nThe video-game "
                    "interludes feel like sketches from another film, and I lost the mood each time.\n",
                    encoding="utf-8")
    one = knowledge_of(path)

    async def that_review():
        return one

    monkeypatch.setattr("actions.fallback.knowledge", that_review)
    monkeypatch.setattr("actions.review_answers.knowledge", that_review)
    monkeypatch.setattr("actions.opinions.knowledge", that_review, raising=False)
    await run(ActionRouteFallback(), dispatcher, tracker_for("did he like the game bits", "nlu_fallback"), domain)
    assert dispatcher.messages[0]["response"] != "utter_clarify", dispatcher.messages[0]
    assert "sketches" in str(dispatcher.messages[0]["custom"]["quotes"])
    dispatcher.messages.clear()
    await run(ActionRouteFallback(), dispatcher, tracker_for("what did he love about it", "nlu_fallback"), domain)
    assert "superb" in str(dispatcher.messages[0]["custom"]["quotes"]), dispatcher.messages[0]
    dispatcher.messages.clear()  # sent to the cast list, it is still the critic's view of the lead
    monkeypatch.setattr("actions.cast.knowledge", that_review)
    await run(ActionAnswerCast(), dispatcher, tracker_for("wat does he think of the lead", "ask_cast"), domain)
    assert "superb" in str(dispatcher.messages[0]["custom"]["quotes"]), dispatcher.messages[0]


async def test_an_unsure_intent_asking_after_a_critic_not_read_says_so(dispatcher, tracker_for, domain):
    """"what did mark kermode think of her?" read as nothing in particular: still a critic herbot has not read."""
    await run(ActionRouteFallback(), dispatcher, tracker_for("what did mark kermode think of her", "nlu_fallback"),
              domain)
    assert dispatcher.messages[0]["response"] == "utter_review_not_read", dispatcher.messages
    assert dispatcher.messages[0]["name"] == "Mark Kermode"


@pytest.mark.parametrize(("question", "intent", "name"), [
    ("do u have the sight and sound magazine review", "ask_opinion", "Sight And Sound Magazine"),
    ("the daily herald gave it one star, what did they hate about it?", "ask_opinion", "Daily Herald"),
    ("have you got the evening gazette review", "ask_reviews_read", "Evening Gazette")])
async def test_a_review_asked_for_by_an_outlet_not_read_is_not_read_whatever_else_it_asks(dispatcher, tracker_for,
                                                                                          domain, question, intent,
                                                                                          name):
    """A review of an outlet herbot has not read is said to be unread, not answered with the links or the ratings
    of the reviews it has ("do u have ... review" read as asking for a link; "... gave it one star" as the ratings)."""
    action = ActionListReviews() if intent == "ask_reviews_read" else ActionAnswerOpinion()
    await run(action, dispatcher, tracker_for(question, intent), domain)
    assert dispatcher.messages[0]["response"] == "utter_review_not_read", dispatcher.messages
    assert dispatcher.messages[0]["name"] == name


async def test_the_ratings_on_one_scale_asked_as_a_request_are_answered(dispatcher, tracker_for, domain):
    """"put all the ratings on one scale for me, like out of 10" reads as a request and is often called out of scope:
    it asks the reviews' ratings all the same."""
    await run(ActionCheckScope(), dispatcher, tracker_for("put all the ratings on one scale for me, like out of 10",
                                                          "out_of_scope"), domain)
    assert dispatcher.messages[0]["response"] == "utter_review_details", dispatcher.messages


async def test_an_unsure_question_of_whether_any_of_them_found_it_so_is_asked_of_the_reviews(
        dispatcher, tracker_for, domain, six_reviews, monkeypatch):
    """"do any of them find it too slow?" the NLU is unsure of: "any of them" are the reviews, and what they found
    is their judgement, answered from them (it was asked again); "find" is no typo of a role's name ("Chat Room
    Friend"), which made the question one about that person."""
    async def those_reviews():
        return six_reviews

    monkeypatch.setattr("actions.fallback.knowledge", those_reviews)
    monkeypatch.setattr("actions.review_answers.knowledge", those_reviews)
    await run(ActionRouteFallback(), dispatcher, tracker_for("do any of them find it too slow", "nlu_fallback"), domain)
    message = dispatcher.messages[0]
    assert message["response"] != "utter_clarify", message
    assert any(source.split("/")[0] in six_reviews.reviews.by_id for source in message["custom"]["sources"]), message
