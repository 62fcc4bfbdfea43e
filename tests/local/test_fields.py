from __future__ import annotations

import pytest

from kbsync.local.fields import SLUG_RE, did_you_mean, humanise, slugify, strip_number


@pytest.mark.parametrize(("name", "expected"), [
    ("getting-started", "Getting started"),
    ("02-billing", "Billing"),
    ("api_keys", "Api keys"),
])
def test_humanise(name: str, expected: str) -> None:
    assert humanise(name) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Bad Slug", "bad-slug"), ("Café & Crème!", "cafe-creme"), ("--a--b--", "a-b"), ("日本", ""),
])
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected
    assert expected == "" or SLUG_RE.match(expected)


def test_strip_number_keeps_names_that_are_only_a_number() -> None:
    assert (strip_number("01-welcome"), strip_number("404"), strip_number("10_x")) == (
        "welcome", "404", "x")


def test_did_you_mean() -> None:
    assert did_you_mean("titel", ["title", "slug"]) == "title"
    assert did_you_mean("zzz", ["title", "slug"]) is None
