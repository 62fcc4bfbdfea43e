"""`kbsync init --from-remote DIR`: a complete knowledge base from an existing Help Center.

It is ``pull`` into an empty folder: the same layout, names and file texts, plus the files
a knowledge base needs (``kbsync.toml`` without the token, ``portal.yaml``, ``kbsync.lock``
and a ``.gitignore`` for ``.kbsync/``). The lock records, for every article, the remote
fingerprint and the blob id of the file written; that is what makes the first ``plan``
a no-op even where the Markdown cannot render back to the web editor's HTML byte for
byte: the file is known to stand for the remote body until someone edits it.
"""

from __future__ import annotations

from pathlib import Path

from kbsync.config import CONFIG_FILE, Config
from kbsync.console import Console
from kbsync.engine import read_local
from kbsync.errors import KbsyncError, ValidationFailed
from kbsync.local.tree import LocalTree
from kbsync.lock import Lock
from kbsync.problems import Problem
from kbsync.pull.bases import BaseStore
from kbsync.pull.files import carry_out, save_state
from kbsync.pull.puller import decide
from kbsync.pull.repo import Repo
from kbsync.pull.writer import config_text
from kbsync.remote.actual import read_actual
from kbsync.session import Connect, open_client, remote_ref

__all__ = ["run"]

GITIGNORE = ".kbsync/\n"
_ALLOWED = {".git"}  # a freshly `git init`-ed folder counts as empty


def run(config: Config, console: Console, *, connect: Connect = open_client) -> int:
    """``config.root`` is DIR; the remote settings come from the command line / env."""
    root = config.root
    check_empty(root)
    ref = remote_ref(config)
    with connect(config) as client:
        with console.status("Reading the Help Center…"):
            actual = read_actual(client, with_portal=True)
        console.detail(f"{client.request_count} requests sent (reads only)")
    root.mkdir(parents=True, exist_ok=True)
    (root / CONFIG_FILE).write_text(config_text(ref.base_url, ref.organization_id),
                                    encoding="utf-8")
    (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    lock = Lock(ref.base_url, ref.organization_id)
    empty = LocalTree(root, (), (), ())
    bases = BaseStore(root)
    result = decide(root=root, tree=empty, actual=actual, lock=lock, content=config.content,
                    bases=bases, dirty=set(), portal=True)
    repo = Repo(root)
    try:
        carry_out(root, result, repo, atomic=False)
    finally:
        repo.close()
    save_state(lock, config.lock_path, bases)
    for warning in result.warnings:
        console.warn(f"warning: {warning}")
    _check_written(config, console)
    console.success(
        f"Wrote {len(actual.articles)} article(s) in {len(lock.collections)} collection(s) "
        f"to {root}. Next: `kbsync -C {root} plan` (it should show no changes), then commit.")
    return 0


def check_empty(root: Path) -> None:
    """Refuse a folder that holds anything: init never mixes with existing files."""
    if not root.exists():
        return
    if not root.is_dir():
        raise KbsyncError(f"{root} is not a folder")
    found = sorted(p.name for p in root.iterdir() if p.name not in _ALLOWED)
    if found:
        shown = ", ".join(found[:3]) + (" ..." if len(found) > 3 else "")
        raise KbsyncError(f"{root} is not empty ({shown}); init --from-remote writes a new "
                          "knowledge base into an empty folder (use `kbsync pull` in an "
                          "existing one)")


def _check_written(config: Config, console: Console) -> None:
    """Validate what was written, so a problem shows up now and not at the first plan."""
    try:
        local = read_local(config)
    except ValidationFailed as exc:
        problems: list[Problem] = [p for p in exc.problems if isinstance(p, Problem)]
        for problem in problems:
            console.problem(problem)
        console.warn(f"The written files have {len(problems)} problem(s) to fix before "
                     "`kbsync plan`.")
        return
    for warning in local.warnings:
        console.problem(warning)
