"""The ``herbot`` command: build and search the index, train, serve, and talk to herbot (shell, ask).

Every known failure ends in one line on stderr naming the problem and a non-zero
exit status, never a stack trace.
"""

from __future__ import annotations

import argparse
import json
import sys

from herbot.settings import get_settings, set_library_environment


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit status 1."""


def main(argv: list[str] | None = None) -> int:
    set_library_environment()
    parser = _parser()
    args = parser.parse_args(argv)
    from knowledge.embedding import ModelUnavailable
    from knowledge.index import IndexUnavailable
    from knowledge.ingest import ReviewFileError
    from knowledge.retrieval import QueryError

    try:
        return args.run(args)
    except (UserError, ReviewFileError, IndexUnavailable, ModelUnavailable, QueryError) as error:
        print(f"herbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("herbot: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="herbot", description="Talk about the film Her with what its reviewers wrote."
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    index = commands.add_parser("index", help="build or refresh the review index")
    index.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    index.set_defaults(run=run_index)

    search = commands.add_parser("search", help="show the passages that answer a question")
    search.add_argument("question")
    search.add_argument("--top-k", type=int, default=5, metavar="N", help="how many passages (default 5)")
    search.add_argument("--json", action="store_true", help="print a JSON list")
    search.add_argument("--no-spoilers", action="store_true", help="leave out passages that reveal the ending")
    search.add_argument("--review", metavar="ID", help="only this review (its file name without .txt or .md)")
    search.add_argument("--comments-only", action="store_true", help="only reader comments")
    search.set_defaults(run=run_search)

    train = commands.add_parser("train", help="train the Rasa model (only if the bot changed)")
    train.add_argument("--force", action="store_true", help="retrain even when nothing changed")
    train.set_defaults(run=run_train)

    serve = commands.add_parser("serve", help="start the assistant: action server and Rasa server")
    serve.add_argument("--port", type=int, metavar="P", help="the Rasa server's port (default $HERBOT_PORT or 5005)")
    serve.add_argument("--cors", action="append", metavar="ORIGIN",
                       help="allow browser requests from ORIGIN (repeatable; default: only the bot's own origin)")
    only = serve.add_mutually_exclusive_group()
    only.add_argument("--rasa-only", dest="role", action="store_const", const="rasa",
                      help="start only the Rasa server; its actions are at $HERBOT_ACTION_URL")
    only.add_argument("--actions-only", dest="role", action="store_const", const="actions",
                      help="start only the action server (on $HERBOT_ACTION_HOST:$HERBOT_ACTION_PORT)")
    serve.set_defaults(run=run_serve, role="all")

    url_help = "herbot's address (default http://$HERBOT_HOST:$HERBOT_PORT)"
    shell = commands.add_parser("shell", help="chat with herbot in the terminal (starts herbot if none answers)")
    shell.add_argument("--url", metavar="URL", help=url_help)
    shell.add_argument("--transcript", metavar="FILE", help="when the shell ends, write the conversation to FILE "
                                                           "as Markdown (as `herbot transcript` prints it)")
    shell.set_defaults(run=run_shell)

    ask = commands.add_parser("ask", help="ask a running herbot one question and print the answer")
    ask.add_argument("question")
    ask.add_argument("--url", metavar="URL", help=url_help)
    ask.set_defaults(run=run_ask)

    transcript = commands.add_parser("transcript", help="print a conversation from the tracker store")
    transcript.add_argument("sender", help="the conversation's sender id")
    transcript.add_argument("--format", choices=("md", "json"), default="md")
    transcript.set_defaults(run=run_transcript)

    ratings = commands.add_parser("ratings", help="what users thought of the answers (stored thumbs)")
    ratings.add_argument("--since", help="only thumbs from this date on (YYYY-MM-DD)")
    ratings.add_argument("--json", action="store_true", help="print the report as JSON")
    ratings.set_defaults(run=run_ratings)
    return parser


def run_index(args) -> int:
    from knowledge.pipeline import refresh_index

    settings = get_settings()
    result = refresh_index(settings, force=args.force, progress=sys.stderr.isatty(), out=sys.stdout)
    report, manifest = result.report, result.manifest
    print(
        f"Read {counted(report.reviews, 'review')}: {counted(report.paragraphs, 'paragraph')}, "
        f"{counted(report.comments, 'reader comment')} ({report.off_topic} about the website, kept out of answers), "
        f"{counted(report.spoilers, 'spoiler passage')}."
    )
    for item, reason in report.skipped:
        print(f"  skipped {item!r}: {reason}")
    work = result.work
    state = (f"built in {manifest['build_seconds']} s ({result.reason}; {work['vectors reused']:,} vectors reused, "
             f"{work['vectors embedded']:,} embedded)" if result.rebuilt else "up to date, nothing rebuilt")
    if result.rebuilt:
        print("Time taken: " + "; ".join(f"{what} {seconds} s" for what, seconds in work["seconds"].items()) + ".")
    print(
        f"Index {settings.index_dir}: {manifest['passages']} passages, {manifest['index_type']} "
        f"{manifest['model']['dimension']}-d vectors from {manifest['model']['name']}; {state}."
    )
    return 0


def run_search(args) -> int:
    from knowledge.retrieval import Filters, clean_query, open_retriever

    clean_query(args.question, get_settings().max_query_chars)  # refuse bad input before loading the model
    retriever = open_retriever(get_settings())
    reviews = list(retriever.reviews)
    if args.review and args.review not in reviews:
        raise UserError(f"unknown review {args.review!r}; known reviews: {', '.join(reviews)}")
    filters = Filters(
        spoilers=not args.no_spoilers,
        review=args.review,
        section="comment" if args.comments_only else None,
    )
    hits = retriever.search(args.question, top_k=args.top_k, filters=filters)
    if args.json:
        print(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print(
            f"Nothing in the reviews answers that closely enough (no passage scores {retriever.min_score:.2f} or more)."
        )
        return 0
    for hit in hits:
        p = hit.passage
        flags = ["reader comment" if p.section == "comment" else "review body"]
        if p.spoiler:
            flags.append("SPOILER")
        print(f"{hit.rank}. {hit.score:.3f}  {p.source_label}  [{', '.join(flags)}]  ({p.id})")
        print(f"   > {hit.sentence}")
    return 0


def run_train(args) -> int:
    from herbot.cli import train

    try:
        return train.run(get_settings(), force=args.force)
    except train.TrainingError as error:
        raise UserError(error) from None


def run_serve(args) -> int:
    from herbot.cli.serve import ServeError, serve
    from herbot.cli.train import TrainingError

    try:
        return serve(get_settings(), port=args.port, cors=args.cors, role=args.role)
    except (ServeError, TrainingError) as error:
        raise UserError(error) from None


def run_shell(args) -> int:
    from herbot.cli import shell

    try:
        return shell.run(get_settings(), args.url, transcript=args.transcript)
    except (shell.ShellError, ValueError) as error:
        raise UserError(error) from None


def run_ask(args) -> int:
    from herbot.cli.client import BotError, BotUnreachable, Conversation
    from herbot.cli.shell import print_reply

    if not args.question.strip():
        raise UserError("the question is empty")
    settings = get_settings()
    try:
        conversation = Conversation(args.url or settings.base_url, channel="ask")
        reply = conversation.say(args.question)
    except BotUnreachable as error:
        raise UserError(f"{error}; start it with 'herbot serve'") from None
    except (BotError, ValueError) as error:
        raise UserError(error) from None
    print_reply(reply)
    return 0


def run_transcript(args) -> int:
    from herbot.cli import stored_events, transcripts

    try:
        messages = transcripts.turns(stored_events.location(get_settings()), args.sender)
    except stored_events.TrackerDbError as error:
        print(f"herbot: {error}", file=sys.stderr)
        return 2
    print(json.dumps(messages, indent=2, ensure_ascii=False) if args.format == "json"
          else transcripts.markdown(messages, transcripts.title(args.sender)), end="" if args.format == "md" else "\n")
    return 0


def run_ratings(args) -> int:
    from herbot.cli import ratings_report, stored_events

    try:
        since = ratings_report.since_date(args.since) if args.since else None
        summary = ratings_report.report(ratings_report.stored_ratings(stored_events.location(get_settings()), since))
    except (ValueError, stored_events.TrackerDbError) as error:
        print(f"herbot: {error}", file=sys.stderr)
        return 2
    shown = json.dumps(summary, indent=2, ensure_ascii=False) + "\n" if args.json else ratings_report.text(summary)
    print(shown, end="")
    return 0


def counted(n: int, noun: str) -> str:
    """ "1 review", "2 reviews": a count said as English says it."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
