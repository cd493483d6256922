"""What the Rasa server loads by name from herbot's YAML: nothing here runs in another process.

``bot/credentials.yml`` names the input channels (``channels/``, which also serve the chat page
in ``web/``), ``bot/config.yml`` the intent classifier (``minilm_intents``), and the endpoints
file that ``herbot serve`` writes names the tracker store (``tracker_store``). ``speedups``
replaces some of Rasa's own per-turn work in this process.
"""
