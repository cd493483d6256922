"""What a process works out from each segment of the index (each review's verdict, the topics each
review covers), kept between processes in a cache folder.

Working it out walks every passage and classifies sentences: minutes at 10,000 reviews. It depends
only on a segment's files and on this package's code and data, so it is kept per segment, under a
key made of the segment's checksums (from the index manifest), the model and a hash of the code: a
process reads what an earlier one kept, and after an update works out only the segments written anew.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from knowledge.checksums import file_sha256
from knowledge.once import once

_PACKAGE = Path(__file__).parent
_SEGMENT_FILES = ("passages.jsonl", "reviews.json", "unit_vectors.npy", "sentence_offsets.npy")


@once
def code_key() -> str:
    """A hash of this package's code and data files (not the reviews): another version works everything out again."""
    digest = hashlib.sha256()
    for path in sorted([*_PACKAGE.glob("*.py"), *_PACKAGE.glob("data/*.yaml"), *_PACKAGE.glob("data/*.json")]):
        digest.update(f"{path.name}\0{file_sha256(path)}\n".encode())
    return digest.hexdigest()


def segment_rows(manifest: dict) -> list[tuple[dict, range]]:
    """Each segment of the index (its manifest entry) with its passage rows."""
    found, start = [], 0
    for entry in manifest["segments"]:
        count = sum(passages for _, passages, _ in entry["reviews"])
        found.append((entry, range(start, start + count)))
        start += count
    return found


def per_segment(manifest: dict, model: str, what: str, work_out: Callable[[range], dict],
                cache_dir: Path | None) -> list[dict]:
    """``work_out(rows)`` for each segment, in order: read from ``cache_dir`` where an earlier process kept
    it (``what`` names the kind of result), worked out and kept there otherwise."""
    found = []
    for entry, rows in segment_rows(manifest):
        if cache_dir is None:
            found.append(work_out(rows))
            continue
        sums = [manifest["files"].get(f"segments/{entry['name']}/{name}", "") for name in _SEGMENT_FILES]
        key = hashlib.sha256("\0".join([what, model, code_key(), *sums]).encode()).hexdigest()[:32]
        path = Path(cache_dir) / f"{what}-{key}.json"
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
            continue
        except (OSError, ValueError):
            pass
        result = work_out(rows)
        _keep(path, result)
        found.append(result)
    return found


def _keep(path: Path, result: dict) -> None:
    """Write ``result`` whole or not at all (another process may read it at the same time)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass  # a read-only cache folder: worked out again by the next process
