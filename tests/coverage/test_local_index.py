"""The local index answers like the Help Center's search, keyed by local paths."""

from __future__ import annotations

from kbsync.coverage.local_index import LocalIndex
from kbsync.model import ArticleFields, CollectionFields


def _article(title: str, slug: str, text: str, status: str = "published") -> ArticleFields:
    return ArticleFields(title=title, slug=slug, status=status,  # type: ignore[arg-type]
                         content_html=f"<p>{text}</p>", content=text)


def _with_refunds(index: LocalIndex) -> None:
    index.put_collection("billing", CollectionFields(name="Billing", slug="billing"))
    index.put_article("billing/refunds.md",
                      _article("Refunds", "refunds", "money back for unused labels"), "billing")


def test_finds_published_articles_by_local_key() -> None:
    with LocalIndex() as index:
        _with_refunds(index)
        index.put_article("notes.md", _article("Notes", "notes", "unused labels", "draft"))
        hits = index.search("money back for an unused label")
    assert [key for key, _ in hits] == ["billing/refunds.md"]
    assert hits[0][1].score > 0
    assert hits[0][1].article.url.endswith("/billing/refunds-1")


def test_replacing_and_removing_an_article_updates_the_answers() -> None:
    with LocalIndex() as index:
        index.put_article("a.md", _article("Refunds", "refunds", "refund policy"))
        index.put_article("a.md", _article("Returns", "returns", "send parcels back"))
        assert index.search("refund") == []
        assert [key for key, _ in index.search("parcels")] == ["a.md"]
        index.remove_article("a.md")
        assert index.search("parcels") == []


def test_a_slug_held_twice_is_still_indexed() -> None:
    with LocalIndex() as index:
        index.put_article("a/x.md", _article("Refund one", "refund", "refund policy"))
        index.put_article("b/x.md", _article("Refund two", "refund", "refund rules"))
        keys = sorted(key for key, _ in index.search("refund"))
    assert keys == ["a/x.md", "b/x.md"]


def test_a_replica_answers_as_the_index_did_when_it_was_made() -> None:
    """coverage searches copies on other threads; a copy is the index as it stood."""
    with LocalIndex() as index:
        _with_refunds(index)
        index.put_article("labels.md", _article("Labels", "labels", "print unused labels"))
        question = "money back for an unused label"
        before = index.search(question)
        with index.replica() as copy:
            assert copy.search(question) == before  # the same hits, scores and URLs
            index.put_article("later.md", _article("Later", "later", "unused labels later"))
            assert "later.md" in [key for key, _ in index.search(question)]
            assert copy.search(question) == before
    assert [key for key, _ in before] == ["billing/refunds.md", "labels.md"]
