"""The pipeline every front end shares: files -> checked tree -> desired state -> plan ->
apply, kept in a :class:`~kbsync.engine.workspace.Workspace`.

The engine is where the adapters meet the core. It reads and checks everything local
before the first request (bad input never costs a write, or even a read), renders only
the bodies the plan needs, asks the core (``plan.match``, ``plan.planner``) for the
plan, judges it against the safety gates once, and runs it through the executor,
keeping the lock and pull's merge bases in step. Front ends call it and print; they
decide nothing.

- ``workspace``: the parse cache, the renderings and the last check; validate, plan and
  apply as calls on it;
- ``local``: what a check hands on (``Checked``, ``LocalState``);
- ``targets``: ``--target`` as typed -> keys;
- ``remote``: the lock, plans fresh and saved, and their safety (loads the client);
- ``apply``: the executor's run and the lock's upkeep.

Importing this package loads no HTTP client, git or HTML library: ``validate`` starts
with it. ``remote`` and ``apply`` load theirs when a plan is made.
"""

from kbsync.engine.local import Checked, LocalState
from kbsync.engine.targets import resolve_targets
from kbsync.engine.workspace import FileCheck, Workspace

__all__ = ["Checked", "FileCheck", "LocalState", "Workspace", "resolve_targets"]
