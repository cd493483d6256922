"""The herbot command in real processes: output, JSON, and one-line errors for bad input."""

import json
import shutil


def test_index_reports_what_it_read(herbot_cli, built_index):
    result = herbot_cli("index")
    assert result.returncode == 0, result.stderr
    assert "Read 2 reviews: 12 paragraphs, 3 reader comments (2 about the website" in result.stdout
    assert "skipped 'her-makes-sci-fi-heartfelt.txt: Share': page chrome" in result.stdout
    assert "up to date, nothing rebuilt" in result.stdout


def test_search_prints_ranked_passages_with_sources(herbot_cli, built_index):
    result = herbot_cli("search", "who voices Samantha?", "--top-k", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1. ") and lines[2].startswith("2. ")
    assert "Scarlett Johansson" in result.stdout


def test_search_json_and_filters(herbot_cli, built_index):
    result = herbot_cli("search", "how does the film end for Theodore and Samantha?", "--json", "--no-spoilers",
                        "--review", "her-explores-love-with-an-os")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits, "expected spoiler-free passages from one review"
    for hit in hits:
        assert {"text", "sentence", "score", "review", "section", "spoiler"} <= set(hit)
        assert hit["review"] == "her-explores-love-with-an-os" and hit["spoiler"] is False


def test_nothing_relevant_is_said_plainly(herbot_cli, built_index):
    result = herbot_cli("search", "how do I bake sourdough bread?")
    assert result.returncode == 0
    assert result.stdout.startswith("Nothing in the reviews answers that closely enough")
    assert json.loads(herbot_cli("search", "how do I bake sourdough bread?", "--json").stdout) == []


def one_line_error(result, *fragments):
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_bad_queries(herbot_cli, built_index):
    one_line_error(herbot_cli("search", "   "), "herbot: the question is empty")
    one_line_error(herbot_cli("search", "x" * 100_000), "100,000 characters long; the limit is 2,000")
    one_line_error(herbot_cli("search", "hi", "--review", "nope"), "unknown review 'nope'")


def test_missing_index(herbot_cli, tmp_path):
    result = herbot_cli("search", "who is Theodore?", env={"HERBOT_INDEX_DIR": str(tmp_path / "none")})
    one_line_error(result, "no index here; run 'herbot index' to build it")


def test_a_bad_review_file_stops_the_build_and_keeps_the_index(herbot_cli, settings, tmp_path, built_index):
    reviews, index_dir = tmp_path / "reviews", tmp_path / "index"
    shutil.copytree(settings.reviews_dir, reviews)
    env = {"HERBOT_REVIEWS_DIR": str(reviews), "HERBOT_INDEX_DIR": str(index_dir)}
    assert herbot_cli("index", env=env).returncode == 0
    manifest = (index_dir / "manifest.json").read_text()

    (reviews / "latin1.txt").write_bytes("A title\n\nCaf\xe9 review\n".encode("latin-1"))
    one_line_error(herbot_cli("index", env=env), "latin1.txt: not UTF-8 text")
    (reviews / "latin1.txt").write_bytes(b"")
    one_line_error(herbot_cli("index", env=env), "latin1.txt: empty file")

    assert (index_dir / "manifest.json").read_text() == manifest
    assert herbot_cli("search", "who plays Theodore?", env=env).returncode == 0


def test_counts_are_said_as_english_says_them():
    from herbot.cli.commands import counted

    assert (counted(1, "review"), counted(0, "reader comment"), counted(2, "spoiler passage")) == (
        "1 review", "0 reader comments", "2 spoiler passages")
