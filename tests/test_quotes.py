"""How much of a passage a quote takes: a short sentence that only opens its point brings the next one."""

from knowledge.answers import _with_what_follows
from knowledge.passage import Passage

OPENER, POINT = "The sound deserves a word.", "Every footstep and every breath is placed with the care of a composer."


def passage(*sentences: str, revealing: tuple[int, ...] = (), spoiler: bool = False) -> Passage:
    return Passage(id="r/p1", review="r", review_title="R", author=None, section="body", position=1,
                   text=" ".join(sentences), sentences=sentences, spoiler=spoiler, revealing=revealing)


def test_a_short_opening_sentence_is_quoted_with_the_next_verbatim():
    assert _with_what_follows(passage(OPENER, POINT), [OPENER, POINT], 0, True) == f"{OPENER} {POINT}"


def test_a_long_sentence_a_list_item_and_a_next_sentence_that_spoils_stay_alone():
    assert _with_what_follows(passage(POINT, OPENER), [POINT, OPENER], 0, True) == POINT
    assert _with_what_follows(passage("- the sound", "- the jokes"), ["- the sound", "- the jokes"], 0, True) == \
        "- the sound"
    spoiling = passage(OPENER, POINT, spoiler=True, revealing=(1,))
    assert _with_what_follows(spoiling, [OPENER, POINT], 0, True) == OPENER
    assert _with_what_follows(spoiling, [OPENER, POINT], 0, False) == f"{OPENER} {POINT}"  # consent given
    assert _with_what_follows(passage(OPENER), [OPENER], 0, True) == OPENER
