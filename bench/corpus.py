"""The generated knowledge base the benchmarks run on: 2,000 articles in 40 collections
(bench_growth.py: 10,000 in 100).

Each article is about 4 KB of typical help-article Markdown (lists, a table, a code
block, a relative link to another article), so that parsing, rendering and the wire
carry what a real knowledge base makes them carry. Deterministic for a seed.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = ["parcel", "label", "carrier", "tracking", "invoice", "refund", "customs", "shop",
         "order", "account", "printer", "address", "warehouse", "pickup", "return", "weight",
         "volume", "plan", "webhook", "api"]


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def article_body(rng: random.Random, index: int, total: int, collections: int = 40) -> str:
    """About 5 KB of typical help-article Markdown, with one link to another article."""
    target = rng.randrange(total)
    parts = [paragraph(rng, 60), "## Before you start", paragraph(rng, 80),
             "\n".join(f"- {paragraph(rng, 8)}" for _ in range(6)), "## Steps",
             "\n".join(f"{n}. {paragraph(rng, 12)}" for n in range(1, 7)),
             "| Plan | Labels | Price |\n|---|---|---|\n"
             + "\n".join(f"| {rng.choice(WORDS)} | {n * 10} | {n * 5} EUR |" for n in range(6)),
             "```bash\ncurl -H 'Authorization: Bearer KEY' https://api.example.com/v1/labels\n```",
             f"See [a related article](/{article_path(target, collections)}) for more.",
             "## Troubleshooting", paragraph(rng, 120), paragraph(rng, 120)]
    return "\n\n".join(parts) + "\n"


def folder(index: int, collections: int = 40) -> str:
    """Each fifth collection is a top-level area, the four after it its topics."""
    top, child = divmod(index % collections, 5)
    return f"area-{top}" if child == 0 else f"area-{top}/topic-{top}-{child}"


def article_path(index: int, collections: int = 40) -> str:
    return f"{folder(index, collections)}/article-{index:04d}.md"


def generate(root: Path, articles: int, seed: int = 1, collections: int = 40) -> None:
    rng = random.Random(seed)
    (root / "kbsync.toml").write_text('[remote]\nbase_url = "local"\norganization_id = 1\n')
    for index in range(articles):
        path = root / article_path(index, collections)
        path.parent.mkdir(parents=True, exist_ok=True)
        body = article_body(rng, index, articles, collections)
        # links are written root-relative above; make them relative to the file
        depth = article_path(index, collections).count("/")
        body = body.replace("](/", "](" + "../" * depth)
        path.write_text(f"---\ntitle: Article {index}\nexcerpt: {paragraph(rng, 10)}\n"
                        f"status: published\n---\n\n{body}")
