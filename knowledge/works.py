"""The other films (and other works) the reviews name, and where: "does anyone bring up <title>?"
is answered from the sentences that name it, whatever the title, in whatever review.

Built once per process from the body sentences of the index (titles in quotation marks, or two
capitalised words or more that are not this film, its people or places, nor the reviews' own
names: :func:`knowledge.aspects.works_named`). A question names a work when it holds the title,
or its first two words ("blade runner" for "Blade Runner 2049"), in any case.
"""

from __future__ import annotations

import re

from knowledge.aspects import works_named
from knowledge.text import SPEAKERS_TURN

_SHORT_FORM_WORDS = 2  # a title of three words or more is also named by its first two capitalised: "Eternal Sunshine"


def as_compared(text: str) -> str:
    """Text as titles are compared: lower case words and apostrophes, one space, no other punctuation (so a title
    with a colon is named without it)."""
    return " ".join(re.findall(r"[\w'’]+", text.casefold())).replace("’", "'")


def title_key(title: str) -> str:
    """A title as compared, without a leading article."""
    return re.sub(r"^(?:the|a|an) ", "", as_compared(title))


class WorksNamed:
    """Each work the reviews name (by its key), how it is written, and the sentences that name it."""

    def __init__(self, passages, known: frozenset[str], awards: tuple[str, ...] = ()):
        """``awards``: the film's awards, lower case: "Best Picture" said of one is an award's name, not a film's."""
        self.titles: dict[str, str] = {}
        self.places: dict[str, list[tuple[str, int]]] = {}  # (passage id, sentence index)
        for passage in passages:
            if passage.section != "body" or passage.off_topic:
                continue
            for i, sentence in enumerate(passage.sentences):
                for title in works_named(sentence, known):
                    key = title_key(title)
                    # "ODETTE: Oh": a speaker's label; "Best Picture": one of the film's awards
                    if key and not SPEAKERS_TURN.match(title) and not any(key in award for award in awards):
                        self.titles.setdefault(key, title)
                        self.places.setdefault(key, []).append((passage.id, i))
        forms = {key: key for key in self.titles}
        for key, title in self.titles.items():
            words = key.split()
            written = re.findall(r"[\w'’]+", re.sub(r"^(?:the|a|an)\s+", "", title, flags=re.IGNORECASE))
            if len(words) > _SHORT_FORM_WORDS and all(word[0].isupper() or word[0].isdigit()
                                                       for word in written[:_SHORT_FORM_WORDS]):
                forms.setdefault(" ".join(words[:_SHORT_FORM_WORDS]), key)  # "eternal sunshine", never "think of"
        self._forms = forms
        self._pattern = re.compile(r"(?<![\w'])(?:" + "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
                                   + r")(?![\w'])") if forms else None

    def in_text(self, text: str) -> list[str]:
        """The keys of the works a question names, in the order it names them."""
        if self._pattern is None:
            return []
        return list(dict.fromkeys(self._forms[m.group(0)] for m in self._pattern.finditer(as_compared(text))))

    def __len__(self) -> int:
        return len(self.titles)
