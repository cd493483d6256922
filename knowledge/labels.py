"""Labels that decide when a passage may be shown: spoilers and off-topic comments.

Both are small, readable rules rather than a model: they have to be right on a
corpus of a few dozen paragraphs and stay explainable when a reviewer's wording
trips them; each pattern below has a test on the real reviews.
"""

from __future__ import annotations

import re

# Words that reveal how the story ends or that the relationship breaks up.
# "spoilers ahead" (a warning) deliberately does not count as a reveal.
_SPOILER = re.compile(
    r"\b("
    r"the ending|an ending|ending is|ends with|in the end\b|the end of the (film|movie)"
    r"|last (third|act|half[- ]hour|scene)|final (act|scene|third)|finale"
    r"|break(s|ing)? (it )?off|break(s|ing)?[- ]?up|broke up"
    r"|leaves (him|her)|say(s)? goodbye"
    r")",
    re.IGNORECASE,
)

# A comment about the web page rather than the film: broken images, links, browsers.
_ABOUT_WEBSITE = re.compile(
    r"\b(images?|pictures?|photos?|linking|links?|browsers?|website|web ?site|blog post|page)\b"
    r".{0,80}\b(load(ing)?|broken|show(ing)?|display(ing)?|work(ing)?|fix(ed)?|taken care)\b"
    r"|\b(heads up)\b",
    re.IGNORECASE | re.DOTALL,
)


# A reviewer's note to the reader, not a statement about the film: "(Mild spoilers ahead)".
_READER_NOTE = re.compile(
    r"^\W*((some|a few|minor|mild|slight|light|major)\s+)*spoilers?\s+(ahead|below|follow|warning)\W*$"
    r"|^\W*spoiler\s+(alert|warning)\W*$",
    re.IGNORECASE,
)


def is_reader_note(sentence: str) -> bool:
    """True for a sentence that only warns the reader; it is never quoted as an answer."""
    return bool(_READER_NOTE.match(sentence.strip()))


def reveals_ending(text: str) -> bool:
    """True when the passage reveals the ending or the break-up."""
    return bool(_SPOILER.search(text))


def about_website(text: str) -> bool:
    """True when a reader comment is about the website itself, not the film."""
    return bool(_ABOUT_WEBSITE.search(text))
