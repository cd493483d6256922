"""Answers are a function of the loaded reviews: six reviews (the seed two and four written for the
tests), one review alone, and the seed two, on the real model and real indexes (fast: no servers).

The phrasing is checked through actions/phrasing.py, the one place that puts outcomes into words.
"""

from __future__ import annotations

import re

import pytest

from actions.phrasing import details_reply, review_reply
from knowledge.answers import resolve_review, review_answer
from knowledge.question_kinds import DetailReading
from knowledge.review_details import details_answer
from tests.support.corpora import MORE_REVIEWS

NEGATIVE, MIXED, FRONT_MATTER = "sweet-nothings-at-great-length", "pretty-sad-and-pleased-with-itself", \
    "the-voice-in-the-next-room"
TWO_ONLY = re.compile(r"\bboth\b|\bthe other review(?:er)?\b|\btwo review", re.IGNORECASE)


def say(knowledge, question, kind="opinion", consent=None, **context):
    outcome = review_answer(knowledge, question, kind=kind, consent=consent, **context)
    answer = review_reply(outcome, knowledge.reviews)
    return outcome, answer, " ".join(str(v) for v in answer.values.values())


@pytest.fixture(scope="module")
def one_review(knowledge_of):
    return knowledge_of(next(path for path in MORE_REVIEWS if path.stem == FRONT_MATTER))


def test_how_many_reviews_is_counted_from_the_set(six_reviews, one_review):
    _, answer, text = say(six_reviews, "how many reviews have you read?")
    assert answer.values["reviews_read"] == "six reviews of Her"
    assert all(review.label in text for review in six_reviews.reviews)
    assert say(one_review, "how many reviews have you read?")[1].values["reviews_read"] == "one review of Her"


def test_an_aspect_some_reviews_cover_is_counted_and_the_silent_ones_named_or_counted(six_reviews):
    outcome, answer, text = say(six_reviews, "what do the reviews say about the pacing?")
    assert outcome.status == "quoted" and 1 <= len(outcome.quotes) <= 3
    assert answer.response == "utter_reviews_some" and answer.values["total"] == "six"
    assert NEGATIVE in outcome.speaking, "the negative review is the one that dwells on the length"
    assert not TWO_ONLY.search(text), text
    assert "discuss it" in answer.values["silent"]
    assert len({quote.review for quote in outcome.quotes}) == len(outcome.quotes), "one quote per review"


def test_a_topic_only_a_new_review_covers_is_found_by_its_words(six_reviews):
    outcome, _, _ = say(six_reviews, "did anyone write about the video game Theodore plays?")
    assert outcome.status == "quoted"
    assert MIXED in outcome.speaking


def test_do_they_agree_gives_each_verdict_with_its_own_rating(six_reviews):
    outcome, answer, text = say(six_reviews, "do the reviewers agree?", kind="compare")
    assert outcome.status == "verdicts" and answer.response == "utter_reviews_verdicts"
    assert outcome.counts.get("negative") == 1, outcome.counts
    assert sum(outcome.counts.values()) == 6
    assert "two stars out of five" in text, "a rating is quoted in the reviewer's words"
    assert {quote.stance for quote in outcome.quotes} >= {"negative"}, "the most different verdicts are quoted"


def test_did_anyone_dislike_it_leads_with_the_negative_review(six_reviews):
    outcome, answer, _ = say(six_reviews, "did anyone dislike it?")
    assert outcome.focus == "negative" and outcome.quotes[0].review == NEGATIVE
    assert answer.values["summary"].startswith("One of the six reviews is negative")


def test_reviews_are_named_by_ordinal_name_and_verdict(six_reviews):
    ids = six_reviews.reviews.ids
    assert resolve_review(six_reviews, "the third review", None) == ids[2]
    assert resolve_review(six_reviews, "the last one", None) == ids[-1]
    assert resolve_review(six_reviews, "the one that didn't like it", None) == NEGATIVE
    assert resolve_review(six_reviews, "Castellanos", None) == MIXED
    assert resolve_review(six_reviews, "the other one", ids[0]) is None, "six reviews: no single other one"
    assert resolve_review(six_reviews, "the other one", ids[0], in_play=(ids[0], ids[3])) == ids[3]
    outcome, _, _ = say(six_reviews, "what did the third critic think of the music?")
    assert outcome.review == ids[2] and {quote.review for quote in outcome.quotes} == {ids[2]}


def test_a_rating_in_front_matter_is_the_reviews_verdict(six_reviews):
    outcome, answer, _ = say(six_reviews, "what rating did Ines Calloway give it?")
    assert outcome.review == FRONT_MATTER and answer.response == "utter_review_verdict"
    assert "3.5/5" in answer.values["rating"]


def test_one_review_never_speaks_of_another(one_review):
    _, answer, text = say(one_review, "what did the critics think of the acting?")
    assert answer.response == "utter_review_quote" and not TWO_ONLY.search(text)
    assert say(one_review, "and the other critic?", reviewer_mention="the other critic")[0].status == "no_other"
    for question in ("and what do the other critics say?", "and the others?"):  # no NLU entity needed
        assert say(one_review, question)[0].status == "no_other", question
    _, answer, text = say(one_review, "what did the critics think of it?")  # the one review's own verdict
    assert answer.response == "utter_review_verdict" and not TWO_ONLY.search(text)
    outcome, answer, _ = say(one_review, "what does the review say about the music?")
    assert outcome.status == "silent" and answer.values["the_reviews_dont"] == "The review doesn\u2019t"


def test_another_film_named_in_a_review_is_a_comparison(six_reviews):
    outcome, _, _ = say(six_reviews, "which other films do the critics compare it to?")
    assert outcome.status == "quoted" and NEGATIVE in outcome.speaking


def test_the_seed_reviews_are_two_and_said_so(knowledge):
    _, answer, text = say(knowledge, "what did the critics make of the relationships?", aspect="relationships")
    assert answer.response == "utter_reviews_all" and answer.values["all_of_them"] == "Both"


# --- one review's sides, on a review written after the rules (tests/data/unseen_reviews) -----------

UNSEEN = sorted((MORE_REVIEWS[0].parents[1] / "unseen_reviews").glob("*.txt"))


@pytest.fixture(scope="module")
def with_unseen(knowledge_of):
    from tests.support.corpora import SEED_REVIEWS

    return knowledge_of(*SEED_REVIEWS, *UNSEEN)


def test_what_a_named_critic_disliked_quotes_their_cons(with_unseen):
    outcome, answer, text = say(with_unseen, "what did Tomas Vell dislike about the film?")
    assert outcome.status == "verdicts" and outcome.review == "small-screen-big-feelings"
    assert outcome.focus == "negative" and "6/10" in text
    assert any(q.sentence.startswith("- ") for q in outcome.quotes[1:]), [q.sentence for q in outcome.quotes]
    assert all(q.stance == "negative" for q in outcome.quotes[1:])


def test_a_mixed_review_is_told_with_both_its_sides(with_unseen):
    outcome, _, _ = say(with_unseen, "give me the Northgate Courier's review in brief")
    assert outcome.status == "verdicts" and outcome.quotes[0].stance == "mixed"
    assert {q.stance for q in outcome.quotes[1:]} == {"positive", "negative"}


def test_a_score_asked_of_a_critic_is_their_rating_and_the_score_of_the_film_is_its_music(with_unseen):
    outcome, _, text = say(with_unseen, "what score did Tomas Vell give it?")
    assert outcome.status == "verdicts" and "6/10" in text
    outcome, _, _ = say(with_unseen, "what did the critics think of the score?")
    assert outcome.status == "quoted" and outcome.topic == "the music"


def test_a_question_about_something_no_review_covers_is_no_verdict_question(with_unseen):
    outcome, _, _ = say(with_unseen, "what did the critics think of the popcorn prices at the premiere?")
    assert outcome.status == "silent"


def test_that_review_is_the_one_the_conversation_is_on(with_unseen):
    review = "small-screen-big-feelings"
    outcome, _, _ = say(with_unseen, "what did that review dislike?", last_review=review)
    assert outcome.review == review and outcome.focus == "negative"
    outcome, answer, text = say(with_unseen, "what did that critic think?")
    assert outcome.status == "which_review" and "three reviews of Her" in text


def test_a_named_title_resolves_when_the_nlu_only_caught_the_critic(with_unseen):
    question = "in Small Screen, Big Feelings, what does the critic say about Scarlett Johansson?"
    outcome, _, _ = say(with_unseen, question, reviewer_mention="the critic", subject="Scarlett Johansson as Samantha")
    assert outcome.review == "small-screen-big-feelings" and outcome.status == "quoted"


def test_never_a_fan_asks_about_the_negative_side(six_reviews):
    outcome, _, _ = say(six_reviews, "which critic was never a fan of the film?")
    assert outcome.status == "verdicts" and outcome.focus == "negative" and outcome.quotes[0].review == NEGATIVE


def test_a_surname_typed_short_and_lower_case_names_its_review():
    from knowledge.review_set import ReviewSet

    reviews = ReviewSet.from_metadata([
        {"id": "cold", "title": "Cold Comfort", "author": "Dana Rourke", "outlet": "The Weekly Reel"},
        {"id": "warm", "title": "Warm Light", "author": "Ian Petrov", "outlet": "Film Notes"}])
    assert reviews.named_in("did rourk like the movie") == ["cold"]
    assert reviews.named_in("did petrv like it") == ["warm"]
    assert reviews.named_in("was the route to the house clear?") == []


def test_one_word_of_a_name_said_before_review_names_the_review_it_belongs_to():
    from knowledge.review_set import ReviewSet

    reviews = ReviewSet.from_metadata([
        {"id": "cold", "title": "Cold Comfort", "author": "Dana Rourke", "outlet": "The Weekly Reel"},
        {"id": "warm", "title": "Warm Light", "author": "Ian Petrov", "outlet": "The Evening Reel"},
        {"id": "grey", "title": "Grey Days", "author": "Lu Fenn", "outlet": "Kestrel Quarterly"}])
    assert reviews.resolve("what does the kestrel review say about the music?") == "grey"
    assert reviews.resolve("the weekly critic") == "cold"
    assert reviews.resolve("the reel review") is None  # two outlets hold "Reel": it names neither
    assert reviews.resolve("the third review") == "grey"  # an ordinal is no name word
    assert reviews.without_names("what does the kestrel review say about the music?").split() == \
        ["what", "does", "the", "say", "about", "the", "music?"]
    assert reviews.named_in("did kestrels nest in the city?") == []  # a name word only before a word for a review


# --- a review written after this session's rules (tests/data/later_reviews), beside the seed two ------------

LATER = sorted((MORE_REVIEWS[0].parents[1] / "later_reviews").glob("*.txt"))
QUILL = "a-voice-worth-waiting-for"


@pytest.fixture(scope="module")
def with_later(knowledge_of):
    from tests.support.corpora import SEED_REVIEWS

    return knowledge_of(*SEED_REVIEWS, *LATER)


def details(knowledge, question, last_review=None):
    from actions.phrasing import details_reply
    from knowledge.review_details import details_answer

    reading = knowledge.question_kinds.detail(knowledge.reviews.without_names(question))
    assert reading.detail, f"{question!r} reads as no question about the reviews themselves"
    answer = details_reply(details_answer(knowledge, question, reading, last_review=last_review))
    return reading.detail, answer, answer.values["details"]


def test_the_reviews_own_details_come_from_their_metadata(with_later):
    detail, answer, text = details(with_later, "who wrote that one?", last_review=QUILL)
    assert detail == "author" and "Marta Quill" in text and answer.sources == [f"review:{QUILL}"]
    assert details(with_later, "when was it published?", last_review=QUILL)[2].endswith("2014-02-02.")
    detail, answer, text = details(with_later, "where were the reviews published?")
    assert detail == "outlet" and "three reviews" in text
    assert all(outlet in text for outlet in ("The Lantern Review", "E23, a student newspaper", "a film blog"))
    detail, _, text = details(with_later, "what ratings did the reviews give?")
    assert detail == "ratings" and "7/10" in text and text.count("gives no rating of its own") == 2


def test_which_reviews_have_comments_counts_them_and_quotes_one_never_the_site_complaint(with_later):
    detail, answer, text = details(with_later, "which reviews have reader comments?")
    assert detail == "comments" and text.count("three reader comments") == 2 and "has no reader comments" in text
    assert "Great piece." in text and "reloading" not in text
    assert f"{QUILL}/c1" in answer.sources


def test_a_film_a_review_compares_it_with_is_found_by_its_title(with_later):
    outcome, answer, text = say(with_later, "does anyone compare it with annie hall?")
    assert outcome.status == "quoted" and outcome.speaking == [QUILL] and "Annie Hall" in outcome.quotes[0].sentence
    outcome, _, _ = say(with_later, "which other films does Marta Quill bring up?")
    assert outcome.review == QUILL and "Annie Hall" in outcome.quotes[0].sentence


def test_an_ending_asked_in_other_words_needs_consent_then_tells_what_happens(with_later):
    outcome, _, _ = say(with_later, "how does it all turn out for Theodore?", kind="plot")
    assert outcome.status == "needs_consent"
    outcome, _, _ = say(with_later, "how does it all turn out for Theodore?", kind="plot", consent=True)
    assert outcome.status == "quoted" and outcome.quotes[0].spoiler
    outcome, _, _ = say(with_later, "how does it all turn out for Theodore?", kind="plot", consent=False)
    assert outcome.status == "withheld"


def test_the_items_under_the_bad_are_what_the_critic_held_against_it(with_later):
    outcome, _, _ = say(with_later, "what did Marta Quill not like?")
    assert outcome.review == QUILL and outcome.focus == "negative"
    sides = [q.sentence for q in outcome.quotes[1:]]
    assert sides and all(q.stance == "negative" for q in outcome.quotes[1:]), sides
    assert all("second hour" in s or "supporting characters" in s for s in sides), sides


def test_did_the_critic_reply_quotes_the_critic_s_reply(with_later):
    outcome, _, _ = say(with_later, "did the critic reply to the readers?", kind="comments")
    assert outcome.status == "quoted" and outcome.quotes[0].passage_id == f"{QUILL}/c2"


def test_words_that_point_at_a_review_are_no_topic(six_reviews):
    outcome, _, _ = say(six_reviews, "what about the last one?", reviewer_mention="the last one")
    assert outcome.status == "verdicts" and outcome.review == six_reviews.reviews.ids[-1]
    assert six_reviews.reviews.without_names("and the third?").strip(" ?") == "and"
    assert "first thing" in six_reviews.reviews.without_names("what was the first thing he did?")


@pytest.mark.parametrize("question, side", [("what did they like?", "positive"), ("and what bugged them?", "negative"),
                                            ("what were their complaints?", "negative")])
def test_a_side_asked_of_the_reviews_in_play_quotes_each_of_them_on_that_side(six_reviews, question, side):
    in_play = (NEGATIVE, MIXED, FRONT_MATTER)
    outcome, _, _ = say(six_reviews, question, in_play=in_play)
    assert outcome.status == "quoted" and {q.review for q in outcome.quotes} <= set(in_play)
    assert len(outcome.quotes) >= 2 and all(q.stance == side for q in outcome.quotes), outcome.quotes
    outcome, _, _ = say(six_reviews, "did they like it?", in_play=in_play)  # the verdict itself
    assert outcome.status == "verdicts"


@pytest.mark.parametrize("question", ["what did people say in the comments on the Westbrook Gazette review?",
                                      "did any of Ostrowski's readers comment?"])
def test_comments_asked_in_an_opinion_question_are_the_named_reviews_comments(six_reviews, question):
    outcome, _, _ = say(six_reviews, question)
    assert outcome.kind == "comments" and outcome.status == "quoted"
    assert all(q.review == NEGATIVE and "/c" in q.passage_id for q in outcome.quotes), outcome.quotes


def test_one_reviews_verdict_is_told_in_its_words_even_when_its_closing_lines_are_spoilers(one_review):
    """Whatever the spoiler labels hold back, the verdict of a one-review set quotes a line that can be shown
    (never an empty "In their words:"), and a side it does not take is answered with a plain no."""
    outcome, answer, text = say(one_review, "so what's the critic's verdict on Her?")
    assert answer.response == "utter_review_verdict" and answer.values["quote"] and answer.sources
    assert not any(one_review.passage(source).shows_nothing for source in answer.sources)
    assert outcome.quotes and not any(quote.spoiler for quote in outcome.quotes)  # no quoted sentence gives it away
    assert "3.5/5" in text and answer.values["stance"] == "positive"
    _, answer, text = say(one_review, "did anyone dislike it?")
    assert answer.response in ("utter_reviews_verdicts_unquoted", "utter_reviews_verdicts") and "positive" in text
    assert "In their words" not in text


def test_what_readers_said_comes_from_the_readers_before_the_critics_own_replies(with_later):
    outcome, _, _ = say(with_later, "what did people say in the comments on the Lantern Review piece?")
    quoted = with_later.passage(outcome.quotes[0].passage_id)
    assert quoted.review == QUILL and quoted.section == "comment" and not quoted.commenter, quoted
    outcome, _, _ = say(with_later, "in the Lantern Review, did the critic reply to anyone?", kind="comments")
    assert with_later.passage(outcome.quotes[0].passage_id).commenter == "Marta Quill"


def test_how_a_critic_felt_about_the_closing_scenes_is_about_the_end_not_their_verdict(six_reviews):
    outcome, _, _ = say(six_reviews, "how did Ines Calloway feel about the closing scenes?")
    assert outcome.status == "needs_consent" and outcome.review == FRONT_MATTER
    outcome, _, _ = say(six_reviews, "how did Ines Calloway feel about the film?")
    assert outcome.status == "verdicts"


@pytest.mark.parametrize("question", ["do all the reviewers see eye to eye on Her?", "are the critics divided on it?"])
def test_idioms_of_agreement_ask_for_the_verdicts(six_reviews, question):
    assert say(six_reviews, question)[0].status == "verdicts"


def test_a_verdict_whose_sentences_are_all_spoilers_is_told_with_a_line_that_can_be_shown(knowledge_of, tmp_path):
    """Written for this test: the review's closing verdict paragraph is declared a spoiler, so its verdict sentence
    cannot be quoted without consent; the verdict still quotes the review, from a paragraph that can be shown."""
    from tests.support.corpora import SEED_REVIEWS

    review = tmp_path / "quiet-wires.txt"
    review.write_text("---\ntitle: Quiet Wires\nauthor: Pell Amsel\noutlet: The Dock Review\nrating: 3/5\n"
                      "spoilers: [3]\n---\n"
                      "Joaquin Phoenix gives a gentle, generous performance, and the costumes are a quiet delight.\n\n"
                      "The middle hour drags badly, and the jokes about the video game wear thin.\n\n"
                      "In the end I admired it more than I loved it: a fine, uneven film worth one viewing.\n",
                      encoding="utf-8")
    knowledge = knowledge_of(*SEED_REVIEWS, review)
    assert knowledge.verdicts["quiet-wires"].sentence is None or \
        knowledge.passage(knowledge.verdicts["quiet-wires"].passage_id).spoiler is False
    outcome, answer, text = say(knowledge, "what did Pell Amsel think of the film?")
    assert outcome.status == "verdicts" and answer.sources and "3/5" in text
    assert not any(knowledge.passage(source).spoiler for source in answer.sources)
    outcome, answer, _ = say(knowledge, "which review was mixed?")
    assert all(quote.sentence for quote in outcome.quotes) and answer.sources


def test_the_weather_in_a_city_a_review_names_is_still_out_of_scope(six_reviews):
    from knowledge.answers import strongly_answered

    assert any("Shanghai" in hit.passage.text for hit in six_reviews.retriever.search("Shanghai", top_k=5))
    assert not strongly_answered(six_reviews, "what's the weather like in Shanghai today?")


@pytest.fixture(scope="module")
def blind6(knowledge_of):
    from pathlib import Path

    folder = Path(__file__).parent / "data" / "blind6_reviews"
    return knowledge_of(*sorted(folder.glob("*.txt")))


def test_a_faint_reveal_hides_its_sentence_and_the_rest_of_its_paragraph_is_quoted(blind6):
    """A paragraph on the sound design with one clause that only sounds like an ending ("we never see her") is not
    withheld whole: a question about the sound design is answered at once, from a sentence that gives nothing away,
    while a paragraph that tells how the film ends is hidden whole and its question asks for consent first."""
    partial = [p for p in blind6.retriever.passages if p.spoiler and not p.shows_nothing]
    assert partial, "some paragraphs hide a sentence, not themselves"
    outcome, answer, text = say(blind6, "did any of the critics mention the sound design?")
    assert outcome.status == "quoted" and outcome.quotes
    assert not any(quote.spoiler for quote in outcome.quotes)
    assert "sound design" in text.casefold()
    ending = say(blind6, "so how does it end for the two of them?", kind="plot")[0]
    assert ending.status == "needs_consent"
    told = say(blind6, "so how does it end for the two of them?", kind="plot", consent=True)[0]
    assert told.quotes and blind6.passage(told.quotes[0].passage_id).shows_nothing


def test_an_ending_is_told_by_what_happens_last_in_the_reviews_words_not_by_a_twist(blind6):
    """After consent, "how does it end?" is told from the paragraph that recounts the last scenes, as the review tells
    them (its next sentences too, verbatim), not from the late twist another review gives away, nor from a line that
    only says the ending is good."""
    outcome = say(blind6, "how does it end?", kind="plot", consent=True)[0]
    quote = outcome.quotes[0]
    passage = blind6.passage(quote.passage_id)
    assert quote.sentence in passage.text and quote.sentence.count(". ") >= 1, "two sentences or more, verbatim"
    assert "leaving" in quote.sentence and "thousands" not in quote.sentence


@pytest.mark.parametrize("question", ["what did The Guardian's film critic think of Her?",
                                      "and what did the Ebert review say about the music?",
                                      "what did the new york times critic think of her?",
                                      "what did the evening courier think?",
                                      "what did the riverside picturegoer's critic make of her?",
                                      "what did mark kermode say about it", "how did Roger Ebert rate it?",
                                      "have u read manohla dargis's review of it?",
                                      "did you see pauline kael's write-up"])
def test_a_review_herbot_has_not_read_is_named_as_unread_not_answered_from_the_others(six_reviews, question):
    """A review named by a name none of the loaded ones goes by is not one herbot has read: it says so and lists what
    it has read, instead of quoting the others or asking about spoilers."""
    outcome, answer, text = say(six_reviews, question)
    assert outcome.status == "unread" and answer.response == "utter_review_not_read" and not outcome.quotes
    assert all(review.label in text for review in six_reviews.reviews)
    assert answer.sources == [f"review:{review}" for review in six_reviews.reviews.ids]  # the list says where from
    for named in ("what did the Westbrook Gazette review say about the music?",
                  "what did the westbrook gazette think?", "what did the student paper's critic think?",
                  "what did the guy's review say?", "what did most critics think of it?", "what did you think of it?",
                  "what did theodore say to amy?", "what did people make of the ending?"):
        assert say(six_reviews, named)[0].status != "unread", named


@pytest.mark.parametrize("question", ["what did Nadia say?", "so what was nadia okonjo's argument exactly"])
def test_a_reader_named_is_answered_with_that_readers_comment(blind6, question):
    """Readers are named by the comments themselves: a question naming one (first name, full name, possessive) is
    answered with that reader's comment, whichever kind of question the NLU made of it."""
    outcome, answer, _ = say(blind6, question, kind="opinion")
    assert outcome.kind == "comments" and answer.response == "utter_comment_quote"
    assert all(blind6.passage(q.passage_id).commenter == "Nadia Okonjo" for q in outcome.quotes)
    assert blind6.commenter_named("Will it make me cry?") is None and blind6.commenter_named("Grace") is None


def test_a_readers_name_that_is_also_a_word_counts_in_lower_case_as_the_one_who_said_something(blind6):
    """People type names in lower case: "what did nadia write?" names the reader, as "Nadia" would; the same word
    with nothing said after it is left alone."""
    assert blind6.commenter_named("what did nadia write?") == ("Nadia Okonjo", "club-night-her")
    assert blind6.commenter_named("what did gil think") == ("Gil Marchbanks", "club-night-her")
    assert blind6.commenter_named("nadia is a lovely name") is None and blind6.commenter_named("gil") is None


@pytest.mark.parametrize("question", ["and the other ones?", "what did the other critics think?"])
def test_the_others_after_one_review_are_the_rest_of_the_sets_verdicts(six_reviews, question):
    """After one review's verdict, "and the other ones?" is every other review's verdict, counted among themselves."""
    last = six_reviews.reviews.ids[0]
    outcome, answer, text = say(six_reviews, question, last_review=last)
    assert say(six_reviews, question, last_review=last, reviewer_mention="the other ones")[0].speaking == \
        outcome.speaking, "the same when the NLU took the words for a review's name"
    assert outcome.status == "verdicts" and outcome.total == len(six_reviews.reviews) - 1
    assert last not in outcome.speaking and len(outcome.speaking) == len(six_reviews.reviews) - 1
    assert "five reviews" in text
    again = say(six_reviews, "what did they think of it?", last_review=last, reviewer_mention="the other ones")[0]
    assert again.speaking == outcome.speaking, "the follow-up re-asks the last question of the others"


def test_a_review_is_named_by_its_title_before_the_subtitle_which_names_no_topic(knowledge_of, tmp_path_factory):
    """"the one called Glass Towers, is it positive?" names the review "Glass Towers: Notes on a City Romance" by its
    main title, and asks its verdict: the words of a title ("towers", "city") are not the topic asked about."""
    folder = tmp_path_factory.mktemp("subtitled")
    path = folder / "glass-towers.txt"
    path.write_text("Glass Towers: Notes on a City Romance\nBy Odile Marchetti, The Lantern Weekly\n\n"
                    "Spike Jonze has made a warm, funny and moving film about a man who falls for his computer.\n\n"
                    "The music by Arcade Fire is soft and lovely, and it suits the film.\n\n"
                    "I loved it, and I recommend it to anyone who has ever felt lonely.\n", encoding="utf-8")
    knowledge = knowledge_of(path, next(p for p in MORE_REVIEWS if p.stem == NEGATIVE))
    assert knowledge.reviews.named_in("the one called Glass Towers") == ["glass-towers"]
    outcome = say(knowledge, "the one called Glass Towers, is it positive?")[0]
    assert outcome.status == "verdicts" and outcome.review == "glass-towers"


def test_a_film_named_with_its_makers_possessive_is_the_title_after_it(blind6):
    """"Sofia Coppola's Lost in Translation" names the film "Lost in Translation": a question that names the film
    alone finds the review that brings it up, and who made it is no part of its title."""
    from knowledge.aspects import works_named

    assert works_named("Woody Allen's Annie Hall is its cousin.", frozenset()) == ["Annie Hall"]
    assert blind6.works.in_text("who compares it to Lost in Translation?")
    outcome = say(blind6, "who compares it to Lost in Translation?", consent=True)[0]
    assert outcome.status == "quoted" and "Lost in Translation" in outcome.quotes[0].sentence


def test_a_makers_name_alone_and_an_event_are_no_titles():
    from knowledge.aspects import works_named

    assert works_named("It reminded me of Woody Allen's work.", frozenset()) == []
    assert works_named("She won a prize at the Venice Film Festival for it.", frozenset()) == []
    assert works_named("It is no Annie Hall, and no “Manhattan” either.", frozenset()) == ["Annie Hall", "Manhattan"]
    assert works_named("the “I can't do this any more” scene of “Kramer vs. Kramer”", frozenset()) == [
        "Kramer vs. Kramer"], "a line quoted is no title"
    assert works_named("Compare it with Before Sunset, a film about talking.", frozenset()) == ["Before Sunset"]


def test_silent_reviews_are_named_when_few_and_counted_when_many_without_walking_the_set():
    """With 500 reviews and two speaking, the outcome lists no silent ones (counting needs no walk of the set) and
    the reply counts them; with five, the silent ones are listed and, when few enough, named."""
    from types import SimpleNamespace

    from actions.phrasing import _silent
    from knowledge.answers import _silent_ones
    from knowledge.review_set import ReviewInfo, ReviewSet

    many = ReviewSet([ReviewInfo(id=f"r{i:03d}", title=f"Review number {i}") for i in range(500)])
    assert _silent_ones(SimpleNamespace(reviews=many), ["r001", "r002"]) == []
    assert _silent([], 498, many).startswith("The other 498 ")
    few = ReviewSet([ReviewInfo(id=f"r{i}", title=f"Review number {i}") for i in range(5)])
    assert _silent_ones(SimpleNamespace(reviews=few), ["r1", "r3", "r4"]) == ["r0", "r2"]
    assert "Review number 0" in _silent(["r0", "r2"], 2, few)


def test_one_reviews_comparisons_name_each_film_it_names(six_reviews):
    """Asked which films one critic compares it with, every work that review names (in sentences shown without
    consent) is in the answer, not only the closest sentence's; the answer's topic lists them."""
    works = six_reviews.works
    shown: dict[str, set[str]] = {}
    for key, places in works.places.items():
        for passage_id, i in places:
            passage = six_reviews.passage(passage_id)
            if not passage.spoils(i):
                shown.setdefault(passage.review, set()).add(key)
    review, keys = max(shown.items(), key=lambda item: len(item[1]))
    assert len(keys) >= 2, "a review of the six names two works or more"
    author = six_reviews.reviews[review].author
    outcome, _, _ = say(six_reviews, f"which films does {author} compare it with?")
    assert outcome.status == "quoted" and outcome.review == review
    quoted = " ".join(quote.sentence for quote in outcome.quotes)
    named = [key for key in keys if works.titles[key] in quoted and works.titles[key] in outcome.topic]
    assert len(named) == min(len(keys), 3), (keys, quoted, outcome.topic)
    for quote in outcome.quotes:  # each sentence verbatim in the passage it cites
        assert quote.sentence in six_reviews.passage(quote.passage_id).text


def test_a_fact_of_another_film_a_review_names_is_not_answered_from_the_reviews(six_reviews):
    """"who directed <a film a review names>?" asks about that film, which herbot knows nothing of; whether a review
    brings it up is a question about the reviews."""
    works = six_reviews.works
    title = next(works.titles[key] for key, places in works.places.items()
                 if any(not six_reviews.passage(passage).spoils(i) for passage, i in places))
    for question in (f"so who directed {title}?", f"what happens at the end of {title}?", f"who's in {title}",
                     f"whats {title.lower()} about?", f"what {title.lower()} about?",
                     f"what year did {title.lower()} come out?"):
        outcome, answer, _ = say(six_reviews, question)
        assert outcome.status == "other_film" and answer.response == "utter_other_film", question
        assert answer.values["title"] == title and not answer.sources
    outcome, _, _ = say(six_reviews, f"does any review bring up {title}?")
    assert outcome.status == "quoted" and title in outcome.quotes[0].sentence


@pytest.mark.parametrize("question", ["what were the downsides?", "any flaws?", "and what didnt it like"])
def test_what_one_review_held_against_it_is_quoted_beyond_its_verdict(six_reviews, question):
    """Asked for one review's complaints, every review of the six gives its verdict and a sentence of criticism:
    one the classifier reads as negative, or else one of praise and criticism at once."""
    for review in six_reviews.reviews.ids:
        outcome, _, _ = say(six_reviews, question, review=review, last_review=review, in_play=(review,))
        assert outcome.focus == "negative", (question, review)
        assert any(quote.stance in ("negative", "mixed") for quote in outcome.quotes[1:]), (review, outcome.quotes)


def test_sum_up_a_named_review_is_its_verdict(six_reviews):
    """"sum up the <outlet> piece for me": a summary of one review, not a topic called "sum" or "piece"."""
    review = next(r for r in six_reviews.reviews if r.outlet)
    outcome, _, _ = say(six_reviews, f"sum up the {review.outlet} piece for me")
    assert outcome.status == "verdicts" and outcome.review == review.id and outcome.quotes


def test_a_sentence_that_asks_is_not_quoted_as_a_reviews_view(six_reviews):
    """A heading or rhetorical question ("What about the music?") says no view: what the review says is quoted."""
    from knowledge.text import asks as _a_question

    for question in ("what do the reviews say about the music?", "what do the critics think of the pacing?"):
        outcome, _, _ = say(six_reviews, question)
        assert outcome.quotes and not any(_a_question(quote.sentence) for quote in outcome.quotes)
    assert _a_question("What about the music?") and _a_question("Is it worth seeing?”")
    assert not _a_question("The music is lovely.")



def test_with_consent_a_reviews_ending_is_told_even_where_it_never_says_ending(six_reviews):
    """"how does <a review> describe the ending?" after consent: the sentences that tell how it ends answer, when no
    sentence of it names "the ending" (a review may tell it in other words)."""
    telling = {p.review for p in six_reviews.retriever.passages if p.spoiler and p.section == "body"}
    assert telling
    for review in telling:
        outcome, _, _ = say(six_reviews, "how does this review describe the ending?", consent=True, review=review)
        assert outcome.status == "quoted" and outcome.quotes[0].review == review, review


def test_the_close_of_a_spoiler_section_is_a_note_to_the_reader_never_quoted():
    from knowledge.labels import is_reader_note

    assert is_reader_note("End of spoilers.") and is_reader_note("[/spoiler]")
    assert not is_reader_note("The end of the film is sad.")


@pytest.mark.parametrize("question", ["which critic liked it least?", "which one was the grumpiest?",
                                      "who was the most critical?"])
def test_the_least_keen_asked_in_a_superlative_is_the_negative_side(six_reviews, question):
    """"liked it least" holds "liked": the words of the superlative decide the side, not the encoder's sense of it."""
    outcome, _, _ = say(six_reviews, question)
    assert outcome.status == "verdicts" and outcome.focus == "negative"
    assert outcome.quotes[0].review == NEGATIVE


@pytest.mark.parametrize("question", ["what did the people reading the blog post think?",
                                      "what did the audience write underneath the post?",
                                      "so what did people comment?", "did anybody else comment on it?"])
def test_readers_asked_about_in_other_words_are_the_comments(six_reviews, question):
    outcome, _, _ = say(six_reviews, question)
    assert outcome.status == "quoted" and all(
        six_reviews.passage(quote.passage_id).section == "comment" for quote in outcome.quotes)


def test_one_reviews_downsides_are_its_complaints_not_whether_anyone_disliked_it(one_review):
    """With one review, "what were the downsides?" asks what it held against the film (whatever its verdict), and
    "did anyone dislike it?" whether it did."""
    outcome, _, _ = say(one_review, "what were the downsides?")
    assert outcome.status == "verdicts" and outcome.review == one_review.reviews.ids[0] and len(outcome.quotes) > 1
    assert outcome.focus == "negative"
    whether, _, _ = say(one_review, "did anyone dislike it?")
    assert whether.review is None or whether.focus == one_review.verdicts[one_review.reviews.ids[0]].stance


def test_two_reviews_named_together_are_set_side_by_side(six_reviews):
    """"do <one> and <another> agree?": those two reviews' verdicts, counted as the set asked about."""
    first, negative = six_reviews.reviews[six_reviews.reviews.ids[0]], six_reviews.reviews[NEGATIVE]
    for question in (f"do {first.author} and {negative.author} agree?",
                     f"compare {first.author} with {negative.author}"):
        outcome, _, _ = say(six_reviews, question, kind="compare")
        assert outcome.status == "verdicts" and outcome.total == 2, question
        assert {quote.review for quote in outcome.quotes} == {first.id, NEGATIVE}


def test_how_a_review_rates_someones_work_is_what_it_says_of_them_not_its_rating(one_review):
    from knowledge.fact_answers import person_in

    question = "how does the review rate Scarlett Johansson's work?"
    outcome, _, _ = say(one_review, question, subject=person_in(one_review.facts, question, None))
    assert outcome.status == "quoted" and "Johansson" in outcome.quotes[0].sentence


@pytest.mark.parametrize("question", ["and the others?", "what did the other critics give?"])
def test_the_others_after_one_reviews_detail_are_that_detail_of_the_rest(six_reviews, question):
    """After one review's rating, "and the others?" is every other review's rating, not the same one again."""
    first = six_reviews.reviews.ids[0]
    outcome = details_answer(six_reviews, question, DetailReading("ratings", 1.0, 1.0), last_review=first)
    assert [r.id for r in outcome.reviews] == [r for r in six_reviews.reviews.ids if r != first] and outcome.others
    text = details_reply(outcome).values["details"]
    assert text.startswith("And the other five: ") and six_reviews.reviews[first].label not in text


@pytest.mark.parametrize(("question", "detail", "has"), [("which one doesnt have an author name?", "author", "author"),
                                                         ("which reviews have no rating?", "ratings", "rating")])
def test_which_reviews_lack_a_detail_lists_only_those(six_reviews, question, detail, has):
    outcome = details_answer(six_reviews, question, DetailReading(detail, 1.0, 1.0))
    lacking = [d.id for d in outcome.reviews]
    assert lacking and len(lacking) < len(six_reviews.reviews)
    assert all(not getattr(d, has) for d in outcome.reviews)
    assert all(getattr(details, has) for details in details_answer(six_reviews, "and the rest?", DetailReading(
        detail, 1.0, 1.0)).reviews if details.id not in lacking)


# --- a character named by the role alone, on a review written for this test (tests/data/role_names) -------------

ROLE_NAMES = sorted((MORE_REVIEWS[0].parents[1] / "role_names").glob("*.txt"))


@pytest.fixture(scope="module")
def role_names(knowledge_of):
    return knowledge_of(*ROLE_NAMES)


def test_a_character_is_found_by_the_role_s_name_not_only_the_actor_s(role_names):
    """Reviews call a character by the role ("Catherine"), seldom by the actor's surname: the subject, "Actor as
    Role", is named by either."""
    outcome, _, _ = say(role_names, "what does the review say about Catherine?", subject="Rooney Mara as Catherine")
    assert outcome.status == "quoted" and "Catherine" in outcome.quotes[0].sentence


def test_a_character_named_only_where_the_review_spoils_is_withheld_not_unmentioned(role_names):
    """When the one passage naming the character tells the ending, the review does speak of them: herbot asks for
    consent, and after a refusal says it keeps quiet, never that the review doesn't mention them."""
    question, amy = "what does the review say about Amy?", "Amy Adams as Amy"
    assert say(role_names, question, subject=amy)[0].status == "needs_consent"
    assert say(role_names, question, subject=amy, consent=False)[0].status == "withheld"
    outcome, _, _ = say(role_names, question, subject=amy, consent=True)
    assert outcome.status == "quoted" and "Amy" in outcome.quotes[0].sentence


def test_a_verdict_line_that_is_only_the_rating_is_spoken_for_by_a_sentence(role_names):
    """"Four stars out of five." says no more than the rating shown beside it: the review's verdict is quoted in a
    sentence of its own on the same side, and the rating is still given in the reviewer's words."""
    from knowledge.ratings import only_a_rating

    verdict = role_names.verdicts[role_names.reviews.ids[0]]
    assert verdict.rating.written == "Four stars out of five" and verdict.stance == "positive"
    assert verdict.sentence and not only_a_rating(verdict.sentence, verdict.rating), verdict.sentence
    _, answer, text = say(role_names, "did the critic like it?")
    assert "Four stars out of five" in text and verdict.sentence in text


@pytest.mark.parametrize(("sentence", "only"), [("Grade: B-", True), ("Verdict: two stars out of five.", True),
                                                ("★½", True), ("I give it 3/5, a solid effort.", False)])
def test_only_a_rating_is_a_line_with_nothing_but_its_rating_and_a_label(sentence, only):
    from knowledge.ratings import find_rating, only_a_rating

    assert only_a_rating(sentence, find_rating(sentence)) is only


def test_a_rating_named_beside_the_word_score_is_a_rating_not_the_music(six_reviews):
    """"Score" alone is the music ("what do they say about the score?"); said beside "rating" it is the rating."""
    from actions.review_details import details_reading

    assert details_reading(six_reviews, "which of them doesn't give any rating or score at all?").detail == "ratings"
    assert details_reading(six_reviews, "what do the reviews say about the score?") is None


def test_a_review_pointed_at_by_its_verdict_inside_a_longer_question_is_that_review(six_reviews):
    """"the one that wasn't a fan, what did they say about the music?": the one negative review, asked about the
    music; the NLU need not have tagged the pointer."""
    outcome, _, _ = say(six_reviews, "the one that wasn't a fan, what did they say about the pacing?")
    assert outcome.review == NEGATIVE
    assert say(six_reviews, "what did the one who plays amy think of the pacing?")[0].review is None


def test_on_an_aspect_the_sentence_that_names_what_was_asked_comes_first(knowledge_of, tmp_path):
    """"what about the harmonica waltz in the music?": of the sentences on the music, the one that names the waltz."""
    path = tmp_path / "a-small-score.txt"
    path.write_text("A Small Score\n\nBy Jo Critic, The Example Weekly\n\nThe film follows a tuner of pianos through "
                    "one winter in a northern town.\n\nThe music is all soft piano and strings, and it never pushes. "
                    "Its finest stretch is the harmonica waltz at the wedding, which I have hummed ever since.\n\n"
                    "Even the poster was designed with care, all pale blue and frost.\n",
                    encoding="utf-8")
    knowledge = knowledge_of(path)
    outcome, _, _ = say(knowledge, "and the harmonica waltz in the music, what does the critic say?")
    assert outcome.status == "quoted" and "harmonica waltz" in outcome.quotes[0].sentence
    from knowledge.answers import _own_words

    # one word of its own ("design") is no evidence: a sentence about a poster is not on the costumes
    assert say(knowledge, "what does the critic say about the costume design?")[0].status == "silent"
    # the music in other words is no thing named on it: no sentence gains for using "soundtrack"
    assert _own_words(knowledge, "music", ["soundtrack", "harmonica", "music"]) == ["harmonica"]


def test_a_review_by_two_critics_has_both_their_ratings_and_their_disagreement(knowledge_of, tmp_path):
    """A debate piece rated by each of its critics ("Jo Critic: 4/5", "Sam Writer: 2/5") gives both ratings, and
    two critics who disagree make a mixed review."""
    path = tmp_path / "point-counterpoint.txt"
    path.write_text("Point, Counterpoint\n\nBy Jo Critic and Sam Writer, The Example Weekly\n\nJO CRITIC: The film is "
                    "tender and wise, and the lead is wonderful.\n\nSAM WRITER: It is pretty but slow, and the story "
                    "goes round in circles.\n\nJo Critic: 4/5\n\nSam Writer: 2/5\n", encoding="utf-8")
    from knowledge import verdicts

    knowledge = knowledge_of(path)
    verdict = knowledge.verdicts["point-counterpoint"]
    assert verdict.stance == "mixed" and verdict.rating.written == "4/5 (Jo Critic) and 2/5 (Sam Writer)"
    assert verdict.sentence and "4/5" not in verdict.sentence
    assert verdict.critic_rating("sam writer").written == "2/5", "each critic's own rating is kept with the verdict"
    assert verdicts.from_dict(verdicts.as_dict(verdict)) == verdict, "as the segment cache keeps it between processes"
    assert knowledge.reviews.resolve("Sam Writer") == "point-counterpoint", "each critic names the review"
    outcome, _, _ = say(knowledge, "what did Sam Writer think of it?")  # that critic's side, rating and lines
    assert outcome.status == "verdicts" and outcome.focus == "negative" and outcome.quotes[0].rating == "2/5"
    assert all(quote.sentence.startswith("SAM WRITER") for quote in outcome.quotes), outcome.quotes


@pytest.mark.parametrize(("question", "detail"), [("is there a url for the Example Weekly list?", "link"),
                                                  ("when was the Example Weekly list posted?", "date"),
                                                  ("what does the Example Weekly list say about Amy?", None),
                                                  ("which outlet ran the first review?", "outlet"),
                                                  ("how does the Example Weekly list describe the future?", None),
                                                  ("the one called Seven Things We Loved, is it positive?", None),
                                                  ("got a link to it?", "link"), ("link pls", "link"),
                                                  ("when was the Example Weekly piece published", "date"),
                                                  ("what's the link between loneliness and the city?", None)])
def test_a_detail_asked_of_a_review_called_by_its_own_noun(knowledge_of, tmp_path, question, detail):
    """A review named with its own noun ("the <site> list", "that diary entry") is read as "the review" for what is
    asked about it: its link and date, while what it says stays a question about the film."""
    from actions.review_details import details_reading

    path = tmp_path / "seven-things.md"
    path.write_text("---\ntitle: Seven Things We Loved\noutlet: The Example Weekly\nurl: https://example.org/seven\n"
                    "date: 2014-03-01\n---\n\nThe film is gentle, and Amy is its secret heart.\n", encoding="utf-8")
    reading = details_reading(knowledge_of(path), question)
    assert (reading.detail if reading else None) == detail


@pytest.mark.parametrize(("question", "detail"), [("when did the Jo Critic interview come out", "date"),
                                                  ("when did Jo Critic's piece appear?", "date"),
                                                  ("when was the interview published?", "date"),
                                                  ("when did it come out?", None)])
def test_when_a_review_named_came_out_is_its_date(knowledge_of, tmp_path, question, detail):
    """"come out" of the film is its release; of a review named (by its critic, or as "the interview" its credit line
    calls it), the review's date."""
    from actions.review_details import details_reading

    path = tmp_path / "ten-questions.txt"
    path.write_text("Ten Questions\n\nAn interview with Jo Critic, film critic of The Example Weekly · 3 March 2014\n\n"
                    "Q: Did you like it?\n\nA: Very much; the city is gentle.\n", encoding="utf-8")
    reading = details_reading(knowledge_of(path), question)
    assert (reading.detail if reading else None) == detail


def test_the_other_reviews_verdicts_quote_one_of_each_side_first(six_reviews):
    """"and the other ones?" after one review: the rest's verdicts, the most different first (one of each side), as
    for the whole set; not the first three in the set's order."""
    from knowledge.answers import verdicts_answer

    rest = tuple(review for review in six_reviews.reviews.ids if review != FRONT_MATTER)
    outcome = verdicts_answer(six_reviews, "and the other ones?", "opinion", among=rest)
    assert len(outcome.quotes) == 3 and {quote.stance for quote in outcome.quotes} == set(outcome.counts)


@pytest.mark.parametrize("mention", ["the other OSes", "other"])
def test_other_said_of_something_that_is_no_review_points_at_no_review(six_reviews, mention):
    """The NLU may tag "the other OSes" as a reviewer ("the other one"); "other" said of anything but a review
    names none, and the question is answered, not met with "which review do you mean?"."""
    question = "what happens with Samantha and the other OSes?"
    outcome, _, _ = say(six_reviews, question, kind="plot", consent=True, reviewer_mention=mention)
    assert outcome.status == "quoted", outcome.status
    assert say(six_reviews, "and the other critic?", reviewer_mention="the other critic")[0].status == "which_review"


def test_in_the_end_said_with_overall_weighs_things_up_and_asks_no_ending(six_reviews):
    """"what did the Gazette say in the end, overall?" asks its verdict; "how does it end, overall?" still asks how
    the film ends."""
    outcome, _, _ = say(six_reviews, "what did the Westbrook Gazette say in the end, overall?")
    assert outcome.status == "verdicts" and outcome.review == NEGATIVE
    assert say(six_reviews, "how does it end, overall?")[0].status == "needs_consent"


def test_a_numbered_items_label_is_quoted_with_what_the_writer_says_of_it(knowledge_of, tmp_path):
    """"2. The costumes. Everything is wool ...": the label alone names the topic and says nothing; a question about
    the topic is answered with the label and the sentence after it."""
    path = tmp_path / "three-things.txt"
    path.write_text("Three Things About Her\n\nBy Jo Critic\n\nWhat worked for me:\n\n"
                    "1. The city. A near future of pale towers and trains, calm and oddly kind.\n\n"
                    "2. The costumes. Everything is soft wool and high trousers, a wardrobe from nowhere in "
                    "particular, and I loved every stitch of it.\n\n"
                    "3. The quiet. Whole minutes pass with only two voices in a dark room.\n", encoding="utf-8")
    outcome, _, _ = say(knowledge_of(path), "what does the review say about the costumes?")
    assert outcome.status == "quoted", outcome.status
    assert "every stitch" in outcome.quotes[0].sentence, outcome.quotes[0].sentence


def test_a_piece_on_several_films_gives_the_grade_under_the_films_own_heading(knowledge_of, tmp_path):
    """A weekly round-up grades three films, each under its title: the review's rating is the one under the heading
    that is this film's title, not the first grade in the file."""
    path = tmp_path / "this-week.txt"
    path.write_text("This Week at the Pictures\n\nBy Jo Critic for The Example Weekly\n\nThree new films open.\n\n"
                    "THE SALT ROAD\n\nGrade: A-\n\nA sea captain's last voyage, told with great patience.\n\n"
                    "HER\n\nGrade: C+\n\nA love story with an operating system, gentle but far too long.\n\n"
                    "WINTER HOURS\n\nGrade: B\n\nTwo sisters keep a shop through a hard winter.\n", encoding="utf-8")
    verdict = knowledge_of(path).verdicts["this-week"]
    assert verdict.rating.written == "C+", verdict.rating


def test_what_a_forum_thread_thinks_is_in_its_replies(knowledge_of, tmp_path):
    """A thread's opening post may not speak to a point its replies do: asked of the thread, the replies answer
    (as readers' comments); a review with a few comments under its own long text does not hand over to them."""
    path = tmp_path / "thread.txt"
    path.write_text("Is this film too sad?\n\nPosted by moviefan_84 on March 3, 2014 in The Example Forum\n\n"
                    "I cried for an hour afterwards. Is that normal?\n\n3 Replies\n\n"
                    "jo_critic · 41 points\nThe costumes are the best thing in it, all those high-waisted trousers.\n\n"
                    "night_owl · 12 points\nI thought the city looked like a furniture catalogue.\n\n"
                    "sam_w · 3 points\nYes, completely normal.\n\n"
                    "mothbyte · 2 points\nHas the dark mode on this forum broken for anyone else?\n", encoding="utf-8")
    knowledge = knowledge_of(path)
    outcome, _, _ = say(knowledge, "what did mothbyte think of the film?", kind="comments")
    assert outcome.status == "silent", "all they wrote was about the forum: no other reader speaks for them"
    outcome, _, _ = say(knowledge, "what did the forum thread think of the costumes?", review="thread")
    assert outcome.status == "quoted" and outcome.kind == "comments", outcome
    assert "trousers" in outcome.quotes[0].sentence
    review = tmp_path / "review.txt"
    review.write_text("A Quiet Film\n\nBy Jo Critic\n\nThe film is gentle.\n\nThe lead is superb.\n\n"
                      "The music is lovely.\n\n1 Comment\n\n1. Sam Reader\nThe costumes are the best thing in it, "
                      "all those high-waisted trousers.\n", encoding="utf-8")
    outcome, _, _ = say(knowledge_of(review), "what did the review think of the costumes?", review="review")
    assert outcome.status == "silent", "its own text is silent; a reader's comment is not its view"


def test_a_podcasts_hosts_are_its_critics_and_rate_it_in_their_own_turns(knowledge_of, tmp_path):
    """A transcript: "hosts Jo Critic and Sam Writer" credits both; each host's turn that gives a score is that host's
    rating; "what did Sam give it?" is Sam's rating and Sam's own turns."""
    path = tmp_path / "example-show-12.txt"
    path.write_text("The Example Show #12: Her\nEpisode 12 — The Example Show, a film podcast, hosts Jo Critic and "
                    "Sam Writer\n\n[00:01:02] JO: I loved it. The lead is wonderful and the city is gorgeous.\n\n"
                    "[00:02:10] SAM: It's pretty, but it drags, and the middle goes round in circles.\n\n"
                    "[00:03:00] JO: 9/10 from me, easily.\n\n[00:03:05] SAM: I'm giving it a 5/10.\n", encoding="utf-8")
    knowledge = knowledge_of(path)
    review = knowledge.reviews["example-show-12"]
    assert review.authors == ["Jo Critic", "Sam Writer"] and review.outlet == "The Example Show"
    verdict = knowledge.verdicts["example-show-12"]
    assert verdict.critic_rating("Sam Writer").written == "5/10"
    assert verdict.critic_rating("Jo Critic").written == "9/10"
    outcome, _, _ = say(knowledge, "what did sam give it?")
    assert outcome.status == "verdicts" and outcome.quotes[0].rating == "5/10", outcome
    assert all(quote.sentence.startswith("[00:0") and "SAM" in quote.sentence for quote in outcome.quotes[1:]), \
        outcome.quotes


def test_a_reviews_name_says_which_review_not_what_about(six_reviews):
    """"the <outlet> review on <a surname>?": the review is searched for the person, its name left out of the search
    (its words would pull towards sentences about nothing asked)."""
    review = six_reviews.reviews[NEGATIVE]
    asked = f"and the {review.outlet} review on phoenix?"
    from knowledge.fact_answers import person_in

    person = person_in(six_reviews.facts, asked, None)  # as the actions find who is asked about
    outcome, _, _ = say(six_reviews, asked, reviewer_mention=review.outlet, subject=person)
    assert outcome.status == "quoted" and outcome.review == NEGATIVE, outcome
    assert "Phoenix" in outcome.quotes[0].sentence, outcome.quotes[0].sentence


def test_an_item_asked_by_its_number_is_that_item(knowledge_of, tmp_path):
    """"what does the 8th post say?", "footnote 1?": the paragraph that opens with that label, its first sentence
    quoted; one that tells the ending asks for consent first, and is told after it."""
    path = tmp_path / "thread-of-posts.txt"
    path.write_text("A Thread\n\nThread by @jo_critic\n\n1/ watched the robot film. thoughts below\n\n"
                    "2/ the city looks like a candle shop. soft and beige.\n\n3/ the lead is fine. sad eyes.\n\n"
                    "4/ the music is nice, listen to the album instead\n\n"
                    "5/ then the twist: the robot was the inventor's own daughter all along, and she walks into the "
                    "sea at the end.\n\n6/ 2/5. pretty but smug.\n\nNotes\n\n[1] The beige is a choice, I'm told.\n",
                    encoding="utf-8")
    knowledge = knowledge_of(path)
    outcome, _, _ = say(knowledge, "what does the 2nd post say")
    assert outcome.status == "quoted" and outcome.quotes[0].sentence.startswith("2/ the city looks like a candle shop")
    assert say(knowledge, "and post 5?")[0].status == "needs_consent"
    told = say(knowledge, "and post 5?", consent=True)[0]
    assert told.status == "quoted" and "daughter" in told.quotes[0].sentence
    assert say(knowledge, "what does footnote 1 say")[0].quotes[0].sentence.startswith("[1] The beige")


def test_which_review_came_out_first_or_last_is_the_one_at_that_end_by_date(knowledge_of, tmp_path):
    """Dates written three ways order the reviews; the one undated is left out of the count, and a list of the
    dates runs earliest first."""
    from actions.review_details import details_reading

    texts = {"alder-notes.txt": "Notes on Her\n\nPosted on February 11, 2014 by Ada Quill\n\nA gentle, funny film.\n",
             "birch-weekly.md": "---\ntitle: Her, Weighed\nauthor: Bo Reyes\ndate: 2013-12-30\n---\n\nA slow film.\n",
             "cedar-club.txt": "Club Night: Her\n\nBy Cy Lund\n\nWe argued about the city for an hour.\n",
             "damson-daily.txt": "Her\n\nBy Di Marsh, The Damson Daily · 7 March 2014\n\nThe voice carries it.\n"}
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    knowledge = knowledge_of(*(tmp_path / name for name in texts))

    def asked(question):
        reading = details_reading(knowledge, question)
        assert reading is not None and reading.detail == "date", question
        return details_reply(details_answer(knowledge, question, reading))

    latest = asked("which one is the most recent, by date?")
    assert latest.values["details"] == "The most recent of the three dated reviews is Di Marsh's review (The Damson " \
                                       "Daily), dated 7 March 2014."
    assert latest.review == "damson-daily"
    assert "Bo Reyes" in asked("which review came out first?").values["details"]
    listed = asked("when were they published?").values["details"]
    assert listed.index("Bo Reyes") < listed.index("Ada Quill") < listed.index("Di Marsh") < listed.index("Cy Lund")
    assert details_reading(knowledge, "what does the most recent review say about the city?") is None


def test_a_film_the_reviews_title_names_is_another_work_its_sentences_name(knowledge_of, tmp_path):
    """A double bill's title names the other film too ("… : Her and The Glass Orchard"): the film stays a work the
    review speaks of, and its own facts ("how long is the glass orchard?") are not Her's."""
    from knowledge.answers import another_works_facts

    path = tmp_path / "double-bill.txt"
    path.write_text("Two Films, One Night: Her and The Glass Orchard\n\nBy Jo Critic\n\nThe Glass Orchard, which "
                    "followed, is colder and stranger than Her.\n\nI preferred the second film.\n", encoding="utf-8")
    knowledge = knowledge_of(path)
    assert knowledge.works.in_text("what does the critic say about the glass orchard?") == ["glass orchard"]
    assert another_works_facts(knowledge, "how long is the glass orchard? what's its runtime") == "The Glass Orchard"
    named = "who wrote the double bill review, the one with the glass orchard?"
    assert another_works_facts(knowledge, named) is None, "a review named: who wrote it, not the other film's writer"
    assert review_answer(knowledge, named, kind="opinion", consent=None).status != "other_film"


def test_a_person_asked_of_one_review_is_found_in_a_paragraph_on_many_things(knowledge_of, tmp_path, monkeypatch):
    """A newsletter's one paragraph on the whole cast scores low on any one actor: asked about one by surname, the
    sentence that names them is still quoted, not "the review doesn't say" (the retriever's floor is raised past
    the paragraph's score here, as a longer paragraph in a larger set scores)."""
    from knowledge.fact_answers import person_in

    path = tmp_path / "lamp-newsletter-issue-9.txt"
    path.write_text("The Lamp, Issue 9\n\nBy Ivo Brandt\n\nThis week in the newsletter: a new cinema, two festivals "
                    "and Her.\n\nThe cinema on Mill Lane reopens on Friday with a season of silent comedies.\n\n"
                    "Joaquin Phoenix is lovely as Theodore, all stoop and mumble, and the voice steals the picture. "
                    "The scene I keep replaying is a lunch with his ex-wife, who signs the papers with terrible calm. "
                    "The funniest two minutes go to a late-night stranger on the phone whose request I won't repeat in "
                    "a family newsletter.\n\nNext week in the newsletter: the festival programmes, and your "
                    "letters.\n", encoding="utf-8")
    # what is asked here is retrieval: the spoiler labels are the review's own ("none"), not the detector's guess
    path.with_name("lamp-newsletter-issue-9.meta.yaml").write_text("spoilers: none\n", encoding="utf-8")
    knowledge = knowledge_of(path)
    monkeypatch.setattr(knowledge.retriever, "min_score", 0.5)
    question = "what does the newsletter say about phoenix"
    outcome = review_answer(knowledge, question, kind="opinion", review="lamp-newsletter-issue-9", consent=None,
                            subject=person_in(knowledge.facts, question, None))
    assert outcome.status == "quoted", outcome
    assert outcome.quotes[0].sentence.startswith("Joaquin Phoenix is lovely")


def test_did_a_critic_like_anything_at_all_asks_the_good_in_a_bad_review(knowledge_of, tmp_path):
    """"did <critic> like anything about it at all?" asks the good a negative review found, not its verdict again;
    "did <critic> like it?" still asks the verdict."""
    path = tmp_path / "grey-notes-her.txt"
    path.write_text("Her, Reluctantly\n\nBy Tove Marr\n\nHer is a dull, airless film, and two hours of it felt like "
                    "four. The script repeats itself and the romance never convinced me.\n\n"
                    "I did love the music, though. The score is gentle and beautiful, and it lifts every scene it "
                    "plays under.\n\n"
                    "Verdict: two stars out of five. A tedious film with one lovely score.\n", encoding="utf-8")
    knowledge = knowledge_of(path)
    outcome = review_answer(knowledge, "did marr like anything about it at all", kind="opinion", consent=None)
    assert outcome.focus == "positive", outcome
    assert any("score is gentle and beautiful" in quote.sentence for quote in outcome.quotes), outcome.quotes
    assert review_answer(knowledge, "did marr like it?", kind="opinion", consent=None).focus != "positive"


@pytest.mark.parametrize("question", ["who wrote the second review?", "what did the second critic think of it?",
                                      "when was the 3rd review published?"])
def test_a_review_asked_by_a_place_the_set_does_not_have_is_none(one_review, six_reviews, question):
    """With one review there is no second: herbot says what it has read, not the one review's details as if it were
    the second; with six, the same words name the review at that place."""
    from actions.review_details import details_reading

    reading = details_reading(one_review, question)
    answer = details_reply(details_answer(one_review, question, reading)) if reading else \
        say(one_review, question)[1]
    assert answer.response == "utter_no_other_review", answer
    assert answer.values["reviews_read"] == "one review of Her"
    assert one_review.reviews.points_past(question) and not six_reviews.reviews.points_past(question)


def test_the_ratings_put_on_one_scale_are_each_also_said_out_of_ten(six_reviews):
    """"put all the ratings on one scale, like out of 10": each rating in the reviewer's words, and out of ten as
    herbot weighs it; asked plainly, the reviewers' words alone."""
    from actions.review_details import details_reading

    question = "put all the ratings on one scale for me, like out of 10"
    reading = details_reading(six_reviews, question)
    assert reading is not None and reading.detail == "ratings"
    text = details_reply(details_answer(six_reviews, question, reading)).values["details"]
    assert "two stars out of five (about 4 out of 10)" in text, text
    plain = details_reply(details_answer(six_reviews, "what did they rate it?", reading)).values["details"]
    assert "out of 10)" not in plain


def test_a_verdict_is_quoted_by_a_line_on_the_whole_film_not_on_its_ending(knowledge_of, tmp_path):
    """Written for this test: the review's most verdict-like line praises its ending; the verdict quotes a line on the
    whole film instead (one asking whether the critics agree has not asked about the ending); "in the end" that sums
    up is no ending."""
    review = tmp_path / "lantern-hours.txt"
    review.write_text("---\ntitle: Lantern Hours\nauthor: Odile Vance\noutlet: The Harbour Post\n---\n"
                      "The film follows a letter writer through a soft, sunlit city.\n\n"
                      "The ending is superb, and it is the finest thing in a very good film.\n\n"
                      "Go and see it: it is a gentle, lovely film.\n\n"
                      "The video game scenes are a quiet joke of their own.\n",
                      encoding="utf-8")
    knowledge = knowledge_of(review)
    assert knowledge.verdicts["lantern-hours"].sentence == "Go and see it: it is a gentle, lovely film."
    from knowledge.verdicts import SUMMING_UP_END

    ending = knowledge.topics.aspects["ending"]
    assert not ending.named_in(SUMMING_UP_END.sub(" ", "In the end, a lovely film."))


def test_an_ending_question_after_no_spoilers_is_kept_quiet_however_far_the_ending_scores(knowledge_of, tmp_path):
    """Written for this test: the paragraph that tells the ending is worded far from the question ("do they stay
    together?"); after the user said no spoilers, herbot keeps quiet rather than quote a line that skirts the
    question."""
    review = tmp_path / "tin-lanterns.txt"
    review.write_text("---\ntitle: Tin Lanterns\nauthor: Rafe Okonkwo\noutlet: The Pier Gazette\nspoilers: [4]\n---\n"
                      "A letter writer in a warm, hazy city buys a talking program and falls for it.\n\n"
                      "Their days together are giddy: jokes, walks by the sea, a picnic with friends.\n\n"
                      "The score hums along under everything, and the costumes are a gentle joke.\n\n"
                      "Her voice grows past him; one morning every program in the city logs off for good, and "
                      "he climbs to the roof with his neighbour to watch the sun come up.\n",
                      encoding="utf-8")
    knowledge = knowledge_of(review)
    outcome, answer, _ = say(knowledge, "ok but do they stay together?", kind="plot", consent=False)
    assert outcome.status == "withheld" and not outcome.quotes


@pytest.mark.parametrize(("question", "kind", "place"), [
    ("what's the third review on your list?", "opinion", 2), ("tell me about the fourth one", "plot", 3),
    ("tell me about the fourth one", "opinion", 3), ("which is the last review in your collection?", "opinion", -1)])
def test_a_review_pointed_at_with_nothing_else_asked_gets_its_verdict(six_reviews, question, kind, place):
    """"tell me about the fourth one" asks what that review is and thinks: its verdict, which names it; never "it
    doesn't say anything about that" (herbot's list or collection is no topic of a review)."""
    outcome, answer, text = say(six_reviews, question, kind=kind)
    review = six_reviews.reviews.ids[place]
    assert outcome.status == "verdicts", (outcome.status, text)
    assert {quote.review for quote in outcome.quotes} <= {review} and six_reviews.reviews[review].label in text


def test_a_reviewer_mention_naming_two_reviews_asks_no_which_one(six_reviews):
    """The NLU may take "fenwick and sørensen" for one reviewer: two reviews the question names itself, so it is
    answered over the reviews, never "which review do you mean?"."""
    from knowledge.answers import review_answer

    first, second = [review for review in six_reviews.reviews if review.author][:2]
    mention = f"{first.author.split()[-1].lower()} and {second.author.split()[-1].lower()}"
    outcome = review_answer(six_reviews, f"do {mention} agree about the acting?", kind="opinion", consent=None,
                            reviewer_mention=mention)
    assert outcome.status not in ("which_review", "no_other"), outcome.status
