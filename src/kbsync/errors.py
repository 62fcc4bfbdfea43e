"""One exception tree for everything kbsync reports to a user.

Foreign errors (httpx, YAML, TOML, pydantic, OSError) are translated into this tree at
one boundary each, so ``cli.py`` can map any of them to one readable line and an exit
code without knowing where they came from::

    KbsyncError                      exit 1: one line, no traceback
    ├── UsageError                   exit 64: the command line itself is wrong
    ├── ConfigError                  kbsync.toml / environment problems (file:line, key)
    ├── StateError                   kbsync's own files (.kbsync, its run lock, local.db)
    ├── ValidationFailed             the tree has problems; carries every Problem at once
    ├── PlanError
    │   ├── StalePlanError           a saved plan no longer matches the remote
    │   └── UnsafePlanError          a safety gate refused the plan (delete cap, ...)
    ├── ApplyFailed                  a step failed; carries what was done and what was not
    ├── ConflictingFiles             pull found conflicts it would not overwrite
    ├── DeletedButEdited             pull: deleted here, edited in initdesk since
    ├── ConflictsLeft                apply left items edited in initdesk untouched
    ├── AssetStoreError              the store images are published to (S3...) refused or
    │                                could not be reached; or its client is not installed
    └── RemoteError                  anything the Help Center (or the way to it) said
        ├── AuthError                401: token missing or rejected
        ├── ForbiddenError           403: token valid but not for this organization
        ├── NotFoundError            404
        ├── ConflictError            409
        ├── RejectedError            400 with field messages
        ├── RateLimitedError         429 after the retries ran out
        ├── ServerError              5xx after the retries ran out
        ├── TransportError           connection / timeout after the retries ran out
        ├── AmbiguousWriteError      a POST whose outcome is unknown (maybe created)
        └── ContractError            the answer does not have the shape the contract says

Messages never carry the token: the client never formats a request header into one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kbsync.words import plural


class KbsyncError(Exception):
    """Base of every error that is reported as one line with exit code 1."""

    exit_code = 1


class UsageError(KbsyncError):
    """The command line is wrong; exit 64 so CI never reads it as 'changes present'."""

    exit_code = 64


class ConfigError(KbsyncError):
    """A problem in kbsync.toml, an environment variable or a missing setting."""


class StateError(KbsyncError):
    """kbsync's own folder or files cannot be used as they are: ``.kbsync`` is a file or
    a link out of the knowledge base, its run lock is a pipe, ``local.db`` is not a
    database. The message names the file and what to do; nothing has been sent."""


class ValidationFailed(KbsyncError):
    """The knowledge-base tree has errors; every one is carried, not just the first."""

    def __init__(self, problems: Sequence[object]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(f"{plural(count, 'problem')} found; nothing was sent")


class PlanError(KbsyncError):
    """A plan cannot be built or used."""


class StalePlanError(PlanError):
    """A saved plan was made against a remote that has changed since."""


class UnsafePlanError(PlanError):
    """A safety gate (delete cap, drift) refused the plan."""


class ApplyFailed(KbsyncError):
    """A step of apply failed after others succeeded; both lists are reported."""

    def __init__(self, message: str, done: Sequence[str], not_done: Sequence[str]) -> None:
        self.done = list(done)
        self.not_done = list(not_done)
        super().__init__(message)


class ConflictingFiles(KbsyncError):
    """pull found files changed on both sides that it would not overwrite.

    ``uncommitted``: those of them with uncommitted edits. No ``--on-conflict`` touches
    such a file (nor writes markers into it), so the advice for them is to commit or
    stash first; the others can be re-run with an ``--on-conflict`` mode.
    """

    def __init__(self, paths: Sequence[str], uncommitted: Sequence[str] = ()) -> None:
        self.paths = list(paths)
        self.uncommitted = [p for p in uncommitted if p in self.paths]
        committed = [p for p in self.paths if p not in self.uncommitted]
        advice = []
        if self.uncommitted:
            advice.append(
                f"{', '.join(self.uncommitted)} {'has' if len(self.uncommitted) == 1 else 'have'}"
                " uncommitted edits, which pull never overwrites: commit or stash them, then "
                "pull again")
        if committed:
            others = "for the others, " if self.uncommitted else ""
            advice.append(f"{others}re-run with --on-conflict markers|theirs|ours")
        super().__init__(
            f"{plural(len(self.paths), 'file')} changed both locally and remotely: "
            + ", ".join(self.paths) + " (left untouched; " + "; ".join(advice) + ")"
        )


class DeletedButEdited(KbsyncError):
    """pull found items deleted here that were edited in initdesk since the last sync.

    Pull leaves them deleted and apply will not delete them without --force: the
    person who deleted the file decides whether the edit made in initdesk is lost.
    """

    def __init__(self, paths: Sequence[str], verb: str = "delete") -> None:
        self.paths = list(paths)
        super().__init__(
            f"{plural(len(self.paths), 'item')} deleted here, edited in initdesk since the "
            f"last sync: {', '.join(self.paths)} (left deleted): restore it with `git "
            f"checkout` to keep the edit, or apply the {verb} with --force")


class ConflictsLeft(KbsyncError):
    """apply did everything else but left items edited in initdesk since the last sync.

    The Help Center then still differs from the files, so the run is not a success:
    a merge job must not go green.
    """

    def __init__(self, keys: Sequence[str], deleted: Sequence[str] = ()) -> None:
        self.keys = list(keys)
        count = len(self.keys)
        edited = [key for key in self.keys if key not in deleted]
        why = []
        if edited:
            why.append("edited in initdesk since the last sync; run `kbsync pull` to take "
                       "those edits into the files, or `kbsync apply --force` to overwrite "
                       "them")
        if deleted:  # named when both kinds are left
            why.append(f"{', '.join(deleted) + ': ' if edited else ''}deleted here, edited "
                       "in initdesk since the last sync; restore with `git checkout`, or "
                       "`kbsync apply --force` deletes anyway")
        super().__init__(
            f"{plural(count, 'conflict')} left untouched (" + ", ".join(self.keys) + "): "
            + "; ".join(why))


class AssetStoreError(KbsyncError):
    """The asset store (``[assets] publish``) said no, could not be reached, or its
    client library is missing. The message names the store and the object, never a
    credential."""


class RemoteError(KbsyncError):
    """Anything the Help Center, or the network on the way to it, answered badly."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class AuthError(RemoteError):
    """401: the token is missing, wrong or inactive."""


class ForbiddenError(RemoteError):
    """403: the token is valid but not allowed here (usually another organization)."""


class NotFoundError(RemoteError):
    """404: the object or endpoint does not exist."""


class ConflictError(RemoteError):
    """409: the request conflicts with the current state (e.g. non-empty collection)."""


class RejectedError(RemoteError):
    """400: the server rejected the fields; ``fields`` maps field name to messages."""

    def __init__(self, message: str, fields: Mapping[str, Sequence[str]]) -> None:
        self.fields = {key: list(value) for key, value in fields.items()}
        super().__init__(message, status=400)


class RateLimitedError(RemoteError):
    """429 kept coming back after the bounded retries."""


class ServerError(RemoteError):
    """5xx kept coming back after the bounded retries."""


class TransportError(RemoteError):
    """The connection failed or timed out after the bounded retries."""


class AmbiguousWriteError(RemoteError):
    """A create failed in a way that leaves its outcome unknown.

    The object may exist now. Callers look it up (by slug) before trying again, which is
    how apply never duplicates an article.
    """


class ContractError(RemoteError):
    """The answer's shape differs from the wire contract (see ``kbsync doctor``)."""
