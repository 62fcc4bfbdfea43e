"""The shapes of the files a knowledge base holds, as pydantic models.

``kbsync.toml`` (``config``), article front matter and ``_collection.yaml``
(``frontmatter``), ``portal.yaml`` (``portal``). Each value is checked by a validator
that says, in kbsync's words, what is wrong and what to do; :func:`check` turns pydantic's
errors back into :class:`~kbsync.problems.Problem` s at the file line of the key, and
still gives a model, with the bad values left out (so a tree with errors can be
previewed). pydantic's own error text never reaches a user.
"""

from kbsync.schema.base import FieldProblem, LineOf, check, unknown_keys

__all__ = ["FieldProblem", "LineOf", "check", "unknown_keys"]
