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
