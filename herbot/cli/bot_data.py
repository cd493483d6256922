"""The parts of the Rasa project made from the loaded reviews, at train time (herbot/cli/train.py).

Every name a review goes by becomes a ``reviewer`` lookup entry and a synonym of the review's
id; general example sentences (``bot/reviewer_examples.yml``) are written out with the
reviews' names; the persona's slots say how many reviews herbot has read and whose. Nothing
in ``bot/`` names a particular review, so a review added, removed or renamed changes these
files and so retrains the bot.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

from knowledge.review_set import ReviewInfo, count_words, join, reviews_read

EXAMPLES = "reviewer_examples.yml"  # in bot/: the templates
NLU_FILE = Path("data") / "nlu" / "from_reviews.yml"
DOMAIN_FILE = Path("domain") / "from_reviews.yml"
MAX_PER_INTENT = 24  # named examples per intent, whatever the number of reviews
MAX_LISTED = 3  # reviewers named in "I've read …, from …"; beyond that, a count
_MAX_NAME_WORDS = 5  # longer names (whole titles) are in the lookup table and synonyms, not in examples
_QUOTE_MARKS = re.compile(r"[\"“”„«»]")
_MARKUP = re.compile(r"[\[\](){}]")  # would break an annotated example
_HEADER = "# Made by `herbot train` from the loaded reviews (herbot/cli/bot_data.py); do not edit.\n"


def generated_files(reviews: list[ReviewInfo], templates: dict[str, list[str]],
                    taken: set[str] = frozenset()) -> dict[Path, str]:
    """The NLU and domain files for these reviews, by their path in the Rasa project.

    ``taken``: texts the bot's own NLU data already gives a meaning (casefolded), left out.
    """
    return {NLU_FILE: _header(nlu_data(reviews, templates, taken)), DOMAIN_FILE: _header(domain_data(reviews))}


def load_templates(path: Path) -> dict[str, list[str]]:
    """Example templates by intent (``{reviewer}``, ``{other}``), as kept in ``bot/reviewer_examples.yml``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise ValueError(f"{path}: expected intents, each with a list of example templates")
    return {str(intent): [str(line) for line in lines] for intent, lines in data.items()}


def taken_texts(data_dir: Path) -> set[str]:
    """What the bot's own NLU data maps or looks up (synonyms, lookup tables), casefolded."""
    taken: set[str] = set()
    for path in sorted(data_dir.rglob("*.yml")):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if isinstance(entry, dict) and ("synonym" in entry or "lookup" in entry):
                taken.add(str(entry.get("synonym", "")).casefold())
                taken |= {line.casefold() for line in _lines(entry.get("examples", ""))}
    return taken - {""}


def names_of(review: ReviewInfo) -> list[str]:
    """Every name of the review (:meth:`ReviewInfo.called`), each also without quotation marks.

    Longest first, then alphabetical: the same files in every process (``called`` orders a set).
    """
    names: list[str] = []
    for name in sorted(review.called(), key=lambda n: (-len(n), n)):
        for variant in (name, " ".join(_QUOTE_MARKS.sub(" ", name).split())):
            if variant and variant.casefold() not in {n.casefold() for n in names}:
                names.append(variant)
    return names


def nlu_data(reviews: list[ReviewInfo], templates: dict[str, list[str]], taken: set[str] = frozenset()) -> dict:
    """A ``reviewer`` lookup table, a synonym per review (its names → its id) and named examples."""
    names = {r.id: [n for n in names_of(r) if n.casefold() not in taken] for r in reviews}
    owners = Counter(key for r in reviews for key in {n.casefold() for n in names[r.id]})
    entries: list[dict] = []
    everyone = _unique(n for r in reviews for n in names[r.id])
    if everyone:
        entries.append({"lookup": "reviewer", "examples": _block(everyone)})
    for review in reviews:
        # A name two reviews share names neither: it stays as said, for the actions to ask which.
        own = [n for n in names[review.id] if owners[n.casefold()] == 1]
        texts = [t for t in _unique([*own, *(n.lower() for n in own)]) if t != review.id]
        if texts:
            entries.append({"synonym": review.id, "examples": _block(texts)})
    spoken = {r.id: _spoken(r, names[r.id]) for r in reviews}
    turns = Counter()
    for intent, lines in templates.items():
        if examples := _examples(reviews, spoken, lines, turns):
            entries.append({"intent": intent, "examples": _block(examples)})
    return {"version": "3.1", "nlu": entries}


def domain_data(reviews: list[ReviewInfo]) -> dict:
    """Slots the persona's lines fill in: what herbot has read, from whom, and a question to suggest."""
    many = len(reviews) > 1
    values = {
        "reviews_read": reviews_read(len(reviews)),  # "two reviews of Her"
        "reviews_by": reviews_by(reviews),  # "Ada Reviewer (Some Magazine) and two others"
        "reviewers": "the reviewers" if many else "the reviewer",
        # Comparing needs two reviews; with one, a question that one answers.
        "reviews_question": "Do the reviewers agree?" if many else "Would the reviewer recommend it?",
    }
    slots = {name: {"type": "text", "initial_value": value, "influence_conversation": False,
                    "mappings": [{"type": "custom"}]} for name, value in values.items()}
    return {"version": "3.1", "slots": slots}


def reviews_by(reviews: list[ReviewInfo]) -> str:
    """Who wrote them: every reviewer up to a few, else the first ones and a count of the rest."""
    credits = [_credit(review) for review in reviews]
    if len(credits) <= MAX_LISTED:
        return join(credits)
    rest = len(credits) - (MAX_LISTED - 1)
    return join([*credits[:MAX_LISTED - 1], f"{count_words(rest)} others"])


def _credit(review: ReviewInfo) -> str:
    if review.author:
        return f"{review.author} ({review.outlet})" if review.outlet else review.author
    return review.outlet or f"“{review.short_title}”"


def _spoken(review: ReviewInfo, names: list[str]) -> list[str]:
    """The names to write examples with: short ones, the author's first."""
    usable = [n for n in names
              if len(n.split()) <= _MAX_NAME_WORDS and not _MARKUP.search(n) and not _QUOTE_MARKS.search(n)]
    return sorted(usable, key=lambda n: (n != review.author, len(n.split()), len(n)))


def _examples(reviews: list[ReviewInfo], spoken: dict[str, list[str]], templates: list[str],
              turns: Counter) -> list[str]:
    """Each review in turn with the next template, until every template is used or the budget is."""
    usable = [t for t in templates if "{other}" not in t or len(reviews) > 1]
    named = [r for r in reviews if spoken[r.id]]
    examples: list[str] = []
    for round_ in range(len(usable)):
        for index, review in enumerate(named):
            if len(examples) >= MAX_PER_INTENT:
                return _unique(examples)
            other = named[(index + 1) % len(named)]
            template = usable[(index + round_) % len(usable)]
            if "{other}" in template and other is review:
                continue
            examples.append(template.format(reviewer=_mention(review, spoken, turns),
                                            other=_mention(other, spoken, turns) if "{other}" in template else ""))
    return _unique(examples)


def _mention(review: ReviewInfo, spoken: dict[str, list[str]], turns: Counter) -> str:
    """The review's next name (in turn, so its examples use all of them), annotated; every
    third one in lower case, as people often type names in a chat."""
    names, turn = spoken[review.id], turns[review.id]
    name = names[turn % len(names)]
    turns[review.id] += 1
    return f"[{name.lower() if turn % 3 == 2 else name}](reviewer)"


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))


def _lines(block: str) -> list[str]:
    return [line.strip()[2:].strip() for line in str(block).splitlines() if line.strip().startswith("- ")]


def _block(items: list[str]) -> str:
    return "".join(f"- {item}\n" for item in items)


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as ``|`` blocks, as Rasa's own NLU files write them."""


_Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def _header(data: dict) -> str:
    return _HEADER + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
