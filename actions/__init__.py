"""herbot's custom actions (rasa-sdk), one module per capability.

Actions are thin: they read slots and entities, call plain functions in
``knowledge``, and dispatch a domain response. Retrieval runs in a worker thread so
a slow query never blocks other conversations on the action server.
"""
