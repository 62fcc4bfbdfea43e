"""remote.conformance: how doctor reads a server's OPTIONS metadata and types JSON values."""

from __future__ import annotations

import pytest

from kbsync.remote.conformance import (
    FieldMetadata,
    json_type,
    options_from_wire,
    probe_params,
    value_matches,
)


def test_post_metadata_is_preferred_over_put() -> None:
    answer = {"actions": {"PUT": {"name": {"type": "string"}},
                          "POST": {"title": {"type": "string", "required": True,
                                             "read_only": False, "max_length": 255}}}}
    options = options_from_wire(answer)
    assert options is not None and options.method == "POST"
    assert options.fields == {"title": FieldMetadata("title", "string", True, False, 255)}


def test_a_singleton_offers_put() -> None:
    options = options_from_wire({"actions": {"PUT": {"name": {"type": "string"}}}})
    assert options is not None and options.method == "PUT"


@pytest.mark.parametrize("answer", [None, [], {"name": "x"}, {"actions": []},
                                    {"actions": {"GET": {}}}])
def test_an_answer_without_write_metadata_reads_as_none(answer: object) -> None:
    assert options_from_wire(answer) is None


def test_metadata_of_the_wrong_type_reads_as_unsaid() -> None:
    options = options_from_wire({"actions": {"POST": {
        "id": {"type": 3, "required": "yes", "read_only": 1, "max_length": True},
        "odd": "not an object"}}})
    assert options is not None
    assert set(options.fields.values()) == {FieldMetadata("id", None, None, None, None),
                                            FieldMetadata("odd", None, None, None, None)}


@pytest.mark.parametrize(("value", "name"), [
    (None, "null"), (True, "boolean"), (3, "integer"), (2.5, "number"), ("x", "string"),
    ([], "array"), ({}, "object"),
])
def test_each_json_value_has_its_contract_type(value: object, name: str) -> None:
    assert json_type(value) == name


@pytest.mark.parametrize(("value", "expected", "matches"), [
    (True, "integer", False),
    (3, "number", True),
    ("2026-01-01T00:00:00Z", "datetime", True),
    ("yesterday", "datetime", False),
    ("7", "integer", False),
])
def test_a_value_matches_its_contract_type_only(value: object, expected: str,
                                                matches: bool) -> None:
    assert value_matches(value, expected) is matches  # type: ignore[arg-type]


def test_a_probe_reads_one_object() -> None:
    assert probe_params(status="published") == {"page_size": "1", "status": "published"}
