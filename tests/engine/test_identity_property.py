"""A property of the identity rule, through plan and apply against the emulator.

Whatever a writer does to the files between two applies (rename, move to another
folder, edit, delete, in any order and combination), the Help Center never ends up with
two articles one file produced, and never keeps a managed article whose file is gone
(unless ``on_delete = "keep"`` asks for that): each file is one article, and the next
plan is a no-op.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from kbsync.emulator.app import EmulatorConfig, create_app
from tests.engine.conftest import KB, TOKEN

FOLDERS = ("guides", "billing", "account")
Op = tuple[Literal["rename", "move", "edit", "rewrite", "delete"], int, int]
OPS = st.tuples(st.sampled_from(["rename", "move", "edit", "rewrite", "delete"]),
                st.integers(0, 7), st.integers(0, 2))
ROUNDS = st.lists(st.lists(OPS, min_size=1, max_size=5), min_size=1, max_size=2)


class Writer:
    """The files, as a writer changes them; each body is unique to its file's history."""

    def __init__(self, kb: KB) -> None:
        self.kb = kb
        self.names = 0
        for index in range(6):
            self.kb.article(f"{FOLDERS[index % 2]}/a{index}.md", f"Article {index}",
                            self.body(index))

    def body(self, index: int) -> str:
        return "\n\n".join(f"Paragraph {n} of article {index}, long enough to count."
                           for n in range(4))

    def files(self) -> list[Path]:
        return sorted(self.kb.root.glob("*/*.md"))

    def do(self, op: Op) -> None:
        kind, which, folder = op
        files = self.files()
        if not files:
            return
        path = files[which % len(files)]
        self.names += 1
        text = path.read_text()
        if kind == "delete":
            path.unlink()
        elif kind in ("edit", "rewrite"):
            extra = f"\n\nAdded in step {self.names}.\n"
            path.write_text(text + extra if kind == "edit" else
                            text.split("---\n\n")[0] + f"---\n\nRewritten {self.names}.\n")
        else:
            target = (path.parent if kind == "rename" else self.kb.root / FOLDERS[folder])
            path.unlink()
            self.kb.write(str((target / f"n{self.names}.md").relative_to(self.kb.root)), text)


def _check(ops: list[list[Op]], on_delete: Literal["delete", "keep"]) -> None:
    app = create_app(EmulatorConfig(token=TOKEN, org_id=1))
    with tempfile.TemporaryDirectory() as folder:
        kb = KB(Path(folder), app)
        kb.write("kbsync.toml", f'[apply]\non_delete = "{on_delete}"\nmax_deletes = 100\n')
        writer = Writer(kb)
        assert kb.apply().code == 0
        for steps in ops:
            for op in steps:
                writer.do(op)
            outcome = kb.apply()
            assert outcome.code == 0, outcome.err
        remote = [" ".join(a.fields.content.split()) for a in kb.remote_articles()]
        local = [" ".join(p.read_text().split("---\n\n", 1)[1].split())
                 for p in writer.files()]
        assert len(set(remote)) == len(remote)  # no two articles from one file's text
        if on_delete == "keep":
            assert set(local) <= set(remote)
        else:
            assert sorted(remote) == sorted(local)  # each file one article, none without
        assert kb.plan().code == 0
    app.close()


@settings(max_examples=40, deadline=None, derandomize=True)
@given(ROUNDS)
def test_any_renames_moves_edits_and_deletes_leave_one_article_per_file(
        ops: list[list[Op]]) -> None:
    _check(ops, "delete")


@settings(max_examples=15, deadline=None, derandomize=True)
@given(ROUNDS)
def test_with_on_delete_keep_every_file_is_still_exactly_one_article(
        ops: list[list[Op]]) -> None:
    _check(ops, "keep")
