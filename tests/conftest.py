"""Suite-wide: tests see a plain environment, even when the suite itself runs in CI.

kbsync changes its output under GitHub Actions (annotations, groups) and reads
``GITHUB_*`` files; a test that wants that sets the variables itself.

Tests marked ``slow`` (a minute or more each: the reliability attack, the release's dry
run) run only when asked for, ``pytest -m slow`` (CI's reliability job); the default run
covers their subjects with fast tests.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.deep",  # ``nest``: folders a thousand levels deep, removed after
                  "tests.s3_server"]  # ``s3_server``: moto's S3 on 127.0.0.1, requests counted

_GITHUB = ("GITHUB_ACTIONS", "GITHUB_WORKSPACE", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT",
           "GITHUB_EVENT_PATH", "NO_COLOR")


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _GITHUB:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _slow_only_when_asked(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("slow") and "slow" not in (
            request.config.getoption("markexpr") or ""):
        pytest.skip("slow: run with `pytest -m slow`")
