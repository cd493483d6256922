"""What a user runs: the ``herbot`` command, and ``herbot serve``, which supervises the servers.

Everything here runs in the user's own process (or, for ``herbot serve``, the supervisor and its
warden): it builds the index, trains the model, starts and watches the Rasa server and the
action server as children, and talks to a running herbot over REST. Nothing here is loaded by
the Rasa server or the action server (``herbot/rasa/`` and ``actions/`` are).
"""
