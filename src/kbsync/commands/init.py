"""`kbsync init --from-remote DIR`: a complete knowledge base from an existing Help Center.

It is ``pull`` into an empty folder: the same layout, names and file texts, plus the files
a knowledge base needs (``kbsync.toml`` without the token, ``portal.yaml``, ``kbsync.lock``
and a ``.gitignore`` for ``.kbsync/``). The lock records, for every article, the remote
fingerprint and the blob id of the file written; that is what makes the first ``plan``
a no-op even where the Markdown cannot render back to the web editor's HTML byte for
byte: the file is known to stand for the remote body until someone edits it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kbsync.config import ORG_ENV, Config
from kbsync.console import Console
from kbsync.defaults import DEFAULT_BASE_URL
from kbsync.errors import ConfigError
from kbsync.frontend import open_workspace
from kbsync.local.aside import build_aside, check_target
from kbsync.local.bulk import warm_up
from kbsync.local.scaffold import write_starter
from kbsync.pull.assets import Fetch
from kbsync.pull.runner import import_remote
from kbsync.remote.actual import read_actual
from kbsync.session import Connect, fetch_public, open_client, remote_ref
from kbsync.words import plural

__all__ = ["run", "scaffold"]


def run(config: Config, console: Console, *, connect: Connect = open_client,
        fetch: Fetch = fetch_public) -> int:
    """``config.root`` is DIR; the remote settings come from the command line / env, and
    ``[assets]`` (``config.assets``) from the command line: the published images the
    articles show are downloaded with ``fetch`` and their URLs written as local paths."""
    root = config.root
    check_target(root)
    if config.remote.organization_id is None:  # there is no kbsync.toml to set it in yet
        raise ConfigError("no organization id: name the Help Center to import with --org ID "
                          f"(or {ORG_ENV}), and --base-url URL unless it is "
                          f"{DEFAULT_BASE_URL}")
    ref = remote_ref(config)
    with connect(config) as client:
        with console.status("Reading the Help Center…"):
            actual = read_actual(client, with_portal=True, expect=warm_up)
        console.detail(f"{plural(client.request_count, 'request')} sent (reads only)")
    with build_aside(root) as folder:  # a run killed before the end leaves no trace here
        built = replace(config, root=folder)
        imported = import_remote(built, actual, ref, fetch)
        result = imported.result
        for warning in result.warnings:
            console.warn(f"warning: {warning}")
        if imported.max_article_bytes is not None:
            built = replace(built, content=replace(
                built.content, max_article_bytes=imported.max_article_bytes))
        # A problem shows up now, not at the first plan; the bodies were parsed as converted.
        checked = open_workspace(built).check(known=result.parsed)
    for problem in checked.problems:
        console.problem(problem)
    if checked.errors:
        problems = plural(len(checked.errors), "problem")
        console.warn(f"The written files have {problems} to fix before `kbsync plan`.")
    collections = sum(1 for c in result.changes if c.kind == "collection")
    console.success(
        f"Wrote {plural(len(actual.articles), 'article')} in {plural(collections, 'collection')} "
        f"to {root}. Next: `kbsync -C {root} plan` (it should show no changes), then commit.")
    return 0


def scaffold(root: Path, console: Console) -> int:
    """``kbsync init DIR``: a new knowledge base with a first collection and article."""
    check_target(root)
    with build_aside(root) as folder:
        written = write_starter(folder)
    for path in written:
        console.info(f"  + {path}")
    console.success(f"Started a knowledge base in {root}, synced with an embedded Help "
                    f"Center. Next: `kbsync -C {root} apply`, then edit the articles and "
                    f"`kbsync -C {root} plan`.")
    return 0
