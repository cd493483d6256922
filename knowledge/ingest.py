"""Turning review text files into passages: title, author, body paragraphs, comments.

A review is a UTF-8 text file in the reviews folder, optionally opening with a small
YAML front matter between ``---`` lines (``title``, ``author``, ``outlet``, ``url``,
``date``, ``rating``, ``names``: what people call it). A text kept exactly as it was
collected can have the same keys in a file beside it, ``NAME.meta.yaml``; front matter
wins over it. Without either, the first line is the title and a ``By NAME, OUTLET`` line
gives the author and the outlet. Page chrome (a repeated title, a "Share" label, the
comment counter) is dropped and reported.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import yaml

from knowledge import labels, spoilers
from knowledge.credit_line import DATE, credits, signature
from knowledge.markdown_text import MARKDOWN_SUFFIXES, plain_text
from knowledge.passage import IngestReport, Passage
from knowledge.ratings import find_rating, only_a_rating
from knowledge.text import LIST_ITEM, normalise_for_compare, repair, split_sentences

REVIEW_SUFFIX = ".txt"
REVIEW_SUFFIXES = (REVIEW_SUFFIX, *MARKDOWN_SUFFIXES)  # plain text, or Markdown read as what a reader sees
REVIEW_KINDS = " or ".join(REVIEW_SUFFIXES)  # as messages name them
META_SUFFIX = ".meta.yaml"  # metadata beside a review text that is kept unchanged
META_KEYS = ("title", "author", "outlet", "url", "date", "rating", "names", "spoilers")
_CHROME = re.compile(r"^(share|share this|tweet|like this|print|email)[:!.]?$", re.IGNORECASE)
# "3 thoughts on “Her”", "12 Comments", "Comments (4)", "Reader comments": the line that opens the comments.
_COMMENT_HEADER = re.compile(
    r"^(?P<count>\d+|one|two|three|no)\s+(thoughts?|comments?|responses?|replies)\s+(on|to)\b"
    r"|^(?:(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|no)\s+|readers?['’]?\s+)?"
    r"(?:thoughts|comments?|responses|replies)(?:\s*\(\d+\))?\s*:?\s*$",
    re.IGNORECASE,
)
_COMMENT_START = re.compile(r"^(?P<indent>\s*)(?P<n>\d+)[.)]\s+(?P<text>.*)$")
# "Jo says: ...", or a full name and a colon ("Jo Critic: Thanks!"): who wrote a comment.
_COMMENTER = re.compile(r"^(?P<name>[A-Z][\w .'-]{0,40}?)\s+(says|said|wrote):\s*(?P<text>.*)$"
                        r"|^(?P<full>[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){1,3}|@?[a-z][a-z0-9_.]*[0-9_][a-z0-9_.]*|"
                        # or a user name: "moviefan_84: ...", "bexwatches: ..." (not a note's "Spoiler: ...")
                        r"@?(?!(?:spoilers?|warning|update|edit|note|reply)\b)[a-z]{4,20}):\s+(?P<said>.+)$")
# A comment's first line that is only its writer's name ("1. Jo Critic", then the date and the text below it).
_NAME_LINE = re.compile(r"^[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}$")
# A forum's or a comment system's line above a post: its poster and the post's score or time ("jo_critic · 41 points",
# "Jo Critic | 3 likes", "moviefan84 - 2 days ago").
_POSTER_LINE = re.compile(r"^@?(?P<name>[\w.'’-]+(?: [A-Z][\w.'’-]*){0,2})\s+[·•|–—-]\s+"
                          r"(?:\d[\d,]*\s+(?:points?|likes?|upvotes?|votes?|karma)"
                          r"|\d+\s*(?:[smhdwy]|min(?:ute)?s?|hours?|days?|weeks?|months?|years?)\s+ago"
                          r"|[A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?)$", re.IGNORECASE)
# The date (and time) a comment was posted, on a line of its own: "March 6, 2014 at 9:12 am", "2014-03-06 21:40".
_POSTED = re.compile(rf"^{DATE}(?:,?\s+(?:at\s+)?\d{{1,2}}[:.]\d{{2}}\s*(?:[ap]\.?m\.?)?)?$", re.IGNORECASE)
# Lines in hard-wrapped files are shorter than this; web-extracted text has one
# paragraph per line, so its lines are much longer.
_WRAP_WIDTH = 100


class ReviewFileError(ValueError):
    """A review file that cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class Review:
    id: str
    title: str
    author: str | None
    url: str | None
    sha256: str  # of the text and its metadata file, when it has one
    passages: tuple[Passage, ...]
    outlet: str | None = None
    date: str | None = None
    rating: str | None = None  # the reviewer's own rating as given in the metadata ("3.5/5", "B+")
    names: tuple[str, ...] = ()  # what people call the review besides its title, author and outlet

    def metadata(self) -> dict:
        """What describes the review, without its passages (kept beside the index)."""
        return {"id": self.id, "title": self.title, "author": self.author, "outlet": self.outlet, "url": self.url,
                "date": self.date, "rating": self.rating, "names": list(self.names)}


def review_files(folder: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The review files in ``folder`` and the other entries skipped, with the reason."""
    if not folder.is_dir():
        raise ReviewFileError(f"{folder}: reviews folder not found")
    files, skipped = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_file() and path.name.endswith(META_SUFFIX):
            stem = path.name.removesuffix(META_SUFFIX)
            if not any(path.with_name(stem + suffix).is_file() for suffix in REVIEW_SUFFIXES):
                skipped.append((path.name, f"metadata for a review that is not here (no {REVIEW_KINDS} file)"))
            continue
        if path.is_file() and path.stem.lower() in _FOLDER_NOTES:
            skipped.append((path.name, "the folder's own notes, not a review"))
        elif path.is_file() and path.suffix in REVIEW_SUFFIXES:
            files.append(path)
        else:
            skipped.append((path.name, f"not a review file ({REVIEW_KINDS})"))
    named: dict[str, Path] = {}
    for path in files:  # the file name without its suffix is the review's id, so it must be one review's
        if (other := named.setdefault(path.stem, path)) is not path:
            raise ReviewFileError(f"{folder}: {other.name} and {path.name} would both be review {path.stem!r}; "
                                  "rename or remove one")
    return files, skipped


_FOLDER_NOTES = ("readme", "license", "licence", "changelog", "contributing")  # what a folder says of itself


def read_review(path: Path) -> tuple[Review, list[tuple[str, str]]]:
    """Parse one review file; returns the review and the chrome lines it dropped."""
    raw = path.read_bytes()
    text = _text(path, raw)
    if not text.strip():
        raise ReviewFileError(f"{path}: empty file, no review text in it")
    sidecar = path.with_name(path.stem + META_SUFFIX)
    side_raw = sidecar.read_bytes() if sidecar.is_file() else None
    meta = _metadata(sidecar, _text(sidecar, side_raw)) if side_raw is not None else {}
    front, body = _front_matter(path, text)
    if path.suffix in MARKDOWN_SUFFIXES:
        body = plain_text(body)
    return _parse(path.stem, {**meta, **front}, body, _digest(raw, side_raw, path.suffix), path.name)


def review_digest(path: Path) -> str:
    """The sha256 that :func:`read_review` gives the review in ``path``, without parsing it: an update
    compares it with the previous index's to know which reviews changed."""
    sidecar = path.with_name(path.stem + META_SUFFIX)
    return _digest(path.read_bytes(), sidecar.read_bytes() if sidecar.is_file() else None, path.suffix)


def _digest(raw: bytes, side_raw: bytes | None, suffix: str = REVIEW_SUFFIX) -> str:
    digest = hashlib.sha256(raw)
    if suffix != REVIEW_SUFFIX:  # the same bytes read as Markdown are another review (a renamed file is re-read)
        digest.update(suffix.encode())
    if side_raw is not None:
        digest.update(b"\0" + side_raw)
    return digest.hexdigest()


def _text(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReviewFileError(
            f"{path}: not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); save it as UTF-8"
        ) from None


def _metadata(path: Path, text: str, what: str = "metadata") -> dict:
    """Metadata as ``key: value`` YAML, checked: a known key with a value of the right kind."""
    try:
        meta = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ReviewFileError(f"{path}: {what} is not valid YAML ({getattr(error, 'problem', error)})") from None
    if not isinstance(meta, dict):
        raise ReviewFileError(f"{path}: {what} must be 'key: value' lines")
    unknown = sorted(str(key) for key in meta if key not in META_KEYS)
    if unknown:
        raise ReviewFileError(f"{path}: unknown {what} {', '.join(unknown)} (known: {', '.join(META_KEYS)})")
    names = meta.get("names", [])
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not all(isinstance(n, str | int | float) for n in names):
        raise ReviewFileError(f"{path}: 'names' must be a list of names")
    meta["names"] = [str(n).strip() for n in names if str(n).strip()]
    for key in ("title", "author", "outlet", "url", "date", "rating"):
        if meta.get(key) is not None:
            meta[key] = str(meta[key]).strip() or None
    return meta


def load_corpus(folder: Path) -> tuple[list[Review], IngestReport]:
    """Read every review in ``folder``; any unreadable file stops the run (nothing half-built)."""
    files, skipped = review_files(folder)
    report = IngestReport(skipped=skipped)
    reviews = []
    for path in files:
        review, dropped = read_review(path)
        reviews.append(review)
        report.skipped.extend(dropped)
        report.reviews += 1
        for passage in review.passages:
            report.paragraphs += passage.section == "body"
            report.comments += passage.section == "comment"
            report.spoilers += passage.spoiler is True  # marked by the review; the index build decides the rest
            report.off_topic += passage.off_topic
    if not reviews:
        raise ReviewFileError(f"{folder}: no review files ({REVIEW_KINDS}) found")
    return reviews, report


def _front_matter(path: Path, text: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        return {}, text
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise ReviewFileError(f"{path}: front matter opened with '---' but never closed")
    meta = _metadata(path, parts[0].lstrip("-\n"), "front matter")
    return meta, parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""


def _parse(review_id: str, meta: dict, text: str, sha: str, name: str):
    lines = [repair(line) if line.strip() else "" for line in text.splitlines()]
    raw_lines = text.splitlines()
    title = str(meta.get("title") or "").strip()
    credited = {key: meta.get(key) for key in ("author", "outlet", "date", "rating")}  # the metadata's first
    kinds: list[str] = []
    dropped: list[tuple[str, str]] = []
    if not title:
        first = next((i for i, line in enumerate(lines) if line), None)
        if first is None:
            raise ReviewFileError(f"{name}: no review text after the front matter")
        title = lines[first]
        lines[first] = ""
    title_key = normalise_for_compare(title)

    body_lines: list[str] = []
    comment_lines: list[tuple[str, str]] = []  # (raw line, repaired line)
    in_comments = False
    for raw, line in zip(raw_lines, lines, strict=True):
        if in_comments and _COMMENT_HEADER.match(line):  # "Comments", then "4 thoughts on ...": one more counter
            dropped.append((f"{name}: {line[:40]}", "comment counter"))
        elif in_comments:
            comment_lines.append((raw, line))
        elif line and normalise_for_compare(line) == title_key:
            dropped.append((f"{name}: {line[:40]}", "repeated title"))
        elif _CHROME.match(line):
            dropped.append((f"{name}: {line}", "page chrome"))
        elif _COMMENT_HEADER.match(line):
            dropped.append((f"{name}: {line[:40]}", "comment counter"))
            in_comments = True
        elif _before_the_body(body_lines) and (given := credits(line)):  # "By Jo Critic, The Weekly", "Posted on ..."
            credited = _filled(credited, given)
            kinds += [f"the {given['kind']}"] if "kind" in given else []  # "An interview with ...": "the interview"
        else:
            body_lines.append(line)

    if given := _signed(body_lines):  # "— Jo Critic, The Weekly, 3 March 2014" under the text
        credited = _filled(credited, given)
    if not credited["rating"] and (rating := _rating_in_title(title)):  # "Her review — 4/5"
        credited["rating"] = rating
    author, outlet = credited["author"], credited["outlet"]
    base = {"review": review_id, "review_title": title, "author": author, "url": meta.get("url"), "outlet": outlet}
    passages = [_passage(base, "body", "p", n, para)
                for n, para in enumerate(_questions_with_answers(_paragraphs(body_lines)), start=1)]
    passages += _comments(base, comment_lines)
    if not passages:
        raise ReviewFileError(f"{name}: no paragraphs found after the title")
    try:
        passages = spoilers.apply_overrides(passages, meta.get("spoilers"))
    except spoilers.SpoilerOverrideError as error:
        raise ReviewFileError(f"{name}: {error}") from None
    names = tuple(dict.fromkeys([*meta.get("names", ()), *kinds]))
    review = Review(review_id, title, author, meta.get("url"), sha, tuple(passages), outlet=outlet,
                    date=credited["date"], rating=credited["rating"], names=names)
    return review, dropped


STANDFIRST_WORDS = 40


def _filled(credited: dict, given: dict[str, str]) -> dict:
    """The credits known so far, with what ``given`` adds where they have none (the metadata's first)."""
    return {key: credited[key] or given.get(key) for key in credited}


def _signed(body_lines: list[str]) -> dict[str, str] | None:
    """The credits of a signature that ends the body (a line of its own after a blank one), taken out of it."""
    filled = [i for i, line in enumerate(body_lines) if line]
    if not filled or (filled[-1] > 0 and body_lines[filled[-1] - 1]):
        return None
    given = signature(body_lines[filled[-1]])
    if given:
        del body_lines[filled[-1]:]
    return given


def _rating_in_title(title: str) -> str | None:
    """A rating the title ends with, after a dash, a colon or a bar ("Her review — 4/5", "Her | ★★★★"), as written."""
    last = re.split(r"\s+[—–|-]\s+|:\s+", title)[-1]
    rating = find_rating(last) if last != title else None
    return rating.written if rating and only_a_rating(last, rating) else None


def _before_the_body(lines: list[str]) -> bool:
    """Whether a credit line may still come: nothing of the body yet, or only a standfirst, one line under the title
    that sums the review up before its credits ("A near-future romance about what goes unsaid" / "By Jo Critic")."""
    said = [line for line in lines if line]
    return not said or len(said) == 1 and len(said[0].split()) <= STANDFIRST_WORDS


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank lines always separate paragraphs; in unwrapped text every line is one too."""
    lengths = [len(line) for line in lines if line]
    wrapped = bool(lengths) and median(lengths) < _WRAP_WIDTH
    paragraphs, current = [], []
    for line in lines + [""]:
        if line and (wrapped or not current):
            current.append(line)
            continue
        if current:
            paragraphs.append(_join_lines(current))
        current = [line] if line else []
    return paragraphs


# An interview's turns: "Q: ..." then "A: ..." (or "Question:" / "Answer:").
_ASKED = re.compile(r"^(?:Q|Question)\s*[:.]\s+\S")
_ANSWERED = re.compile(r"^(?:A|Answer)\s*[:.]\s+(?=\S)")


def _questions_with_answers(paragraphs: list[str]) -> list[str]:
    """An interviewer's question kept with the answer after it, as one paragraph: the answer ("A: Lost in
    Translation.") says what it is about only with its question ("Q: Your favourite film?")."""
    joined: list[str] = []
    for paragraph in paragraphs:
        if joined and _ANSWERED.match(paragraph) and _ASKED.match(joined[-1]) and "\n" not in joined[-1]:
            joined[-1] += "\n" + paragraph
        else:
            joined.append(paragraph)
    return joined


def _answer_of(text: str) -> str:
    """The answer of an interview's question-and-answer paragraph, without its label; any other text as it is."""
    if _ASKED.match(text) and "\n" in text:
        asked, answer = text.split("\n", 1)
        if label := _ANSWERED.match(answer):
            return answer[label.end():]
    return text


def _join_lines(lines: list[str]) -> str:
    """A paragraph's lines as one text; a list item (``+ pro``, ``- con``, ``* point``) keeps its own
    line, so that it is a sentence of its own (:func:`knowledge.text.split_sentences`)."""
    text = lines[0]
    for line in lines[1:]:
        text += ("\n" if LIST_ITEM.match(line) else " ") + line
    return text


def _comments(base: dict, lines: list[tuple[str, str]]) -> list[Passage]:
    """Numbered comments, or comments each under its poster's line ("jo_critic · 41 points"); a deeper-indented
    number is a reply to the comment above it."""
    found: list[dict] = []  # {indent, parts, commenter}
    for raw, line in lines:
        start = _COMMENT_START.match(raw)
        if start:
            found.append({"indent": len(start.group("indent").expandtabs()), "parts": [repair(start.group("text"))]})
        elif poster := _POSTER_LINE.match(line):
            found.append({"indent": 0, "parts": [], "commenter": poster.group("name")})
        elif line and found:
            found[-1]["parts"].append(line)
        elif line:
            found.append({"indent": 0, "parts": [line]})
    passages: list[Passage] = []
    for n, comment in enumerate([c for c in found if c["parts"]], start=1):
        parts, commenter = comment["parts"], comment.get("commenter")
        if len(parts) > 1 and _NAME_LINE.match(parts[0]):  # "1. Jo Critic" / "March 6, 2014 at 9:12 am" / the text
            commenter, parts = parts[0], [part for part in parts[1:] if not _POSTED.match(part)] or parts[1:]
        text = " ".join(parts)
        if commenter is None and (named := _COMMENTER.match(text)):
            commenter, text = named.group("name") or named.group("full"), named.group("text") or named.group("said")
        parent = next((i for i in range(n - 2, -1, -1) if found[i]["indent"] < comment["indent"]), None)
        reply_to = passages[parent].id if parent is not None else None
        passages.append(_passage(base, "comment", "c", n, text, commenter=commenter, reply_to=reply_to))
    return passages


def _passage(base: dict, section: str, prefix: str, n: int, text: str, **extra) -> Passage:
    return Passage(
        id=f"{base['review']}/{prefix}{n}",
        section=section,
        position=n,
        text=text,
        sentences=_quotable(split_sentences(_answer_of(text))),  # the critic's answer, not the interviewer's words
        spoiler=None,  # knowledge/spoilers.py: the review's own overrides, then meaning at index build
        # a comment about the website, a paragraph that only warns of spoilers, or a heading: never an answer
        off_topic=labels.about_website(text) if section == "comment" else
        labels.is_reader_note(text) or labels.is_heading(text),
        **base,
        **extra,
    )


def _quotable(sentences: list[str]) -> tuple[str, ...]:
    """The sentences an answer may quote: not the reviewer's notes to the reader (all of them if that is all)."""
    return tuple(s for s in sentences if not labels.is_reader_note(s)) or tuple(sentences)
