"""Other films the reviews name, as a question names them: in any case and without the title's punctuation."""

from knowledge.passage import Passage
from knowledge.works import WorksNamed, title_key


def passage(text: str) -> Passage:
    return Passage(id="r/p1", review="r", review_title="R", author=None, section="body", position=1, text=text,
                   sentences=(text,), spoiler=False)


def test_a_title_with_punctuation_is_named_without_it():
    works = WorksNamed([passage("It owes a debt to 3000: A Moon Voyage, and to “Dear Mr. Wren” too.")], frozenset())
    assert title_key("3000: A Moon Voyage") == "3000 a moon voyage"
    assert works.in_text("when did 3000 a moon voyage come out") == ["3000 a moon voyage"]
    assert works.in_text("is 3000: a moon voyage any good?") == ["3000 a moon voyage"]
    assert works.in_text("what about dear mr wren?") == [title_key("Dear Mr. Wren")]
    assert works.in_text("a moon over the city") == []


def test_where_a_review_ran_is_not_a_work_it_names():
    from knowledge.aspects import works_named

    assert works_named("Published in The Evening Example", frozenset()) == []
    assert works_named("Welcome back to The Reading Nook. This week, a film.", frozenset()) == []
    assert works_named("It first ran in The Daily Example, and it owes a debt to Moon Harbour.", frozenset()) == [
        "Moon Harbour"]


def test_an_award_and_a_transcripts_speaker_are_not_works():
    """"It's up for Best Picture" names an award of the film's (the facts'), and "JO: Oh, ..." a speaker; a film
    named in the same transcript is still a work."""
    text = "JO: Oh, it's up for Best Picture, and it plays like a reply to Moon Harbour."
    works = WorksNamed([passage(text)], frozenset(), awards=(title_key("Academy Award for Best Picture"),))
    assert list(works.titles.values()) == ["Moon Harbour"]


def test_a_title_is_named_by_its_first_two_capitalised_words_only():
    """"Eternal Sunshine" names the long title; "think of" never does: a footnote's "Think of Moon Harbour's Sequel"
    made "what did she think of the acting?" a question about a work."""
    works = WorksNamed([passage("It recalls The Glass Orchard of Rain, and Moon Harbour in Winter."),
                        passage("[2] Think of Anna Example's Moon Letters or The Long Winter.")], frozenset())
    assert works.in_text("is glass orchard any good") == [title_key("Glass Orchard of Rain")]
    assert works.in_text("what about moon harbour?") == [title_key("Moon Harbour in Winter")]
    assert works.in_text("what did she think of the acting?") == []
