"""The rule for every patch of another library's private code: it applies only to the version it was written for.

Private code changes without notice between releases, and a patch that meets code it was not
written for could change behaviour silently. So each patch names the version it was written for
(pyproject.toml pins the same one), checks the installed one as the server starts, and on any
other version leaves the library as shipped, with a warning in the server's log saying so.
"""

from __future__ import annotations

import logging
from importlib.metadata import version

logger = logging.getLogger(__name__)


def written_for(package: str, expected: str, patch: str) -> bool:
    """Whether the installed ``package`` is the version ``patch`` was written for; if not, a warning says it is
    left out."""
    installed = version(package)
    if installed == expected:
        return True
    logger.warning("%s %s is installed, but %s was written for %s: left out, %s runs as shipped",
                   package, installed, patch, expected, package)
    return False
