"""Answer-quality benchmark: the evaluation set's conversations, said to the real herbot over REST.

Run ``.venv/bin/python -m bench.answers [--url URL] [--no-nlu] [--set PATH]`` (``make eval``).
Without ``--url`` it starts its own ``herbot serve`` on free ports (its logs and a fresh
conversation database in ``$HERBOT_HOME/eval``; the index and the model are the user's,
refreshed and trained there when something changed, as ``make run`` would) and stops it with
SIGTERM at the end, also on a failure or Ctrl-C. Every conversation gets a fresh sender id.

It prints, each measured against the set's checks (``bench/evalset.py``):

- answer accuracy: turns whose reply has the facts it must, none it must not, and cites
  sources when it should (per category, and over all turns);
- grounding: of the replies to factual questions that are answers (not one of the persona's
  "I don't know" lines), the share that cite only real passages of the corpus or real
  entries of the film facts, with each quote verbatim in its passage and each cited fact's
  value in the reply;
- out-of-scope precision: of the out-of-scope and adversarial turns, the share that got no
  invented answer (nothing banned, no source where none may be cited);
- intent F1 on the held-out NLU split, from :func:`herbot.cli.nlu_report.intent_report`
  (``rasa test nlu`` on the local model, a minute or two; ``--no-nlu`` skips it).

Then the goals and every failing turn, with what was expected and what came back. Missed
goals are findings, not errors: the exit status is non-zero only for a broken run (the set
is invalid, the bot cannot be started or reached, the NLU report cannot run).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from actions.phrasing import REVIEW_SOURCE  # a whole review cited (the list of reviews read)
from bench.bots import BenchError, own_herbot
from bench.evalset import (
    EVAL_SET,
    FACTUAL,
    NOT_ANSWERABLE,
    Conversation,
    EvalSetError,
    Turn,
    corpus_of,
    load,
    normalise,
    problems,
)
from herbot.cli import processes
from herbot.cli.client import REPLY_TIMEOUT_SECONDS, answers, check_url
from herbot.settings import BOT_DIR, PROJECT_ROOT, REST_PATH, Settings, get_settings, set_library_environment
from knowledge.ingest import META_SUFFIX

GOAL_ACCURACY = 0.9
GOAL_GROUNDING = 1.0
GOAL_PRECISION = 1.0
GOAL_INTENT_F1 = 0.9
# Lines outside persona.yml that answer nothing: they ask back or say a name is unknown.
NON_ANSWERS = ("utter_person_unknown", "utter_fact_unknown", "utter_fact_awards_none", "utter_other_film",
               "utter_reviews_silent", "utter_which_review", "utter_no_other_review")


class BrokenRun(Exception):
    """The benchmark itself cannot go on (no bot, an invalid set); the message says why."""


# --- what the bot knows: the grounding check ------------------------------------------------------

@dataclass
class Knowledge:
    """The corpus passages and the film facts a source id may name."""

    passages: dict  # passage id -> Passage
    facts: object  # knowledge.facts.FilmFacts
    non_answers: list[re.Pattern]

    @classmethod
    def load(cls, settings: Settings, domain_dir: Path = BOT_DIR / "domain") -> Knowledge:
        from knowledge.facts import load_facts
        from knowledge.ingest import load_corpus

        reviews, _ = load_corpus(settings.reviews_dir)
        passages = {p.id: p for review in reviews for p in review.passages}
        return cls(passages, load_facts(settings.facts_file), non_answer_patterns(domain_dir))

    def is_answer(self, texts: list[str], sources: list[str]) -> bool:
        """Whether a reply claims anything: it cites a source, or says more than the persona's non-answers."""
        return bool(sources) or not all(any(p.fullmatch(t.strip()) for p in self.non_answers) for t in texts)

    def grounding_problems(self, text: str, sources: list[str], quotes: list[dict]) -> list[str]:
        """Why an answer is not grounded: no source, a source that does not exist, a quote or fact it misstates."""
        if not sources:
            return ["an answer that cites no source"]
        wrong = [self._fact_problem(s, text) if s.startswith("facts:") else
                 self._review_problem(s) if s.startswith(REVIEW_SOURCE) else
                 None if s in self.passages else f"cites {s!r}, which is no passage of the corpus"
                 for s in sources]
        for quote in quotes:
            passage = self.passages.get(str(quote.get("passage_id")))
            if passage and normalise(quote.get("sentence") or "") not in normalise(passage.text):
                wrong.append(f"quotes {quote.get('sentence')!r}, which is not in {passage.id}")
        return [w for w in wrong if w]

    def _review_problem(self, source: str) -> str | None:
        review = source.removeprefix(REVIEW_SOURCE)
        known = any(p.review == review for p in self.passages.values())
        return None if known else f"cites {source!r}, which is no review of the corpus"

    def _fact_problem(self, source: str, text: str) -> str | None:
        """``facts:cast:<actor>``, ``facts:awards`` and ``facts:<film entry>`` (see knowledge/answers.py)."""
        said = normalise(text)
        kind, _, rest = source.removeprefix("facts:").partition(":")
        if kind == "cast":
            role = next((r for r in self.facts.cast if r.actor == rest), None)
            if role is None:
                return f"cites {source!r}, which is no cast entry of the film facts"
            return None if normalise(role.actor) in said else f"cites {source!r} but does not name {role.actor}"
        if kind == "trivia":
            known = any(t.get("id") == rest for t in self.facts.trivia)
            return None if known else f"cites {source!r}, which is no trivia entry of the film facts"
        if kind == "awards":
            named = [a["award"] for a in self.facts.awards]
            return None if any(normalise(a) in said for a in named) else f"cites {source!r} but names no award"
        fact = self.facts.film.get(kind)
        if fact is None:
            return f"cites {source!r}, which is no entry of the film facts"
        values = fact.value if isinstance(fact.value, list) else [fact.value]
        missing = [str(v) for v in values if normalise(str(v)) not in said]
        return f"cites {source!r} but does not say {missing}" if missing else None


def non_answer_patterns(domain_dir: Path) -> list[re.Pattern]:
    """Every variant of the persona's lines (and of NON_ANSWERS), placeholders matching any text."""
    patterns = []
    for path in sorted(domain_dir.glob("*.yml")):
        responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        for name, variants in responses.items():
            if path.name == "persona.yml" or name in NON_ANSWERS:
                for variant in variants:
                    if variant.get("text"):
                        parts = re.split(r"\{[^{}]*\}", variant["text"].strip())
                        patterns.append(re.compile(".+?".join(map(re.escape, parts)), re.DOTALL))
    return patterns


# --- driving the bot ------------------------------------------------------------------------------

@dataclass
class TurnResult:
    conversation: str
    number: int
    turn: Turn
    texts: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)
    error: str | None = None  # the bot failed this message (HTTP error, no reply in time)
    problems: list[str] = field(default_factory=list)  # answer accuracy
    answer: bool = False  # the reply claims something (see Knowledge.is_answer)
    grounding: list[str] | None = None  # None: not a factual answer; else its grounding problems
    invented: bool | None = None  # for out-of-scope and adversarial turns

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def passed(self) -> bool:
        return not self.problems


def say(url: str, sender: str, message: str, timeout: float) -> list:
    """One message over Rasa's REST channel; the raw messages, ``custom`` data included."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(f"{url}{REST_PATH}", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"[]")


def run_turn(url: str, sender: str, conversation: str, number: int, turn: Turn, knowledge: Knowledge,
             timeout: float) -> TurnResult:
    result = TurnResult(conversation, number, turn)
    try:
        messages = say(url, sender, turn.say, timeout)
    except urllib.error.HTTPError as error:
        result.error = f"HTTP {error.code} {error.reason}"
    except TimeoutError:
        result.error = f"no reply within {timeout:.0f} s"
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            result.error = f"no reply within {timeout:.0f} s"
        else:
            raise BrokenRun(f"herbot at {url} went away ({error.reason})") from None
    except ValueError:
        result.error = "a reply that is not JSON"
    else:
        if not isinstance(messages, list):
            messages = []
        for message in (m for m in messages if isinstance(m, dict)):
            if message.get("text"):
                result.texts.append(str(message["text"]))
            custom = message.get("custom") if isinstance(message.get("custom"), dict) else {}
            result.sources += [str(s) for s in custom.get("sources") or []]
            result.quotes += [q for q in custom.get("quotes") or [] if isinstance(q, dict)]
        result.sources = list(dict.fromkeys(result.sources + [str(q["passage_id"]) for q in result.quotes
                                                              if q.get("passage_id")]))
        if not result.texts:
            result.error = "no text in the reply"
    judge(result, knowledge)
    return result


def judge(result: TurnResult, knowledge: Knowledge) -> None:
    turn = result.turn
    result.problems = [result.error] if result.error else problems(turn, result.text, result.sources)
    result.answer = not result.error and knowledge.is_answer(result.texts, result.sources)
    if turn.factual and result.answer:
        result.grounding = knowledge.grounding_problems(result.text, result.sources, result.quotes)
    if turn.category in NOT_ANSWERABLE:
        found = normalise(result.text)
        result.invented = (any(normalise(b) in found for b in turn.must_not_contain)
                           or (turn.sources == "forbidden" and bool(result.sources)))


def run_conversations(url: str, conversations: list[Conversation], knowledge: Knowledge,
                      timeout: float) -> list[TurnResult]:
    results = []
    for n, conversation in enumerate(conversations, start=1):
        sender = f"eval-{uuid.uuid4().hex}"  # a fresh conversation: no slot carries over
        outcome = [run_turn(url, sender, conversation.id, i, turn, knowledge, timeout)
                   for i, turn in enumerate(conversation.turns, start=1)]
        results += outcome
        failed = sum(not r.passed for r in outcome)
        note = "ok" if not failed else f"{failed} of {len(outcome)} turns failed"
        log(f"[{n}/{len(conversations)}] {conversation.id}: {note}")
    if all(r.error for r in results):
        raise BrokenRun(f"herbot at {url} answered no message (first: {results[0].error}); nothing was measured")
    return results


def revision() -> str:
    """The commit measured, marked ``-dirty`` when the working tree has changes."""
    try:
        described = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=PROJECT_ROOT,
                                   capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return described.stdout.strip() or "unknown"


# --- intent F1 --------------------------------------------------------------------------------------

def intent_f1(settings: Settings) -> tuple[float, int, list[tuple[str, float]]]:
    """Weighted F1 on the held-out split, its support, and the three weakest intents."""
    from herbot.cli.nlu_report import intent_report
    from herbot.cli.train import TrainingError, train

    try:
        train(settings, out=sys.stderr)  # nothing to do when the model is current
        report = intent_report(settings)
    except (TrainingError, subprocess.CalledProcessError, OSError, ValueError) as error:
        raise BrokenRun(f"the held-out NLU report failed: {error}") from None
    weighted = report["weighted avg"]
    intents = sorted(((name, row["f1-score"]) for name, row in report.items()
                      if isinstance(row, dict) and "f1-score" in row and not name.endswith(" avg")),
                     key=lambda item: item[1])
    return weighted["f1-score"], int(weighted["support"]), intents[:3]


# --- the report -------------------------------------------------------------------------------------

def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def shown(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def print_report(results: list[TurnResult], conversations: list[Conversation], nlu, url: str) -> None:
    print(f"herbot answer quality: {len(conversations)} conversations, {len(results)} turns, "
          f"against {url} (local code at {revision()})")
    print()
    print(f"{'category':14} {'turns':>5} {'passed':>6} {'accuracy':>8}")
    categories = list(dict.fromkeys(c for c in (*FACTUAL, *NOT_ANSWERABLE, "chitchat")
                                    if any(r.turn.category == c for r in results)))
    for category in categories:
        rows = [r for r in results if r.turn.category == category]
        passed = sum(r.passed for r in rows)
        print(f"{category:14} {len(rows):5} {passed:6} {shown(share(passed, len(rows))):>8}")
    passed = sum(r.passed for r in results)
    accuracy = share(passed, len(results))
    print(f"{'all turns':14} {len(results):5} {passed:6} {shown(accuracy):>8}")
    whole = sum(all(r.passed for r in results if r.conversation == c.id) for c in conversations)
    print(f"conversations with every turn right: {whole} of {len(conversations)}")
    print()

    grounded = [r for r in results if r.grounding is not None]
    ok = sum(not r.grounding for r in grounded)
    grounding = share(ok, len(grounded))
    print(f"grounding: {shown(grounding)} ({ok} of {len(grounded)} answers to factual questions cite only real "
          "passages or facts, quotes verbatim)")
    scoped = [r for r in results if r.invented is not None]
    honest = sum(not r.invented for r in scoped)
    precision = share(honest, len(scoped))
    print(f"out-of-scope precision: {shown(precision)} ({honest} of {len(scoped)} out-of-scope and adversarial "
          "turns got no invented answer)")
    if nlu is None:
        f1 = None
        print("held-out intent F1: skipped (--no-nlu)")
    else:
        f1, support, weakest = nlu
        weak = ", ".join(f"{name} {score:.2f}" for name, score in weakest)
        print(f"held-out intent F1 (weighted): {f1:.3f} ({support} examples, bot/tests/nlu/heldout.yml, "
              f"local model; weakest: {weak})")
    print()

    print(f"{'goal':24} {'figure':>6}  {'target':8} result")
    for name, figure, goal in (("answer accuracy", accuracy, GOAL_ACCURACY), ("grounding", grounding, GOAL_GROUNDING),
                               ("out-of-scope precision", precision, GOAL_PRECISION),
                               ("held-out intent F1", f1, GOAL_INTENT_F1)):
        verdict = "skipped" if figure is None else "met" if figure >= goal else "not met"
        print(f"{name:24} {shown(figure):>6}  >= {goal:.2f}  {verdict}")
    print()

    failing = [r for r in results if not r.passed or r.grounding or r.invented]
    print(f"failing turns: {len(failing)}")
    for r in failing:
        turn = r.turn
        print(f"- {r.conversation} turn {r.number} [{turn.category}]: {turn.say!r}")
        expected = [("must contain " + " and ".join(g[0] if len(g) == 1 else "one of " + " | ".join(g)
                                                    for g in turn.must_contain)) if turn.must_contain else "",
                    f"must not contain {' | '.join(turn.must_not_contain)}" if turn.must_not_contain else "",
                    f"sources {turn.sources}"]
        print(f"    expected: {'; '.join(e for e in expected if e)}")
        what = [*r.problems, *(f"grounding: {g}" for g in r.grounding or [])]
        if r.invented:
            what.append("counted as an invented answer")
        print(f"    wrong:    {'; '.join(what)}")
        reply = " / ".join(" ".join(t.split()) for t in r.texts) or "(nothing)"
        print(f"    reply:    {reply[:600]}{'…' if len(reply) > 600 else ''}")
        print(f"    sources:  {', '.join(r.sources) or 'none'}")


def turn_record(r: TurnResult) -> dict:
    """One turn for ``--json``: what was said, what came back, and how it was judged."""
    return {"conversation": r.conversation, "turn": r.number, "category": r.turn.category, "say": r.turn.say,
            "reply": r.texts, "sources": r.sources, "passed": r.passed, "problems": r.problems,
            "answer": bool(r.answer), "grounding": r.grounding, "invented": r.invented}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    set_library_environment()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running herbot (default: start one on free ports and stop it at the end)")
    parser.add_argument("--no-nlu", action="store_true", help="skip the held-out intent F1 (rasa test nlu)")
    parser.add_argument("--set", type=Path, default=EVAL_SET, help=f"the evaluation set (default {EVAL_SET})")
    parser.add_argument("--timeout", type=float, default=REPLY_TIMEOUT_SECONDS, help="seconds to wait for a reply")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write every turn and its reply to PATH")
    args = parser.parse_args(argv)
    settings = get_settings()
    with processes.stop_on_signals():  # Ctrl-C or SIGTERM unwind as Stop, stopping our herbot serve on the way
        try:
            return _run(args, settings)
        except processes.Stop as stop:
            log(f"bench/answers.py: {stop} received, stopped")
            return 128 + stop.signum


def corpus_settings(settings: Settings, files: list[Path] | None, name: str) -> tuple[Settings, dict[str, str]]:
    """Settings (and ``herbot serve`` environment) for a set written for its own review files.

    The files (with their ``.meta.yaml`` metadata) are copied into ``$HERBOT_HOME/eval-corpora/NAME/reviews``,
    beside an index and a model of their own; the exported encoder stays the user's. None: the configured reviews.
    """
    if files is None:
        return settings, {}
    place = settings.home / "eval-corpora" / name
    reviews = place / "reviews"
    shutil.rmtree(reviews, ignore_errors=True)
    reviews.mkdir(parents=True)
    for path in files:
        shutil.copy2(path, reviews / path.name)
        sidecar = path.with_name(path.stem + META_SUFFIX)  # metadata kept beside an unchanged text
        if sidecar.is_file():
            shutil.copy2(sidecar, reviews / sidecar.name)
    own = replace(settings, reviews_dir=reviews, index_dir=place / "index", models_dir=place / "models")
    env = {"HERBOT_REVIEWS_DIR": str(reviews), "HERBOT_INDEX_DIR": str(own.index_dir),
           "HERBOT_MODELS_DIR": str(own.models_dir)}
    return own, env


def _run(args, settings: Settings) -> int:
    try:
        conversations = load(args.set)
        settings, corpus_env = corpus_settings(settings, corpus_of(args.set, PROJECT_ROOT), args.set.stem)
        knowledge = Knowledge.load(settings)
        with ExitStack() as stack:
            if args.url:
                try:
                    url = check_url(args.url)
                except ValueError as error:
                    raise BrokenRun(str(error)) from None
                if not answers(url):
                    raise BrokenRun(f"nothing answers at {url}")
            else:
                url = stack.enter_context(own_herbot(settings, settings.home / "eval", corpus_env)).url
            results = run_conversations(url, conversations, knowledge, args.timeout)
        nlu = None if args.no_nlu else intent_f1(settings)
    except (BrokenRun, BenchError, EvalSetError) as error:
        log(f"bench/answers.py: {error}")
        return 1
    print_report(results, conversations, nlu, url)
    if args.json:
        args.json.write_text(json.dumps([turn_record(r) for r in results], indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
