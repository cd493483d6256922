"""Fact questions about other films: which ones herbot reads as another film, against a labelled set.

Run ``.venv/bin/python -m bench.other_films [--set PATH] [--errors]``. The set is a YAML file with ``questions``,
each a ``text``, ``about: her|other`` and, for another film, its ``title``. A question about another film is read
right when herbot names that film (case aside); one about Her when it names none. The default set,
tests/data/labels/other_films_heldout.yaml, was written for this by a helper who saw no code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from herbot.settings import PROJECT_ROOT, get_settings, set_library_environment

HELDOUT = PROJECT_ROOT / "tests" / "data" / "labels" / "other_films_heldout.yaml"


def film_read(knowledge, question: str) -> str | None:
    """The other film herbot reads in a question, as the fact and scope actions do: one a review names first."""
    from knowledge.answers import another_works_facts
    from knowledge.other_films import another_film

    return another_works_facts(knowledge, question) or another_film(knowledge.facts, question, knowledge.own_names)


def main(argv: list[str] | None = None) -> int:
    set_library_environment()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=HELDOUT)
    parser.add_argument("--errors", action="store_true", help="list the questions read wrong")
    args = parser.parse_args(argv)
    from knowledge.loaded import get_knowledge

    knowledge = get_knowledge(get_settings())
    right = {"her": 0, "other": 0}
    total = {"her": 0, "other": 0}
    for item in yaml.safe_load(args.set.read_text(encoding="utf-8"))["questions"]:
        read = film_read(knowledge, item["text"])
        ok = read is None if item["about"] == "her" else (read or "").casefold() == item["title"].casefold()
        total[item["about"]] += 1
        right[item["about"]] += ok
        if args.errors and not ok:
            print(f"  {item['about']:5} {item['text']!r} -> {read!r}")
    for about in ("other", "her"):
        print(f"{about:5}: {right[about]}/{total[about]} = {right[about] / max(total[about], 1):.2f}")
    print(f"all  : {sum(right.values()) / max(sum(total.values()), 1):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
