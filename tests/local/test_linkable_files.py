"""The files an article may link to for readers: what the editor completes images from."""

from __future__ import annotations

from pathlib import Path

from kbsync.local.assets import linkable_files


def test_images_and_documents_but_nothing_private_hidden_or_ignored(tmp_path: Path) -> None:
    for rel in ("g/shot.png", "g/guide.pdf", "g/notes.sh", "g/a.md", ".git/x.png",
                "kbsync.toml", "tickets.json", "drafts/old.png", "g/.hidden.png"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    (tmp_path / ".kbsyncignore").write_text("drafts/\n")
    assert linkable_files(tmp_path) == ["g/guide.pdf", "g/shot.png"]
