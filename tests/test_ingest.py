"""Ingestion of the two real reviews: structure, chrome, repairs and labels."""

import re
from pathlib import Path

import pytest

from knowledge import labels, spoilers
from knowledge.ingest import ReviewFileError, load_corpus, read_review, review_digest, review_files
from knowledge.text import repair

BEEZJAK = "her-explores-love-with-an-os"
BLOG = "her-makes-sci-fi-heartfelt"


@pytest.fixture(scope="module")
def reviews(settings):
    loaded, report = load_corpus(settings.reviews_dir)
    return {review.id: review for review in loaded}, report


def by_id(reviews, pid):
    review = reviews[pid.split("/")[0]]
    return next(p for p in review.passages if p.id == pid)


def test_counts_for_both_reviews(reviews):
    loaded, report = reviews
    beezjak, blog = loaded[BEEZJAK], loaded[BLOG]
    assert [p.section for p in beezjak.passages] == ["body"] * 5
    assert [p.section for p in blog.passages] == ["body"] * 7 + ["comment"] * 3
    assert (report.reviews, report.paragraphs, report.comments) == (2, 12, 3)


def test_titles_and_authors(reviews):
    loaded, _ = reviews
    assert loaded[BEEZJAK].title == "“Her” explores the possibilities and reality of love with OS"
    assert loaded[BEEZJAK].author == "Sam Beezjak"
    assert loaded[BLOG].title == '"Her" Makes Sci-Fi Heartfelt'
    assert loaded[BLOG].author is None


def test_page_chrome_is_dropped_and_reported(reviews):
    loaded, report = reviews
    texts = [p.text for review in loaded.values() for p in review.passages]
    assert "Share" not in texts
    assert not any("Makes Sci-Fi Heartfelt" in text for text in texts)
    assert not any(text.startswith("By ") for text in texts)
    assert not any("thoughts on" in text for text in texts)
    reasons = sorted(reason for _, reason in report.skipped)
    assert reasons == ["comment counter", "page chrome", "repeated title", "the folder's own notes, not a review"]


def test_single_newline_between_long_lines_starts_a_paragraph(reviews):
    loaded, _ = reviews
    assert by_id(loaded, f"{BLOG}/p2").text.startswith("“Her” follows recently divorced")
    assert by_id(loaded, f"{BLOG}/p3").text.startswith("Once set up, Theodore")


def test_broken_dash_is_repaired(reviews):
    loaded, _ = reviews
    text = by_id(loaded, f"{BLOG}/p3").text
    assert "Samantha – voiced flawlessly by Scarlett Johansson – develop" in text
    assert "Р" not in text
    assert all("Р" not in p.text for review in loaded.values() for p in review.passages)


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("Samantha Рvoiced flawlessly", "Samantha – voiced flawlessly"),
        ("Johansson Рdevelop a bond", "Johansson – develop a bond"),
        ("Jonze  masterfully", "Jonze masterfully"),
        ("Spike Jonzeâ€™s latest film", "Spike Jonze’s latest film"),  # classic mojibake, fixed by ftfy
        ("Москва Рим", "Москва Рим"),  # real Cyrillic text is left alone
    ],
)
def test_repair_rules(broken, fixed):
    assert repair(broken) == fixed


def test_spoiler_labels(reviews, encoder):
    loaded, _ = reviews
    labelled = spoilers.label([p for review in loaded.values() for p in review.passages], encoder)
    found = sorted(p.id for p in labelled if p.spoiler)
    # The last third and the break-up; the blog's paragraph on the ending.
    assert found == [f"{BEEZJAK}/p5", f"{BLOG}/p6"]
    # "(Some slight spoilers ahead)" is a warning, not a reveal, and never a quotable sentence.
    p1 = next(p for p in labelled if p.id == f"{BLOG}/p1")
    assert p1.spoiler is False
    assert "(Some slight spoilers ahead)" in p1.text and not any("spoilers ahead" in s for s in p1.sentences)


@pytest.mark.parametrize(("sentence", "note"), [
    ("(Some slight spoilers ahead)", True), ("Spoilers ahead!", True), ("Spoiler alert:", True),
    ("[minor spoilers below]", True), ("The ending is full of spoilers ahead of its time.", False),
    ("No spoilers here, but the acting is superb.", False),
])
def test_reader_notes_are_told_from_sentences_about_the_film(sentence, note):
    assert labels.is_reader_note(sentence) is note


def test_comments_about_the_website_are_off_topic(reviews):
    loaded, _ = reviews
    c1, c2, c3 = (by_id(loaded, f"{BLOG}/c{n}") for n in (1, 2, 3))
    assert not c1.off_topic
    assert c2.off_topic and c3.off_topic
    assert c3.reply_to == c2.id and c1.reply_to is None and c2.reply_to is None
    assert "both show the same outcome" in c2.text  # wrapped lines joined into one comment
    assert not any(p.off_topic for p in loaded[BEEZJAK].passages)


def test_a_forum_threads_replies_are_comments_each_under_its_posters_line(tmp_path):
    """A forum thread: the opening post is the body, and each reply under "name · N points" is a comment of that
    poster; a reply about the forum itself is off topic."""
    path = tmp_path / "thread.txt"
    path.write_text("Is this film too sad?\n\nPosted by moviefan_84 on March 3, 2014 in The Example Forum\n\n"
                    "I cried for an hour afterwards. Is that normal?\n\n3 Replies\n\n"
                    "jo_critic · 41 points\nYes, and the music makes it worse, in a good way.\n\n"
                    "night_owl · 12 points\nHas the dark mode on this forum broken for anyone else?\n\n"
                    "moviefan_84 · 3 points\n@jo_critic fair, the music really is lovely.\n", encoding="utf-8")
    review, _ = read_review(path)
    comments = [p for p in review.passages if p.section == "comment"]
    assert [(c.commenter, c.off_topic) for c in comments] == [("jo_critic", False), ("night_owl", True),
                                                              ("moviefan_84", False)]
    assert comments[0].text == "Yes, and the music makes it worse, in a good way."


def test_sentences_cover_the_paragraph(reviews):
    loaded, _ = reviews
    p2 = by_id(loaded, f"{BEEZJAK}/p2")
    assert len(p2.sentences) == 3
    assert p2.sentences[0].startswith("Theodore Twombly (Joaquin Phoenix) writes love letters")
    assert " ".join(p2.sentences) == p2.text


def test_front_matter_and_a_new_review_need_no_code_change(tmp_path):
    path = tmp_path / "new-review.txt"
    path.write_text(
        "---\ntitle: A Quiet Future\nauthor: Jo Critic\nurl: https://example.org/her\n---\n"
        "A Quiet Future\n\nThe film is gentle.\nIt is also long.\n\nIn the end it lands.\n",
        encoding="utf-8",
    )
    review, dropped = read_review(path)
    assert (review.title, review.author, review.url) == ("A Quiet Future", "Jo Critic", "https://example.org/her")
    assert [p.text for p in review.passages] == ["The film is gentle. It is also long.", "In the end it lands."]
    assert [p.spoiler for p in review.passages] == [None, None]  # no override: meaning decides at index build
    assert dropped == [("new-review.txt: A Quiet Future", "repeated title")]


def test_a_paragraph_starting_with_by_is_not_a_byline(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("Title\n\nBy Jo Critic, Weekly\n\nBy the time he meets her, it is late.\n", encoding="utf-8")
    review, _ = read_review(path)
    assert review.author == "Jo Critic"
    assert [p.text for p in review.passages] == ["By the time he meets her, it is late."]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"  \n\n \n", "empty file"),
        (b"Title\n\nCaf\xe9 society\n", "not UTF-8 text (byte 0xe9 at offset 10)"),
        (b"---\ntitle: [unclosed\n---\nbody\n", "front matter is not valid YAML"),
        (b"Only a title\n", "no paragraphs found"),
        (b"---\nauthor: Jo\n---\n\n", "no review text after the front matter"),
    ],
)
def test_bad_review_files_name_the_file_and_the_problem(tmp_path: Path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ReviewFileError, match=re.escape(message)) as error:
        read_review(path)
    assert "bad.txt" in str(error.value)


def test_missing_or_empty_reviews_folder(tmp_path):
    with pytest.raises(ReviewFileError, match="reviews folder not found"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(ReviewFileError, match=r"no review files \(\.txt or \.md"):
        load_corpus(tmp_path)


def test_each_item_of_a_pros_and_cons_list_is_a_sentence_of_its_own(tmp_path):
    (tmp_path / "capsule.txt").write_text(
        "A Capsule\n\nBy Pat Example, The Example Post\n\nIt is a film.\n\nIn short:\n+ the music\n+ the voice"
        "\n- too long. Much too long\n* a bullet\n2. a numbered point\n\nA dash - inside a sentence stays.\n",
        encoding="utf-8")
    review = read_review(tmp_path / "capsule.txt")[0]
    sentences = [list(p.sentences) for p in review.passages]
    assert ["In short:", "+ the music", "+ the voice", "- too long.", "Much too long", "* a bullet",
            "2. a numbered point"] in sentences
    assert ["A dash - inside a sentence stays."] in sentences


def test_a_run_of_exclamation_marks_ends_a_sentence(tmp_path):
    """The sentence splitter reads "gone!!! I'm sorry ..." as one sentence; a warning in the second then hid the
    first from the spoiler judge (a sentence that warns is skipped), and a quote ran on into the next."""
    (tmp_path / "shout.txt").write_text("Shouting\n\nBy Pat Example\n\nThe robot wins the race!!! Sorry if that's a "
                                        "spoiler. What?!? Oh well. Fine.\n", encoding="utf-8")
    review = read_review(tmp_path / "shout.txt")[0]
    assert ["The robot wins the race!!!", "Sorry if that's a spoiler.", "What?!?", "Oh well.", "Fine."] in [
        list(p.sentences) for p in review.passages]


@pytest.mark.parametrize("header", ["4 Comments", "Comments", "Comments (2)", "Reader comments:"])
def test_a_comment_section_of_another_blog_layout_is_read_as_comments(tmp_path, header):
    """A header with no "on <title>" after its count, or none at all; each comment's writer on the line after its
    number and the date it was posted on the next (dropped); a deeper number a reply; "Comments" then
    "2 thoughts on ..." two counters of one section."""
    path = tmp_path / "club-write-up.txt"
    path.write_text(
        "A Club Write-Up\n\nBy Jo Critic\n\nThe film is a gentle, sad comedy about a man and his computer.\n\n"
        f"{header}\n\n2 thoughts on \"A Club Write-Up\"\n\n"
        "  1. Ana Pereira\n     March 6, 2014 at 9:12 am\n     I disagree about the pacing: it never dragged.\n\n"
        "       1. Jo Critic\n          2014-03-07 08:30\n          Fair point, Ana.\n\n"
        "  2. Bo Lind\n     6 March 2014\n     The page takes forever to load on my phone.\n",
        encoding="utf-8")
    review, _ = read_review(path)
    body = [p for p in review.passages if p.section == "body"]
    comments = [p for p in review.passages if p.section == "comment"]
    assert len(body) == 1
    assert [(c.commenter, c.text) for c in comments] == [
        ("Ana Pereira", "I disagree about the pacing: it never dragged."), ("Jo Critic", "Fair point, Ana."),
        ("Bo Lind", "The page takes forever to load on my phone.")]
    assert comments[1].reply_to == comments[0].id and comments[2].off_topic


MARKDOWN_REVIEW = """---
outlet: The Example Quarterly
rating: 3/4
---
# A *Quiet* Future

By **Jo Critic**, *The Example Quarterly*

The film is **gentle** and [rather long](https://example.org/long),
and it wraps its lines like a blog engine does.

![a still of the lead](still.png)

What worked:

- the _score_
- the voice

Cons:
+ nothing here is a plus sign

4 Comments

1. **Ana Pereira** says: I disagree about the pacing.
   1. Jo Critic: Fair point, Ana.
2. Bo Lind: The *share* button is broken on my phone.
"""


def test_a_markdown_review_is_read_as_a_reader_sees_it(tmp_path):
    """Film sites keep reviews in Markdown: no asterisk, hash or link address reaches a passage; headings, the
    By-line, pros-and-cons items and numbered comments (replies nested) are read as in a text review."""
    (tmp_path / "quiet-future.md").write_text(MARKDOWN_REVIEW, encoding="utf-8")
    (review,), report = load_corpus(tmp_path)
    assert (review.id, review.title, review.author) == ("quiet-future", "A Quiet Future", "Jo Critic")
    assert (review.outlet, review.rating) == ("The Example Quarterly", "3/4")
    texts = [p.text for p in review.passages]
    assert not [text for text in texts if re.search(r"[*#_\[\]]|https?:|\.png", text)], texts
    body = [p for p in review.passages if p.section == "body"]
    assert body[0].text == "The film is gentle and rather long, and it wraps its lines like a blog engine does."
    assert "- the score" in [s for p in body for s in p.sentences]
    comments = [(c.commenter, c.text) for c in review.passages if c.section == "comment"]
    assert comments[0] == ("Ana Pereira", "I disagree about the pacing.")
    assert ("Jo Critic", "Fair point, Ana.") in comments and len(comments) == 3
    assert report.reviews == 1


def test_a_text_and_a_markdown_file_of_one_name_are_refused(tmp_path):
    for suffix in (".txt", ".md"):
        (tmp_path / f"twin{suffix}").write_text("Twin\n\nThe film is gentle.\n", encoding="utf-8")
    (tmp_path / "notes.html").write_text("<p>not a review</p>", encoding="utf-8")
    (tmp_path / "README.md").write_text("# These reviews\n\nWhere they come from.\n", encoding="utf-8")
    with pytest.raises(ReviewFileError, match=r"twin\.md and twin\.txt would both be review 'twin'"):
        review_files(tmp_path)
    (tmp_path / "twin.txt").unlink()
    files, skipped = review_files(tmp_path)
    assert [f.name for f in files] == ["twin.md"] and [s[0] for s in skipped] == ["README.md", "notes.html"]


def test_a_markdown_tables_rows_are_sentences_of_their_own(tmp_path):
    """A scorecard's table: each body row one sentence, its first cell naming it ("Pacing: 4/10 — ..."); the header
    row only names the columns. The markup's pipes and dashes were quoted as one run-on sentence."""
    (tmp_path / "card.md").write_text("---\ntitle: A Card\n---\nThe scores.\n\n| Part | Score | Why |\n"
                                      "| --- | --- | --- |\n| Acting | 9/10 | Warm |\n"
                                      "| Pacing | 4/10 | The middle drags |\n\nThe end.\n", encoding="utf-8")
    review = read_review(tmp_path / "card.md")[0]
    assert [list(p.sentences) for p in review.passages] == [
        ["The scores."], ["- Acting: 9/10 — Warm", "- Pacing: 4/10 — The middle drags"], ["The end."]]


def test_the_same_bytes_read_as_markdown_are_another_review(tmp_path):
    """A file renamed from .txt to .md is read afresh by the index update, not taken from the old index."""
    text = tmp_path / "same.txt"
    text.write_text("Same\n\nThe film is *gentle*.\n", encoding="utf-8")
    before = review_digest(text)
    markdown = text.rename(tmp_path / "same.md")
    assert review_digest(markdown) != before == review_digest(markdown.rename(tmp_path / "same.txt"))


@pytest.mark.parametrize(("line", "expected"), [
    ("Posted on March 3, 2014 by Jo Critic", ("Jo Critic", None, "March 3, 2014", None)),
    ("Posted by Jo Critic on 2014-03-03", ("Jo Critic", None, "2014-03-03", None)),
    ("Jo Critic for The Example Weekly · 3 March 2014 · Grade: B-", ("Jo Critic", "The Example Weekly", "3 March 2014",
                                                                      "B-")),
    ("By Jo Critic | The Example Weekly | Rating: 7/10", ("Jo Critic", "The Example Weekly", None, "7/10")),
    ("Review by Jo Critic", ("Jo Critic", None, None, None)),
    ("By Jo Critic, The Example Weekly — Tuesday, 4 March 2014", ("Jo Critic", "The Example Weekly",
                                                                   "Tuesday, 4 March 2014", None)),
    ("By Jo Critic for The Example Weekly", ("Jo Critic", "The Example Weekly", None, None)),
    ("Episode 12 — The Example Show, a film podcast, hosts Jo Critic and Sam Writer",
     ("Jo Critic and Sam Writer", "The Example Show", None, None)),
    ("Posted by moviefan_84 on March 3, 2014 in The Example Forum › Film Talk", ("moviefan_84", "The Example Forum",
                                                                                 "March 3, 2014", None)),
    ("Thread by @reel_jo", ("@reel_jo", None, None, None)),
    ("An interview with Jo Critic, film critic of The Example Weekly · 3 March 2014",
     ("Jo Critic", "The Example Weekly", "3 March 2014", None)),
])
def test_a_credit_line_gives_the_author_outlet_date_and_grade(tmp_path, line, expected):
    """Web pages print a review's credits in one line of fields: each field read, the line kept out of the text."""
    path = tmp_path / "credited.txt"
    path.write_text(f"A Credited Review\n\n{line}\n\nThe film is gentle and a little long.\n", encoding="utf-8")
    review, _ = read_review(path)
    assert (review.author, review.outlet, review.date, review.rating) == expected
    assert [p.text for p in review.passages] == ["The film is gentle and a little long."]


@pytest.mark.parametrize("first", ["Jo Critic for the first time sees the city.", "Posted on the wall, a letter.",
                                   "By the time he meets her, it is late · and dark."])
def test_a_first_sentence_that_only_starts_like_credits_stays_text(tmp_path, first):
    path = tmp_path / "plain.txt"
    path.write_text(f"A Plain Review\n\n{first}\n\nThe film is gentle.\n", encoding="utf-8")
    review, _ = read_review(path)
    assert (review.author, review.date) == (None, None)
    assert review.passages[0].text == first


@pytest.mark.parametrize(("last", "expected"), [
    ("— Jo Critic, The Example Weekly, 3 March 2014", ("Jo Critic", "The Example Weekly", "3 March 2014")),
    ("- Jo Critic", ("Jo Critic", None, None)),
    ("~ Jo Critic, 3 March 2014", ("Jo Critic", None, "3 March 2014"))])
def test_a_signature_under_the_text_gives_the_author_outlet_and_date(tmp_path, last, expected):
    """A letter or a column signed at its end, with no credits at the top: the signature is read and kept out."""
    path = tmp_path / "signed.txt"
    path.write_text(f"Dear Film\n\nYou are gentle and a little long.\n\nYours, fondly.\n\n{last}\n", encoding="utf-8")
    review, _ = read_review(path)
    assert (review.author, review.outlet, review.date) == expected
    assert [p.text for p in review.passages] == ["You are gentle and a little long.", "Yours, fondly."]


@pytest.mark.parametrize("last", ["— and then, quietly, it was over.", "— The End", "- Jo Critic, who never liked it"])
def test_a_closing_dash_line_that_is_no_signature_stays_text(tmp_path, last):
    path = tmp_path / "unsigned.txt"
    path.write_text(f"Plain\n\nYou are gentle.\n\n{last}\n", encoding="utf-8")
    review, _ = read_review(path)
    assert review.author is None and review.passages[-1].text == last


@pytest.mark.parametrize(("title", "rating"), [("A Film review — 4/5", "4/5"), ("A Film | B+", "B+"),
                                               ("A Film: 10 things it gets right", None), ("A Film — 2013", None)])
def test_a_rating_that_ends_the_title_is_the_reviews(tmp_path, title, rating):
    path = tmp_path / "titled.txt"
    path.write_text(f"{title}\n\nThe film is gentle.\n", encoding="utf-8")
    assert read_review(path)[0].rating == rating


def test_an_interviews_question_is_kept_with_its_answer_and_never_quoted(tmp_path):
    """"A: Moon Harbour, every time." says what it answers only with "Q: Your favourite film?" before it: the two are
    one passage (its vector knows the question), and only the answer's words, without their label, may be quoted."""
    path = tmp_path / "qa.txt"
    path.write_text("Ten Questions\n\nAn interview with Jo Critic, film critic of The Example Weekly\n\n"
                    "Q: Your favourite film? Not this one, surely.\n\nA: Moon Harbour, every time. I never tire of it."
                    "\n\nQ: And the pacing?\n\nAnswer: Too slow.\n\nA. Kind words to end on.\n", encoding="utf-8")
    review, _ = read_review(path)
    assert [p.text for p in review.passages] == [
        "Q: Your favourite film? Not this one, surely.\nA: Moon Harbour, every time. I never tire of it.",
        "Q: And the pacing?\nAnswer: Too slow.", "A. Kind words to end on."]
    assert [list(p.sentences) for p in review.passages][:2] == [["Moon Harbour, every time.", "I never tire of it."],
                                                               ["Too slow."]]


def test_credits_after_a_standfirst_are_still_credits(tmp_path):
    """A one-line standfirst under the title comes before the credits on many pages; the credits and a date line of
    their own are still read as such, and the standfirst stays the first paragraph."""
    path = tmp_path / "standfirst.txt"
    path.write_text("A Long Look\n\nA gentle romance that knows when to stay quiet\n\n"
                    "By Jo Critic, The Example Weekly\n\nSunday 9 March 2014\n\n"
                    "The film is gentle and a little long.\n\nBy the end I was won over.\n",
                    encoding="utf-8")
    review, _ = read_review(path)
    assert (review.author, review.outlet, review.date) == ("Jo Critic", "The Example Weekly", "Sunday 9 March 2014")
    assert [p.text for p in review.passages] == ["A gentle romance that knows when to stay quiet",
                                                 "The film is gentle and a little long.", "By the end I was won over."]


def test_a_title_that_ends_with_its_author_names_them_once_in_a_citation(tmp_path):
    """A diary page titled "<film>: a diary entry by Jo Critic" is cited with the name once, not "... by Jo Critic by
    Jo Critic"."""
    path = tmp_path / "diary.txt"
    path.write_text("A diary entry by Jo Critic\n\nReview by Jo Critic\n\nThe film is gentle.\n", encoding="utf-8")
    review, _ = read_review(path)
    assert review.passages[0].source_label == "A diary entry by Jo Critic"
