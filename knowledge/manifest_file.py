"""Reading a folder's ``manifest.json``: one helper for the index and the exported model.

Both folders describe themselves with a manifest that must exist, parse as JSON and carry
the keys loading needs; each caller says which error to raise and what the keys are.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

MANIFEST = "manifest.json"


def read_manifest(
    folder: Path,
    check: Callable[[dict], None],
    *,
    missing: Exception,
    corrupt: Callable[[str], Exception],
) -> dict:
    """``folder``'s manifest once ``check`` accepts it (raising ValueError, KeyError or TypeError if not).

    ``missing`` is raised when there is no manifest; ``corrupt(reason)`` builds the error for one that
    cannot be read or fails ``check``.
    """
    path = folder / MANIFEST
    if not path.is_file():
        raise missing
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        check(manifest)
    except (ValueError, KeyError, TypeError) as error:
        raise corrupt(f"{path}: {error}") from None
    return manifest
