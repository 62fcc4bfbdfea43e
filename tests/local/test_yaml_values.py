"""The parse cache's JSON form of YAML values: every type the safe loader builds comes
back as it was; anything else is refused, not blurred."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kbsync.local.yaml_values import NotCacheable, from_json, to_json

UTC2 = dt.timezone(dt.timedelta(hours=2))
VALUES = [None, True, 0, 1, -7, 1.5, float("inf"), "", "1", "text", [1, "1", True],
          {1: "one", "1": "one", False: "no", None: "none", dt.date(2024, 2, 29): "day"},
          dt.date(2024, 2, 29), dt.datetime(2024, 2, 29, 10, 30, tzinfo=UTC2),
          dt.datetime(2024, 2, 29, 10, 30, 1, 5), b"\x00bytes", {"only"}, ("a", 1),
          [("a", [1, {"b": (2.0,)}])]]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_comes_back_with_its_types(value: object) -> None:
    back = from_json(json.loads(json.dumps(to_json(value))))
    assert back == value and repr(back) == repr(value)


def test_nan_comes_back_as_nan() -> None:
    back = from_json(json.loads(json.dumps(to_json(float("nan")))))
    assert isinstance(back, float) and back != back


def test_what_the_loader_never_builds_is_not_cached() -> None:
    with pytest.raises(NotCacheable):
        to_json({"when": dt.time(10, 30)})
