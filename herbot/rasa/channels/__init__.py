"""Rasa input channels of herbot's own, named in bot/credentials.yml and run by the Rasa server."""
