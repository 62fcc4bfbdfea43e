"""Converting many remote bodies: each ready when asked for, none converted twice."""

from __future__ import annotations

from collections.abc import Iterator

from kbsync.local.bulk import POOL_THRESHOLD
from kbsync.pull.convert import Conversions, Converted, Remote, Way, convert_all


def test_looking_one_up_waits_for_that_one_only() -> None:
    """pull decides about the first articles while the workers convert the rest."""
    taken: list[str] = []

    def coming() -> Iterator[tuple[str, Converted]]:
        for key in ("a.md", "b.md", "c.md"):
            taken.append(key)
            yield key, Converted(f"{key} body\n")

    conversions = Conversions(coming(), {"kept.md": Converted("kept\n")})
    assert conversions["b.md"].body == "b.md body\n"
    assert taken == ["a.md", "b.md"]
    assert conversions["kept.md"].body == "kept\n" and taken == ["a.md", "b.md"]
    assert conversions.get("missing.md") is None and taken == ["a.md", "b.md", "c.md"]
    assert sorted(conversions) == ["a.md", "b.md", "c.md", "kept.md"]
    assert len(conversions) == 4


def test_a_big_batch_on_the_workers_comes_back_whole_and_keeps_what_was_done() -> None:
    remotes = [Remote(f"g/a{n:04}.md", "", f"<h2>Part {n}</h2><p>See <em>this</em>.</p>")
               for n in range(POOL_THRESHOLD)]
    earlier = Converted("converted by an earlier decision\n")
    conversions = convert_all(remotes, Way(), parse=True, done={"g/a0007.md": earlier})
    assert conversions["g/a0299.md"].body == "## Part 299\n\nSee *this*.\n"
    assert conversions["g/a0007.md"] is earlier
    parsed = conversions["g/a0000.md"].parsed
    assert parsed is not None and parsed.anchors == frozenset({"part-0"})
    assert len(conversions) == POOL_THRESHOLD
