"""``kbsync coverage``: do customers' questions find an article through search?

questions (coverage.yaml, tickets) --fold--> distinct questions --search (the Help Center,
or a local index of the rendered tree)--> hits --decide--> outcomes --> report.

The pure steps (``questions``, ``scoring``, ``groups``, ``report``, the ``render_*``
modules) do no I/O; ``search``, ``tickets``, ``local_articles`` and ``suggest`` do.
"""
