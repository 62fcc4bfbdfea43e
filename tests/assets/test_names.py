"""Content-addressed names: the path kept readable, the hash before the extension."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kbsync.assets.names import content_digest, object_name, path_of_name

DIGEST = content_digest(b"png bytes")


def test_the_hash_goes_before_the_extension() -> None:
    assert object_name("images/invoice.png", DIGEST) == f"images/invoice.{DIGEST[:16]}.png"


def test_other_bytes_are_another_name_and_the_same_bytes_the_same() -> None:
    assert object_name("a.png", content_digest(b"x")) != object_name("a.png", content_digest(b"y"))
    assert object_name("a.png", content_digest(b"x")) == object_name("a.png", content_digest(b"x"))


def test_a_name_without_extension_or_a_dot_file_keeps_its_whole_name() -> None:
    assert object_name("docs/LICENSE", DIGEST) == f"docs/LICENSE.{DIGEST[:16]}"
    assert path_of_name(f"docs/LICENSE.{DIGEST[:16]}") == "docs/LICENSE"


def test_a_name_that_is_not_one_of_ours_has_no_path() -> None:
    assert path_of_name("images/invoice.png") is None
    assert path_of_name("images/invoice.0123.png") is None


@given(st.lists(st.from_regex(r"[a-zA-Z0-9 _.&ü-]{1,12}", fullmatch=True), min_size=1,
                max_size=3), st.binary(max_size=20))
def test_the_path_comes_back_from_any_name(parts: list[str], data: bytes) -> None:
    path = "/".join(parts)
    if any(p in (".", "..") for p in parts) or path.endswith("."):
        return
    assert path_of_name(object_name(path, content_digest(data))) == path
