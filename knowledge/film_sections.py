"""A piece on several films (a weekly round-up): only the film's own section speaks of it.

A round-up heads each film's section with that film's title ("THE SALT ROAD", "HER", "WINTER HOURS"). Where one
heading of a review is this film's title, the sections under its sibling headings (written alike: all in capitals
as it is, or each word capitalised) are about other films: off topic, never quoted as what the review says of this
one. A review with no heading that is the title is left as it is.
"""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge.labels import is_heading
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
        headings = {place for place in places if is_heading(passages[place].text)}
        own = next((place for place in sorted(headings) if bare(passages[place].text) == bare(title)), None)
        if own is None:
            continue
        capitals = passages[own].text.strip().isupper()
        another_film = False
        for place in places:
            if place in headings:  # a sibling heading opens another film's section; any other heading closes it
                another_film = place != own and _written_alike(passages[place].text, capitals)
            elif another_film:
                marked[place] = replace(passages[place], off_topic=True)
    return marked


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
