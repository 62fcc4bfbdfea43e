"""A knowledge base wired to an in-process emulator, with pull, init and git helpers.

Builds on the engine tests' ``KB`` (same connect seam, same request log).
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kbsync.cli import report_error
from kbsync.commands import init as init_command
from kbsync.commands import pull as pull_command
from kbsync.config import load_config
from kbsync.console import Console
from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.errors import KbsyncError
from kbsync.model import ArticleFields, CollectionFields
from tests.engine.conftest import KB, TOKEN, Outcome, write_small_kb

GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


class PullKB(KB):
    def pull(self, **kwargs: Any) -> Outcome:
        return self._run(pull_command.run, **kwargs)

    def init(self, target: Path) -> Outcome:
        out, err = io.StringIO(), io.StringIO()
        console = Console(color=False, stdout=out, stderr=err)
        config = load_config(target, environ={"INITDESK_TOKEN": TOKEN,
                                              "INITDESK_BASE_URL": "http://emulator.test",
                                              "INITDESK_ORG_ID": "1", "INITDESK_RPM": "0"})
        try:
            code = init_command.run(config, console, connect=self.connect)
        except KbsyncError as exc:
            code = report_error(exc, console)
        return Outcome(code, out.getvalue(), err.getvalue())

    def validate_ok(self) -> bool:
        from kbsync.commands.validate import run as validate

        found: list[object] = []
        code = validate(self.config(), strict=False, emit=found.append)
        assert code == 0, found
        return True

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def snapshot(self) -> dict[str, bytes]:
        """Every file under the root except git's own and kbsync's parse cache."""
        return {rel: p.read_bytes() for p in sorted(self.root.rglob("*"))
                if p.is_file() and ".git" not in p.relative_to(self.root).parts
                and not (rel := p.relative_to(self.root).as_posix()).startswith(
                    ".kbsync/cache/")}

    # -- remote edits, as the web UI makes them --------------------------------------------

    def edit_remote(self, which: str, **changes: Any) -> None:
        """PATCH the article whose slug is ``which``, as a web-UI edit would."""
        with self.connect(self.config()) as client:
            article = next(a for a in client.list_articles() if a.fields.slug == which)
            client.patch_article(article.id, changes)

    def remote_id(self, slug: str) -> int:
        with self.connect(self.config()) as client:
            return next(a.id for a in client.list_articles() if a.fields.slug == slug)

    def collection_id(self, slug: str) -> int:
        with self.connect(self.config()) as client:
            return next(c.id for c in client.list_collections() if c.fields.slug == slug)

    def create_remote(self, fields: ArticleFields) -> int:
        with self.connect(self.config()) as client:
            return client.create_article(fields).id

    def create_collection(self, fields: CollectionFields) -> int:
        with self.connect(self.config()) as client:
            return client.create_collection(fields).id

    def delete_remote(self, slug: str) -> None:
        with self.connect(self.config()) as client:
            client.delete_article(self.remote_id(slug))

    # -- git -----------------------------------------------------------------------------

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True,
                              text=True, env={**os.environ, **GIT_ENV}).stdout

    def git_init(self) -> None:
        self.git("init", "-q", "-b", "main")
        self.commit_all("start")

    def commit_all(self, message: str = "edit") -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)


@pytest.fixture
def pkb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PullKB]:
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    app = create_app(EmulatorConfig(token=TOKEN, org_id=1))
    root = tmp_path / "kb"
    root.mkdir()
    yield PullKB(root, app)
    app.close()


@pytest.fixture
def synced(pkb: PullKB) -> PullKB:
    """Two collections (one nested), four articles, applied: lock and remote in step."""
    write_small_kb(pkb)
    assert pkb.apply().code == 0
    return pkb


@pytest.fixture
def committed(synced: PullKB) -> PullKB:
    """``synced``, committed to git: the base of every file is in git's objects."""
    synced.write(".gitignore", ".kbsync/\n")
    synced.git_init()
    return synced
