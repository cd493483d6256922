"""Benchmarks that print figures: run each from the project root as ``.venv/bin/python -m bench.NAME``.

The scripts import one another as this package (``from bench import bots``) and the test
helpers they share with the tests as ``tests.support``.
"""
