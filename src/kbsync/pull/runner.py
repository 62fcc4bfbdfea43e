"""One pull from start to end, after the remote was read: decide, carry out, record, commit.

The command reads the files (checked by the same rules as plan) and the Help Center, and
prints; everything that writes happens here, in this order: the files, then the lock
and the merge bases (so an interrupted pull leaves files ahead of the lock, which the
next pull settles without conflicts), then the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kbsync.config import CONFIG_FILE, PORTAL_FILE, Config
from kbsync.errors import KbsyncError
from kbsync.local.bases import BaseStore
from kbsync.local.scaffold import GITIGNORE
from kbsync.local.tree import LocalTree
from kbsync.model import ActualState, Lock, RemoteRef
from kbsync.pull.assets import Fetch, download_assets, published_urls
from kbsync.pull.files import carry_out, save_state, touched_paths
from kbsync.pull.puller import PullOptions, PullResult, decide
from kbsync.pull.repo import Repo
from kbsync.pull.writer import config_text
from kbsync.words import plural

MIB = 1 << 20

__all__ = ["Imported", "Pulled", "import_remote", "manages_portal", "pull", "require_repository"]


@dataclass(frozen=True)
class Pulled:
    result: PullResult
    commit: str | None = None  # the sha of the commit made, if one was asked for and made


def manages_portal(root: Path) -> bool:
    """``portal.yaml`` exists, so pull keeps it in step with the portal settings."""
    return (root / PORTAL_FILE).is_file()


def require_repository(root: Path) -> None:
    """``--commit`` needs git: say so before anything is read or written."""
    repo = Repo(root)
    try:
        if not repo.exists:
            raise KbsyncError("--commit needs a git repository; run `git init` first")
    finally:
        repo.close()


def pull(config: Config, tree: LocalTree, lock: Lock, actual: ActualState, remote: RemoteRef,
         *, options: PullOptions, dry_run: bool = False,
         commit_message: Callable[[PullResult], str] | None = None) -> Pulled:
    """Decide what each file becomes and, unless ``dry_run``, make it so."""
    root = config.root
    repo = Repo(root)
    try:
        bases = BaseStore(root)
        before = lock.dumps() if config.lock_path.is_file() else ""
        result = decide(root=root, tree=tree, actual=actual, lock=lock, content=config.content,
                        bases=bases, dirty=repo.dirty(), options=options,
                        portal=manages_portal(root), assets=config.assets.home())
        if dry_run:
            return Pulled(result)
        lock.bind(remote)
        carry_out(root, result, repo)
        if result.changes or result.folder_moves or lock.dumps() != before:
            save_state(lock, config.lock_path, bases)
        sha = None
        if commit_message is not None and result.changes:
            sha = repo.commit(commit_message(result),
                              [*touched_paths(result), config.lock_path.name])
        return Pulled(result, sha)
    finally:
        repo.close()


@dataclass(frozen=True)
class Imported:
    result: PullResult
    #: The limit kbsync.toml sets because an article is bigger than the default (None:
    #: the default holds every file).
    max_article_bytes: int | None = None


def import_remote(config: Config, actual: ActualState, remote: RemoteRef,
                  fetch: Fetch | None = None) -> Imported:
    """A new knowledge base in ``config.root`` (empty) from the whole Help Center.

    It is a pull into an empty folder, plus ``kbsync.toml`` (where, never the token) and
    a ``.gitignore`` for kbsync's own folder, and (given ``fetch`` and ``[assets]``)
    the published images the articles show. Every file it writes is one ``validate``
    reads with the settings written: an article bigger than ``max_article_bytes`` raises
    the limit in this ``kbsync.toml``, with a warning naming it.
    """
    root = config.root
    root.mkdir(parents=True, exist_ok=True)
    lock = Lock(remote.base_url, remote.organization_id)
    bases = BaseStore(root)
    result = decide(root=root, tree=LocalTree(root, (), (), ()), actual=actual, lock=lock,
                    content=config.content, bases=bases, dirty=set(), portal=True,
                    parse=True, assets=config.assets.home())
    limit = _raised_limit(result, config.content.max_article_bytes)
    (root / CONFIG_FILE).write_text(config_text(remote.base_url, remote.organization_id,
                                                max_article_bytes=limit, assets=config.assets),
                                    encoding="utf-8")
    (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    repo = Repo(root)
    try:
        carry_out(root, result, repo, atomic=False)
    finally:
        repo.close()
    if fetch is not None and config.assets.has_home:
        downloaded = download_assets(root, published_urls(actual, config.assets.home()), fetch)
        result.warnings.extend(downloaded.warnings)
        for name in downloaded.names:  # in the store: the first plan asks nothing
            lock.add_asset(str(config.assets.publish), name)
    save_state(lock, config.lock_path, bases)
    return Imported(result, limit)


def _raised_limit(result: PullResult, limit: int) -> int | None:
    """A limit (whole MiB) that every file fits, when some do not fit ``limit``; the
    warning naming them goes into ``result``."""
    big = sorted((len(c.data), c.path) for c in result.changes
                 if c.data is not None and len(c.data) > limit)
    if not big:
        return None
    raised = -(-big[-1][0] // MIB) * MIB
    named = ", ".join(f"{path} ({size / MIB:.1f} MiB)" for size, path in big[:5])
    more = f" and {len(big) - 5} more" if len(big) > 5 else ""
    result.warnings.append(
        f"{plural(len(big), 'article')} bigger than max_article_bytes ({limit:,} bytes): "
        f"{named}{more}; kbsync.toml raises the limit to {raised:,} bytes "
        f"({raised // MIB} MiB) so that they are read")
    return raised
