"""Labels that decide when a passage may be shown: reader notes, headings and off-topic comments.

Both are small, readable rules rather than a model, each with a test on the real reviews.
Whether a passage reveals the ending is decided by meaning in knowledge/spoilers.py.
"""

from __future__ import annotations

import re

from knowledge.ratings import find_rating
from knowledge.text import LIST_ITEM

# A comment about the web page rather than the film: broken images, links, browsers.
_ABOUT_WEBSITE = re.compile(
    r"\b(images?|pictures?|photos?|linking|links?|browsers?|website|web ?site|blog post|page)\b"
    r".{0,80}\b(loads?|loading|broken|shows?|showing|displays?|displaying|works?|working|fix(ed)?|taken care)\b"
    r"|\b(heads up)\b"
    r"|\b(this|your) (site|blog|website|web site|newsletter|feed|forum|app)\b|\bthe (site|website|forum)\b(?!['’])"
    r"|\b(dark mode|light mode|redesign|log ?in|sign ?in|notifications?)\b"
    r"|\bsince the (update|upgrade|redesign|new version)\b|\bapp\b.{0,40}\b(logging|crash\w*|bug\w*|glitch\w*)\b"
    r"|\b(404|dead link|broken link|subscribe|unsubscribe|rss)\b",
    re.IGNORECASE | re.DOTALL,
)


# A reviewer's note to the reader, not a statement about the film: "(Mild spoilers ahead)".
_READER_NOTE = re.compile(
    r"^\W*((some|a few|minor|mild|slight|light|major)\s+)*spoilers?\s+(ahead|below|follow|warning)\W*$"
    r"|^\W*spoiler\s+(alert|warning)\W*$"
    # "End of spoilers.", "[/spoiler]", "Spoilers over.": the close of a spoiler section
    r"|^\W*(end(\s+of)?\s+(the\s+)?spoilers?(\s+section)?|spoilers?\s+(end|over|done)(\s+here)?|/\s*spoilers?)\W*$"
    # "Major spoilers in the next two paragraphs!", "Spoilers for the rest of this review."
    r"|^\W*((some|a few|minor|mild|slight|light|major|heavy)\s+)*spoilers?\s+(in|for)\s+(the\s+)?"
    r"(next|following|rest|remaining)\b[^.!?]{0,60}[.!?)]*\W*$"
    # "(Warning: major reveals below.)", "Spoilers: skip the rest if you haven't seen it": about what follows
    r"|^\W*(spoilers?(\s+(alert|warning))?|warning)\s*[:–—-]\s*.{0,120}\b(next|following|below|ahead|follows?"
    r"|gives? away|reveals?|stop reading|skip|the rest)\b[^.!?]*[.!?)]*\W*$"
    # "[Spoiler-free section ends here.]": what follows is no longer free of them
    r"|^\W*(the\s+)?spoiler[- ]free\s+(section|part|portion|zone|bit)\s+(ends|is\s+over)(\s+here)?\W*$",
    re.IGNORECASE,
)


def is_reader_note(sentence: str) -> bool:
    """True for a sentence that only warns the reader; it is never quoted as an answer."""
    return bool(_READER_NOTE.match(sentence.strip()))


def about_website(text: str) -> bool:
    """True when a reader comment is about the website itself, not the film."""
    return bool(_ABOUT_WEBSITE.search(text))


HEADING_WORDS = 8  # a heading is a short line: "The performances", "The ending (spoilers)", "INSIDE LLEWYN DAVIS"
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")


def is_heading(paragraph: str) -> bool:
    """True for a paragraph that only names what follows (a section's heading, a repeated title): one short line
    that ends no sentence, is no list item and gives no rating. It says nothing to quote."""
    text = paragraph.strip()
    return bool(text) and "\n" not in text and len(text.split()) <= HEADING_WORDS and not _SENTENCE_END.search(text) \
        and any(c.isalpha() for c in text) and not LIST_ITEM.match(text) and find_rating(text) is None


def section_under(paragraphs: list[str], heading: int) -> range:
    """The places of the paragraphs under the heading at place ``heading``, up to the next heading."""
    end = next((n for n in range(heading + 1, len(paragraphs)) if is_heading(paragraphs[n])), len(paragraphs))
    return range(heading + 1, end)
