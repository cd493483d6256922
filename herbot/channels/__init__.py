"""Rasa input channels of herbot's own, named in bot/credentials.yml.

The Rasa server imports this package before it handles a turn, so herbot's speed-ups of
Rasa's own code are applied here (:mod:`herbot.rasa_speedups`).
"""

from herbot import rasa_speedups

rasa_speedups.install()
