"""Fingerprints are stored in every lock: the same fields must give the same one forever."""

from __future__ import annotations

import dataclasses
import hashlib
import json

from hypothesis import given
from hypothesis import strategies as st

from kbsync.fingerprint import blob_id, fields_fingerprint
from kbsync.model import ArticleFields, CollectionFields, PortalSettings


def test_fingerprints_of_locks_written_before_stay_the_same() -> None:
    # Values computed by the first implementation (json of dataclasses.asdict): a lock
    # written by any kbsync version must not show every item as edited in the web UI.
    article = ArticleFields(title="Refunds é", slug="refunds", excerpt=None, status="published",
                            collection_id=3, position=2, content_html="<p>x</p>", content="x")
    collection = CollectionFields(name="Billing", slug="billing", description="d", position=1)
    assert fields_fingerprint(article) == "sha256:182b47cb418a108515b65372d9033d45"
    assert fields_fingerprint(collection) == "sha256:0c198d9ca5bcb7a0a449877ca066716a"
    assert fields_fingerprint(PortalSettings(name="Help")) == \
        "sha256:f2f1bbc4033bcc1be37baa87bba43ae8"


def test_any_managed_field_changes_the_fingerprint() -> None:
    base = ArticleFields(title="T", slug="t")
    changed = [ArticleFields(title="T2", slug="t"), ArticleFields(title="T", slug="t2"),
               ArticleFields(title="T", slug="t", excerpt=""),
               ArticleFields(title="T", slug="t", status="published"),
               ArticleFields(title="T", slug="t", collection_id=1),
               ArticleFields(title="T", slug="t", position=1),
               ArticleFields(title="T", slug="t", content_html="<p></p>"),
               ArticleFields(title="T", slug="t", content=" ")]
    prints = {fields_fingerprint(fields) for fields in [base, *changed]}
    assert len(prints) == len(changed) + 1


def test_blob_id_is_gits() -> None:
    assert blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


#: ASCII, DEL (0x7f) and the first characters past it, where the shortcut's edge is
_NEAR_ASCII = st.text(st.characters(max_codepoint=0x80))
_ANY = st.text(st.characters(blacklist_categories=("Cs",)))  # no lone surrogates


@given(_NEAR_ASCII, _NEAR_ASCII, st.one_of(st.none(), _ANY))
def test_the_hashed_text_is_the_json_written_without_ascii_escapes(
        title: str, body: str, excerpt: str | None) -> None:
    fields = ArticleFields(title=title, slug="s", excerpt=excerpt, content=body)
    text = json.dumps(dataclasses.asdict(fields), sort_keys=True, ensure_ascii=False)
    expected = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    assert fields_fingerprint(fields) == expected
