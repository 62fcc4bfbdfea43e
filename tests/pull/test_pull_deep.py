"""Deep remote HTML: converted down to a bound, kept as HTML below it; nothing crashes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from kbsync.model import ArticleFields
from kbsync.pull.convert import Remote, Way, convert_one
from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb, synced = pull_kb.pkb, pull_kb.synced

LISTS = "<ul>\n<li>" * 150 + "deep item" + "</li>\n</ul>" * 150
DIVS = "<div>" * 300 + "<p>deep text</p>" + "</div>" * 300


def _create(kb: PullKB, slug: str, html: str) -> None:
    kb.create_remote(ArticleFields(title=slug.title(), slug=slug, status="published",
                                   content_html=html, content="x"))


def test_init_writes_every_article_however_deep_its_html(pkb: PullKB, tmp_path: Path) -> None:
    _create(pkb, "lists", LISTS)
    _create(pkb, "divs", DIVS)
    _create(pkb, "plain", "<p>Just text.</p>")
    target = tmp_path / "imported"
    outcome = pkb.init(target)
    assert outcome.code == 0, outcome.err
    assert "deep item" in (target / "01-lists.md").read_text()  # in initdesk's order
    assert "deep text" in (target / "02-divs.md").read_text()
    assert (target / "03-plain.md").read_text().endswith("Just text.\n")
    assert PullKB(target, pkb.app).plan().code == 0


def test_pull_takes_a_deep_edit_made_in_initdesk(synced: PullKB) -> None:
    synced.edit_remote("invoices", content_html=LISTS)
    outcome = synced.pull()
    assert outcome.code == 0, outcome.err
    assert "deep item" in synced.read("billing/invoices.md")
    assert synced.plan().code == 0


class _Broken(Mapping[str, str]):
    """A link map that fails: what a converter bug would look like from outside."""

    def __getitem__(self, key: str) -> str:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def get(self, key: str, default: object = None) -> str:  # type: ignore[override]
        raise ValueError("no such link map")


def test_a_body_that_cannot_be_converted_is_kept_as_html_and_said() -> None:
    remote = Remote("a.md", "x", '<p>See <a href="https://help.example/a-1">a</a>.</p>')
    done = convert_one(remote, Way(key_of=_Broken()))
    assert done.body == remote.content_html + "\n"
    assert done.problem is not None and "kept as HTML" in done.problem
