"""Suite-wide: tests see a plain environment, even when the suite itself runs in CI.

kbsync changes its output under GitHub Actions (annotations, groups) and reads
``GITHUB_*`` files; a test that wants that sets the variables itself.
"""

from __future__ import annotations

import pytest

_GITHUB = ("GITHUB_ACTIONS", "GITHUB_WORKSPACE", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT",
           "GITHUB_EVENT_PATH", "NO_COLOR")


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _GITHUB:
        monkeypatch.delenv(name, raising=False)
