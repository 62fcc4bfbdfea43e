"""A new knowledge base: the few files a team starts from (``kbsync init DIR``).

It syncs with the embedded Help Center at once (``base_url = "local"``), so a new user
can validate, plan and apply before they have an account; pointing it at initdesk is
one line of kbsync.toml.
"""

from __future__ import annotations

from pathlib import Path

from kbsync.config import CONFIG_FILE

__all__ = ["GITIGNORE", "STARTER_FILES", "write_starter"]

#: kbsync's own folder (the embedded Help Center, caches, merge bases) and the
#: temporary files of its atomic writes.
GITIGNORE = ".kbsync/\n.*.tmp\n"

STARTER_FILES: dict[str, str] = {
    CONFIG_FILE: (
        "# kbsync settings. No secrets here: the token comes from INITDESK_TOKEN.\n"
        "[remote]\n"
        'base_url = "local"   # an embedded Help Center in .kbsync/local.db; for initdesk:\n'
        '                     # base_url = "https://api.initdesk.com" and your organization_id\n'
        "organization_id = 1\n"
    ),
    ".gitignore": GITIGNORE,
    "getting-started/_collection.yaml": (
        "name: Getting started\n"
        "description: The first steps with our product.\n"
    ),
    "getting-started/01-welcome.md": (
        "---\n"
        "title: Welcome\n"
        "excerpt: What this Help Center covers and where to start.\n"
        "---\n"
        "\n"
        "Welcome to our Help Center. Each folder here is a collection, each Markdown file\n"
        "an article; the front matter above holds its title and one-line excerpt.\n"
        "\n"
        "## Next steps\n"
        "\n"
        "- Edit this file, then run `kbsync plan` to see the change.\n"
        "- Run `kbsync apply` to publish it.\n"
    ),
}


def write_starter(root: Path) -> list[str]:
    """Write the starter files into ``root`` (created if needed); their paths."""
    for rel, text in STARTER_FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:  # never overwrite
            handle.write(text)
    return list(STARTER_FILES)
