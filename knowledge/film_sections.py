"""A piece on several films (a weekly round-up): only the film's own section speaks of it.

A round-up heads each film's section with that film's title ("THE SALT ROAD", "HER", "WINTER HOURS"). Where one
heading of a review is this film's title, the sections under its sibling headings (written alike: all in capitals
as it is, or each word capitalised) are about other films: off topic, never quoted as what the review says of this
one. A review with no heading that is the title is left as it is.
"""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge.labels import is_heading, section_under
from knowledge.passage import Passage


def other_films_off_topic(passages: list[Passage], title: str | None) -> list[Passage]:
    """``passages`` with the body paragraphs under another film's heading marked off topic."""
    if not title:
        return list(passages)
    by_review: dict[str, list[int]] = {}
    for place, passage in enumerate(passages):
        if passage.section == "body":
            by_review.setdefault(passage.review, []).append(place)
    marked = list(passages)
    for places in by_review.values():
        texts = [passages[place].text for place in places]
        own = title_heading(texts, title)
        if own is None:
            continue
        capitals = texts[own].strip().isupper()
        for n, text in enumerate(texts):  # a sibling heading opens another film's section
            if n != own and is_heading(text) and _written_alike(text, capitals):
                for under in section_under(texts, n):
                    marked[places[under]] = replace(passages[places[under]], off_topic=True)
    return marked


def title_heading(paragraphs: list[str], title: str | None) -> int | None:
    """The place of the first heading that is the film's title ("HER"), if a review has one."""
    wanted = bare(title or "")
    return next((n for n, text in enumerate(paragraphs) if wanted and is_heading(text) and bare(text) == wanted),
                None)


def bare(text: str) -> str:
    """Words only, lower case: "HER" and "Her." are the same title."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def _written_alike(heading: str, capitals: bool) -> bool:
    """A heading written as a film's title next to this one: in capitals like it, or two or more words each
    capitalised (not "Verdict", not "The performances")."""
    text = heading.strip()
    if capitals:
        return text.isupper()
    words = re.findall(r"[\w'’]+", text)
    return len(words) >= 2 and all(word[:1].isupper() or word in _SMALL for word in words)


_SMALL = {"a", "an", "the", "of", "in", "on", "and", "or", "to", "for", "at", "by", "with"}
