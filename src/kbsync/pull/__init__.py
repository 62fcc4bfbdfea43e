"""``kbsync pull``: bring edits made in the initdesk web UI back into the Markdown files.

The building blocks are small pure modules:

- ``convert``: remote bodies to Markdown (``kbsync.markdown.writer``, which renders to
  the same HTML again; the display rule decides which field is the body), on every core;
- ``paths``: safe file and folder names from remote slugs and titles, which can hold anything;
- ``articles``, ``collections``, ``portal``: one decider per kind of item, over what
  ``decision`` shares (``puller`` runs them);
- ``merge``: three-way merge of text the way ``git merge-file`` does it, and the git object
  store as the place where the last-synced base always stays recoverable.
"""
