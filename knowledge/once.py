"""The one way herbot keeps what a process makes once: settings, models, classifiers, limiters, engines.

Decorate the function that makes it with :func:`once`. It is made on first use (never at import),
once per distinct arguments, and kept for the life of the process; threads that ask while it is
being made wait for it rather than make a second one (a model loaded twice costs seconds and
memory). ``function.peek(...)`` hands out what was made without making it, and
``function.cache_clear()`` forgets everything, for tests that change the environment.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from typing import Any


def once(make: Callable | None = None, *, key: Callable[..., Hashable] | None = None):
    """``@once``: ``make`` called once per distinct positional arguments (hashable), the result kept.

    ``@once(key=...)``: once per ``key(*args, **kwargs)`` instead, for arguments that only say how
    to make the thing (a cache folder), not which thing it is.
    """
    if make is None:
        return functools.partial(once, key=key)
    made: dict[Hashable, Any] = {}
    making = threading.RLock()  # re-entrant: making one thing may ask the same function for another

    def which(args: tuple, kwargs: dict) -> Hashable:
        return key(*args, **kwargs) if key else (args, tuple(sorted(kwargs.items())))

    @functools.wraps(make)
    def get(*args, **kwargs):
        wanted = which(args, kwargs)
        try:
            return made[wanted]
        except KeyError:
            pass
        with making:
            if wanted not in made:
                made[wanted] = make(*args, **kwargs)
            return made[wanted]

    def peek(*args, **kwargs):
        """What was made for these arguments, or None: nothing is made here."""
        return made.get(which(args, kwargs))

    def cache_clear() -> None:
        with making:
            made.clear()

    get.peek, get.cache_clear = peek, cache_clear
    return get
