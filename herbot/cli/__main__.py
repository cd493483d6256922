"""``python -m herbot.cli``: the ``herbot`` command (``herbot shell`` starts its own server this way)."""

import sys

from herbot.cli.commands import main

sys.exit(main())
