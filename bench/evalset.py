"""The answer-quality evaluation set (``bench/eval/conversations.yaml``): loading, checking its
schema, and judging one reply against one turn's expectations.

Shared by the runner (``bench/answers.py``) and the fast test of the set itself
(``tests/test_eval_set.py``), so that both read the file the same way. The schema is
documented at the top of the YAML file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.ingest import REVIEW_SUFFIXES

EVAL_SET = Path(__file__).resolve().parent / "eval" / "conversations.yaml"
FACTUAL = ("fact", "cast", "opinion", "plot", "comments", "followup", "spoiler")
NOT_ANSWERABLE = ("out_of_scope", "adversarial")
CATEGORIES = (*FACTUAL, *NOT_ANSWERABLE, "chitchat")
SOURCE_RULES = ("required", "forbidden", "optional")
MAX_TURNS = 4
_TURN_KEYS = {"say", "category", "must_contain", "must_not_contain", "sources"}
_CONVERSATION_KEYS = {"id", "category", "turns"}
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})


class EvalSetError(ValueError):
    """The set breaks its schema; the message lists every problem with where it is."""


def corpus_of(path: Path, root: Path) -> list[Path] | None:
    """The review files a set is written for (its ``corpus: {reviews: [...]}``), or None for the configured ones.

    Entries are files or folders relative to ``root`` (the project); a folder stands for its review files.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise EvalSetError(f"{path}: cannot read the evaluation set ({error})") from None
    corpus = data.get("corpus") if isinstance(data, dict) else None
    if corpus is None:
        return None
    entries = corpus.get("reviews") if isinstance(corpus, dict) else None
    if not isinstance(entries, list) or not entries or not all(isinstance(e, str) for e in entries):
        raise EvalSetError(f"{path}: 'corpus' must be {{reviews: [file or folder, ...]}}")
    files: list[Path] = []
    for entry in entries:
        found = root / entry
        if found.is_dir():
            files += sorted(path for path in found.iterdir() if path.suffix in REVIEW_SUFFIXES)
        elif found.is_file():
            files.append(found)
        else:
            raise EvalSetError(f"{path}: corpus entry {entry!r} is neither a file nor a folder of {root}")
    if len({f.name for f in files}) != len(files):
        raise EvalSetError(f"{path}: two corpus files share a name")
    return files


@dataclass(frozen=True)
class Turn:
    say: str
    category: str
    must_contain: tuple[tuple[str, ...], ...]  # every group must match; any string of a group will do
    must_not_contain: tuple[str, ...]
    sources: str  # one of SOURCE_RULES

    @property
    def factual(self) -> bool:
        return self.category in FACTUAL


@dataclass(frozen=True)
class Conversation:
    id: str
    turns: tuple[Turn, ...]


def normalise(text: str) -> str:
    """What matching compares: case folded, straight quotes, single spaces."""
    return " ".join(str(text).translate(_QUOTES).casefold().split())


def problems(turn: Turn, text: str, sources: list[str]) -> list[str]:
    """Why ``text`` (with ``sources`` cited) fails ``turn``'s checks; empty when it passes."""
    found = normalise(text)
    wrong = []
    for group in turn.must_contain:
        if not any(normalise(option) in found for option in group):
            wrong.append("missing " + (repr(group[0]) if len(group) == 1 else "one of " + repr(list(group))))
    wrong += [f"contains {banned!r}" for banned in turn.must_not_contain if normalise(banned) in found]
    if turn.sources == "required" and not sources:
        wrong.append("cites no source")
    elif turn.sources == "forbidden" and sources:
        wrong.append(f"cites sources {sources}")
    return wrong


def load(path: Path = EVAL_SET) -> list[Conversation]:
    """Read and check the set; raises :class:`EvalSetError` naming every problem found."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise EvalSetError(f"{path}: cannot read the evaluation set ({error})") from None
    errors: list[str] = []
    entries = data.get("conversations") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise EvalSetError(f"{path}: needs a non-empty list under 'conversations'")
    conversations, seen = [], set()
    for n, entry in enumerate(entries, start=1):
        where = f"conversation {n}"
        if not isinstance(entry, dict):
            errors.append(f"{where}: not a mapping")
            continue
        where = f"conversation {entry.get('id', n)!r}"
        errors += [f"{where}: unknown key {key!r}" for key in sorted(set(entry) - _CONVERSATION_KEYS)]
        cid = entry.get("id")
        if not isinstance(cid, str) or not _ID.fullmatch(cid):
            errors.append(f"{where}: 'id' must be kebab-case text")
        elif cid in seen:
            errors.append(f"{where}: duplicate id")
        seen.add(cid)
        turns = entry.get("turns")
        if not isinstance(turns, list) or not 1 <= len(turns) <= MAX_TURNS:
            errors.append(f"{where}: 'turns' must list 1 to {MAX_TURNS} turns")
            continue
        parsed = [_turn(turn, entry.get("category"), f"{where} turn {i}", errors)
                  for i, turn in enumerate(turns, start=1)]
        conversations.append(Conversation(str(cid), tuple(t for t in parsed if t is not None)))
    if errors:
        raise EvalSetError(f"{path}:\n  " + "\n  ".join(errors))
    return conversations


def _turn(entry, default_category, where: str, errors: list[str]) -> Turn | None:
    if not isinstance(entry, dict):
        errors.append(f"{where}: not a mapping")
        return None
    errors += [f"{where}: unknown key {key!r}" for key in sorted(set(entry) - _TURN_KEYS)]
    say = entry.get("say")
    if not isinstance(say, str) or not say.strip():
        errors.append(f"{where}: 'say' must be non-empty text")
    category = entry.get("category", default_category)
    if category not in CATEGORIES:
        errors.append(f"{where}: category {category!r} is not one of {', '.join(CATEGORIES)}")
    must = entry.get("must_contain", [])
    must_not = entry.get("must_not_contain", [])
    if not isinstance(must, list) or not isinstance(must_not, list):
        errors.append(f"{where}: 'must_contain' and 'must_not_contain' must be lists")
        return None
    groups = tuple(_flat(item) if isinstance(item, list) else (item,) for item in must)
    banned = _flat(must_not)
    if any(not group or not all(isinstance(s, str) and s.strip() for s in group) for group in groups) \
            or not all(isinstance(s, str) and s.strip() for s in banned):
        errors.append(f"{where}: every expected or banned phrase must be non-empty text")
    if not groups and not banned:
        errors.append(f"{where}: needs 'must_contain' or 'must_not_contain'")
    default_rule = "required" if category in FACTUAL else "forbidden"
    sources = entry.get("sources", default_rule)
    if sources not in SOURCE_RULES:
        errors.append(f"{where}: 'sources' must be one of {', '.join(SOURCE_RULES)}")
    return Turn(str(say), str(category), groups, banned, str(sources))


def _flat(items: list) -> tuple:
    """Nested lists (YAML anchors of phrase lists) flattened into one tuple, order kept, once each."""
    out: list = []
    for item in items:
        out += _flat(item) if isinstance(item, list) else [item]
    return tuple(dict.fromkeys(out))
