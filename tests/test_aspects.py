"""Which sentences speak to what a question asks: the general topic words, and the question's own words."""

import pytest

from knowledge.aspects import load_aspects, words_shared


def test_a_sentence_that_uses_every_word_asked_counts_more_than_one_that_uses_some():
    shares = words_shared(["sound", "design", "the"], ["Listen to the sound design of the crowd scenes.",
                                                       "Pros: the sounds, the jokes.", "A lovely film."])
    assert list(shares) == [1.0, 0.5, 0.0]  # "the" is too short to count; "sounds" shares the stem of "sound"
    assert list(words_shared([], ["Anything."])) == [0.0]


@pytest.mark.parametrize(("sentence", "music"), [("Score: 4/10", False), ("My score: 9 out of 10.", False),
                                                 ("The score is all soft piano.", True),
                                                 ("Its score, by a small string band, is lovely.", True)])
def test_a_rating_line_is_not_about_the_music(sentence, music):
    assert load_aspects()["music"].used_in(sentence) is music


def test_a_passage_that_names_the_topic_in_two_of_its_words_is_on_it_whatever_its_score():
    from knowledge.answers import _names_the_topic

    paragraph = "Long and about many things, it mentions in passing the board games he plays at night."
    assert _names_the_topic(["board", "games", "bits"], paragraph)
    assert not _names_the_topic(["board"], paragraph)  # one word is no evidence on its own: meaning decides
    assert not _names_the_topic(["chess", "board"], "A chess-free paragraph about the weather.")
    assert not _names_the_topic(["rude", "alien", "board", "games"], paragraph)  # two of four: not its topic


def test_a_question_a_review_asks_speaks_to_a_topic_only_in_its_words(encoder):
    from knowledge.aspects import Topics

    topics = Topics(load_aspects(), encoder)
    sentences = ["Is it a good-looking film?", "Is the colour palette too sweet?"]  # near the look, in meaning
    relevance = topics.relevance("look", sentences, encoder.encode(sentences))
    assert relevance[0] == float("-inf") and relevance[1] > float("-inf")


@pytest.mark.parametrize(("sentence", "costumes"), [
    ("Everyone wears soft wool: beige sweaters and loose trousers.", True),
    ("The wardrobe is all corduroy.", True),
    ("His phone peeks out of his shirt pocket.", False),  # a shirt named is not the costumes discussed
    ("The colours are warm and the light is soft.", False),  # the look of the film, a topic of its own
])
def test_the_costumes_are_a_topic_of_their_own(sentence, costumes):
    aspects = load_aspects()
    assert aspects["costumes"].used_in(sentence) is costumes
    assert not aspects["look"].used_in("The wardrobe is all corduroy.")


def test_a_general_judgement_of_the_film_speaks_to_no_open_topic_by_meaning(encoder):
    """"What do they think of how the film was edited?" is near any judgement of the film through its frame: a
    sentence speaks to the topic by meaning only where it is nearer the question than to an overall verdict."""
    from knowledge.aspects import OPEN_TOPIC_MEANING, speaks_to_open_topic
    from knowledge.verdicts import VERDICT_QUERY

    question = encoder.encode_query("what do the reviewers think of how the film was edited?")
    verdict = encoder.encode([VERDICT_QUERY])[0]
    sentences = ["It is a good film, if not a great one.", "Every scene was edited with a light hand."]
    vectors = encoder.encode(sentences)
    scores = vectors @ question
    assert scores[0] >= OPEN_TOPIC_MEANING, "near the question in meaning, through its frame"
    assert list(speaks_to_open_topic(["edited"], sentences, scores)) == [True, True]
    assert list(speaks_to_open_topic(["edited"], sentences, scores, vectors @ verdict)) == [False, True]


@pytest.mark.parametrize(("sentence", "works"), [
    ("Like Before Sunrise, it is mostly two people talking.", ["Before Sunrise"]),
    ("Unlike Lost in Translation, it never leaves the city.", ["Lost in Translation"]),
    ("Where Woody Allen would crack a joke, this film waits.", ["Woody Allen"]),  # as before: a name, read as a title
    ("Before Sunrise comes up in every review.", []),  # two words, the first a sentence word: no title (as before)
])
def test_the_words_that_lead_a_sentence_are_no_part_of_a_title_but_leave_it_two_words(sentence, works):
    from knowledge.aspects import works_named

    assert works_named(sentence, frozenset()) == works


def test_the_verbs_that_frame_a_question_are_no_topic():
    """"how does it describe the ending, in particular?" asks about the ending; a sentence that happens to say
    "described" is no nearer it."""
    from knowledge.aspects import topic_words

    assert topic_words("how does the critic describe the apartments, in particular?") == ["apartments"]
    assert topic_words("how is Amy portrayed?") == ["amy"]
