"""A review's credit line: who wrote it, where and when it ran, and its grade, as web pages print them.

Before its first paragraph a review often has one line of credits, fields joined by "·", "|", "•" or a dash:
"By Jo Critic, The Weekly", "Jo Critic for The Weekly · March 3, 2014 · Grade: B+", "Posted on March 3,
2014 by Jo Critic" (WordPress's own), "Posted by Jo Critic on 2014-03-03" (or by a user name, "in" the forum that
ran it), "Review by Jo Critic" and "Watched 3 Mar 2014" (a film diary's), a date alone ("Friday 7 March 2014"). A
line is a credit line only when every field of it is one of these, so a first sentence ("By the time he meets her
...") stays text.
"""

from __future__ import annotations

import re

MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?\s+"
# "March 6, 2014", "6 March 2014", "Friday 6 March 2014", "2014-03-06", "6/3/2014"
DATE = (rf"(?:{WEEKDAY})?(?:{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}\s+"
        r"\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})")
_NAME = r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"  # one to four capitalised words
_FIELDS = re.compile(r"\s+[·|•—–]\s+|\s*\|\s*")
_NAMES = rf"{_NAME}(?:\s+(?:and|&)\s+{_NAME})?"  # "Jo Critic and Sam Writer": a piece by two
_HANDLE = r"@?[a-z0-9][\w.-]{1,29}"  # a forum's or a site's user name: "jo_critic", "moviefan84", "@jo_critic"
_SECTION_MARK = re.compile(r"\s*[›»>/]\s*")  # "The Film Forum › Film Talk": a site, then its section
_BY = re.compile(rf"^By\s+(?P<name>{_NAMES})\s*(?:,\s*(?P<outlet>.{{1,60}}))?$")
_FOR = re.compile(rf"^(?:By\s+)?(?P<name>{_NAMES})\s+for\s+(?P<outlet>(?:the\s+)?[A-Z].{{0,60}})$")
_POSTED_BY = re.compile(rf"^(?:Posted|Published|Written)(?:\s+on)?\s+(?P<date>{DATE})\s+by\s+(?P<name>{_NAME})$"
                        rf"|^(?:an?\s+)?(?:Posted|Published|Written|Reviewed|Review|Thread|Post|Essay|Column|Piece|Words"
                        rf"|Notes|Letter)\s+by\s+(?P<name2>{_NAME}|{_HANDLE})"
                        rf"(?:\s+on\s+(?P<date2>{DATE}))?(?:\s+in\s+(?P<place>[A-Z].{{0,60}}))?$",
                        re.IGNORECASE)
_DATED = re.compile(rf"^(?:(?:Posted|Published|Updated|Reviewed|Watched)(?:\s+on)?:?\s+)?(?P<date>{DATE})$",
                    re.IGNORECASE)  # "Watched 14 Feb 2014": a diary entry's date
_OUTLET = re.compile(r"^(?:The\s+)?[A-Z][\w'’&.-]*(?:\s+[A-Z&][\w'’.-]*){0,5}$")  # "The Weekly Post"
# A podcast's or a show's credits: "hosts Jo Critic and Sam Writer", "The Example Show, a film podcast, hosted by Jo
# Critic", "Episode 12".
_HOSTS = re.compile(rf"^(?:(?P<outlet>[A-Z][^,]{{1,50}}),\s*(?:an?\s+[a-z ]{{1,30}},\s*)?)?"
                    rf"(?:hosts?|hosted\s+by|presented\s+by|with\s+hosts?)\s+(?P<name>{_NAMES})$")
# An interview's: "An interview with Jo Critic, film critic of The Weekly": the one interviewed is the critic.
_INTERVIEW = re.compile(rf"^(?i:an?\s+)?(?i:interview|conversation|q\s*&\s*a)\s+(?i:with)\s+(?P<name>{_NAMES})"
                        rf"(?:,\s*[a-z][a-z -]{{0,30}}?\s+(?:of|at|for)\s+(?P<outlet>(?:the\s+)?[A-Z].{{0,60}}))?$")
# A signature under the text: "— Jo Critic, The Weekly, 3 March 2014": a name, then an outlet and a date (optional).
_SIGNATURE = re.compile(rf"^[—–~-]{{1,2}}\s*(?!The\b)(?P<name>{_NAMES})(?P<rest>(?:,\s*[^,]{{2,60}}){{0,2}})\s*$")
_EPISODE = re.compile(r"^(?:Episode|Ep\.?)\s*#?\d{1,4}$", re.IGNORECASE)
_GRADED = re.compile(r"^(?:Grade|Rating|Score|Verdict|Our rating|My rating):?\s+(?P<rating>\S.{0,20})$", re.IGNORECASE)


def credits(line: str) -> dict[str, str] | None:
    """The author, outlet, date and rating a credit line gives (only those it gives; and ``kind``, "interview", when it
    says what kind of piece it is), or None when the line is not one: every field must be a credit, and one of them a
    name or a date."""
    found: dict[str, str] = {}
    for field in (part.strip() for part in _FIELDS.split(line.strip())):
        if not field:
            continue
        if _EPISODE.match(field):
            continue
        if match := _BY.match(field) or _FOR.match(field) or _HOSTS.match(field) or _INTERVIEW.match(field):
            found.setdefault("author", match.group("name"))
            if match.group("outlet"):
                found.setdefault("outlet", match.group("outlet").strip())
            if match.re is _INTERVIEW:  # what people will call it: "the interview"
                found.setdefault("kind", "interview")
        elif match := _POSTED_BY.match(field):
            found.setdefault("author", match.group("name") or match.group("name2"))
            if date := match.group("date") or match.group("date2"):
                found.setdefault("date", date)
            if place := match.group("place"):  # "Posted by jo_critic on March 3, 2014 in The Film Forum › Talk"
                found.setdefault("outlet", _SECTION_MARK.split(place)[0].strip())
        elif match := _DATED.match(field):
            found.setdefault("date", match.group("date"))
        elif match := _GRADED.match(field):
            found.setdefault("rating", match.group("rating").strip())
        elif found.get("author") and "outlet" not in found and _OUTLET.match(field):
            found["outlet"] = field  # "By Jo Critic | The Weekly": the outlet after the name
        else:
            return None
    return found if "author" in found or "date" in found else None


def signature(line: str) -> dict[str, str] | None:
    """The author, outlet and date a signature under a review gives ("— Jo Critic, The Weekly, 3 March 2014"), or
    None when the line is not one."""
    match = _SIGNATURE.match(line.strip())
    if not match:
        return None
    found = {"author": match.group("name")}
    for field in (part.strip() for part in match.group("rest").split(",") if part.strip()):
        if re.fullmatch(DATE, field, re.IGNORECASE):
            found.setdefault("date", field)
        elif _OUTLET.match(field) and not {"outlet", "date"} & found.keys():
            found["outlet"] = field
        else:
            return None
    return found
