"""A Markdown review as the plain text the ingestion reads: what a reader sees, without the markup.

Film sites keep reviews in Markdown (Jekyll, Hugo): ``**bold**``, ``*Her*``, ``# headings``, links and
lists would otherwise be quoted with their asterisks and brackets. markdown-it-py (CommonMark) parses it;
each block becomes one paragraph, separated by a blank line as in a text review; a list keeps its
markers ("- ", "+ ", "1. ") and its nesting (two spaces a level), which the pros-and-cons and
reader-comment readers understand; a link keeps its words, an image its alt text; a table's body rows are the
items of one list ("- Pacing: 4/10 — The middle hour barely moves"), its header row left out.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

MARKDOWN_SUFFIXES = (".md", ".markdown")


def plain_text(markdown: str) -> str:
    """The text of ``markdown`` without its markup, one blank line between blocks."""
    blocks: list[str] = []
    numbers: list[int] = []  # the open lists' next item numbers
    prefix = ""  # the marker of the list item whose first block comes next
    rows: list[str] | None = None  # the body rows of the table being read
    cells: list[str] | None = None  # the cells of the body row being read (the header row only names the columns)
    in_head = False
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            cells = [] if rows is not None and not in_head else None
        elif token.type in ("thead_open", "thead_close"):
            in_head = token.type == "thead_open"
        elif token.type == "tr_close" and rows is not None and cells is not None:
            rows.append(_row_item(cells))
            cells = None
        elif token.type == "table_close" and rows is not None:
            blocks.append("\n".join(rows))
            rows = None
        elif token.type == "inline" and rows is not None:  # a cell: of a body row, or of the header (left out)
            if cells is not None:
                cells.append(_inline_text(token.children or []))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            numbers.append(int(token.attrGet("start") or 1))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
        elif token.type == "list_item_open":  # its markup: "-", "+" or "*"; "." or ")" after a number
            ordered = token.markup in (".", ")")
            prefix = "  " * (len(numbers) - 1) + (f"{numbers[-1]}{token.markup} " if ordered else f"{token.markup} ")
            numbers[-1] += 1
        elif token.type == "inline":
            blocks.append(prefix + _inline_text(token.children or []))
            prefix = ""
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))
    return "\n\n".join(block for block in blocks if block.strip()) + "\n"


def _row_item(cells: list[str]) -> str:
    """A table's body row as a list item, one sentence: "- Pacing: 4/10 — The middle hour barely moves"."""
    first, *rest = [cell for cell in cells if cell] or [""]
    return f"- {first}: {' — '.join(rest)}" if rest else f"- {first}"


def _inline_text(children) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):  # inline HTML (a <br>, a <span>) is markup too
            parts.append(child.content)
        elif child.type == "image":
            parts.append(child.content)  # its alt text
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "".join(parts).strip()
