"""Helpers only the tests and the benchmarks use: servers started as children, databases, a browser, free ports.

Nothing in herbot/, knowledge/ or actions/ imports these (tests/test_layering.py checks it).
"""
