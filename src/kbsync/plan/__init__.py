"""The core: pure decisions over the domain model, no I/O.

``match`` (the one identity rule), ``diff`` and ``planner`` (desired + actual + lock ->
Plan), ``fresh`` (is a saved plan stale?), ``links`` (link placeholders), ``model`` (the
Plan as plain data). Nothing here reads a file, renders Markdown, speaks HTTP or
prints; ``tests/test_layers.py`` keeps it so.
"""
