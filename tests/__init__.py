"""herbot's tests (pytest); run from the project root, so that ``tests.support`` imports as a package."""
