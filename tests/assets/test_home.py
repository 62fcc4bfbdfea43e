"""Where a local file is published, and the path read back from its URL."""

from __future__ import annotations

from kbsync.assets.home import AssetHome
from kbsync.assets.names import content_digest

DIGEST = content_digest(b"\x89PNG")
STORE = AssetHome(public_url="https://cdn.acme.com/kb", digests={"images/a b.png": DIGEST})


def test_a_published_file_is_its_content_addressed_name_under_public_url() -> None:
    assert STORE.url("images/a b.png") == f"https://cdn.acme.com/kb/images/a%20b.{DIGEST[:16]}.png"


def test_a_file_the_store_does_not_publish_has_no_url() -> None:
    assert STORE.url("images/other.png") is None


def test_pull_reads_the_path_back_from_any_version_of_the_url() -> None:
    older = f"https://cdn.acme.com/kb/images/a%20b.{content_digest(b'old')[:16]}.png"
    assert STORE.path_of(STORE.url("images/a b.png") or "") == "images/a b.png"
    assert STORE.path_of(older) == "images/a b.png"
    assert STORE.path_of("https://cdn.acme.com/other/x.png") is None


def test_a_base_url_serves_the_path_as_it_is() -> None:
    home = AssetHome(base_url="https://raw.example.com/kb/")
    assert home.url("images/a b.png") == "https://raw.example.com/kb/images/a%20b.png"
    assert home.path_of("https://raw.example.com/kb/images/a%20b.png") == "images/a b.png"


def test_no_home_leaves_files_where_they_are() -> None:
    assert AssetHome().url("images/a.png") is None
