"""A piece on several films: only the film's own section is about it (knowledge/film_sections.py)."""

from knowledge.film_sections import other_films_off_topic
from knowledge.ingest import read_review

ROUND_UP = ("This Week at the Pictures\n\nBy Jo Critic for The Example Weekly\n\nThree new films open.\n\n"
            "THE SALT ROAD\n\nGrade: A-\n\nA sea captain's last voyage, told with great patience.\n\n"
            "HER\n\nGrade: C+\n\nA love story with an operating system, gentle but far too long.\n\n"
            "WINTER HOURS\n\nGrade: B\n\nTwo sisters keep a shop through a hard winter.\n")


def test_the_sections_of_other_films_are_off_topic(tmp_path):
    path = tmp_path / "this-week.txt"
    path.write_text(ROUND_UP, encoding="utf-8")
    passages = other_films_off_topic(list(read_review(path)[0].passages), "Her")
    kept = [p.text for p in passages if not p.off_topic]
    assert kept == ["Three new films open.", "Grade: C+",
                    "A love story with an operating system, gentle but far too long."]


def test_a_review_with_headings_of_its_own_topics_keeps_them(tmp_path):
    """"## The performances", "## Verdict": no heading is the title, or none is written like one; nothing is lost."""
    path = tmp_path / "sections.md"
    path.write_text("---\ntitle: A Review\n---\n\n## Her\n\nThe film is gentle.\n\n## The performances\n\n"
                    "The lead is superb.\n\n## Verdict\n\nSee it.\n", encoding="utf-8")
    passages = other_films_off_topic(list(read_review(path)[0].passages), "Her")
    assert [p.text for p in passages if not p.off_topic] == ["The film is gentle.", "The lead is superb.", "See it."]
