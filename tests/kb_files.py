"""Writing a knowledge base's files in tests: one way, for every fixture that makes one."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class KBFiles:
    """``write`` and ``article`` for a class that has a ``root`` folder."""

    root: Path

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def article(self, rel: str, title: str, body: str = "Some text.", **meta: Any) -> Path:
        """``rel`` with front matter (``title`` and ``meta``) and ``body``."""
        lines = [f"title: {title}", *(f"{k}: {v}" for k, v in meta.items())]
        return self.write(rel, "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n")
