"""The debounce and the rebuild loop, on an injected clock; paths from watchdog events."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from watchdog.events import (
    DirModifiedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from kbsync.errors import KbsyncError
from kbsync.preview.watch import WATCH_MAX_DEPTH, Debouncer, FolderWatcher, PathCollector
from tests.deep import Nest


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    def __init__(self, fail_on: int | None = None) -> None:
        self.batches: list[frozenset[str]] = []
        self.errors: list[BaseException] = []
        self.fail_on = fail_on
        self.ran = threading.Event()

    def rebuild(self, paths: frozenset[str]) -> None:
        self.batches.append(paths)
        self.ran.set()
        if len(self.batches) == self.fail_on:
            raise RuntimeError("the rebuild broke")

    def debouncer(self, clock: FakeClock, **kwargs: float) -> Debouncer:
        return Debouncer(self.rebuild, on_error=self.errors.append, clock=clock, **kwargs)


def test_a_burst_becomes_one_rebuild_after_a_quiet_moment() -> None:
    clock, recorder = FakeClock(), Recorder()
    debouncer = recorder.debouncer(clock, delay=0.05)
    debouncer.add([".x.md.tmp", "a.md"])
    clock.now += 0.03
    debouncer.add(["a.md", "a.md~"])
    clock.now += 0.04  # 0.07 after the first event, 0.04 after the last
    assert debouncer.flush() is False
    assert debouncer.wait_time() == pytest.approx(0.01)
    clock.now += 0.01
    assert debouncer.flush() is True
    assert recorder.batches == [frozenset({".x.md.tmp", "a.md", "a.md~"})]
    assert debouncer.wait_time() is None and debouncer.flush() is False


def test_events_that_never_stop_still_rebuild_after_max_delay() -> None:
    clock, recorder = FakeClock(), Recorder()
    debouncer = recorder.debouncer(clock, delay=0.05, max_delay=1.0)
    for _ in range(30):  # an event every 40 ms for 1.2 s: never quiet for 50 ms
        debouncer.add(["a.md"])
        debouncer.flush()
        clock.now += 0.04
    assert len(recorder.batches) == 1


def test_nothing_pending_nothing_rebuilt() -> None:
    clock, recorder = FakeClock(), Recorder()
    debouncer = recorder.debouncer(clock)
    debouncer.add([])
    clock.now += 10
    assert debouncer.flush() is False and debouncer.flush(force=True) is False
    assert recorder.batches == []


def test_a_failing_rebuild_is_reported_and_the_next_batch_still_runs() -> None:
    clock, recorder = FakeClock(), Recorder(fail_on=1)
    debouncer = recorder.debouncer(clock, delay=0.05)
    debouncer.add(["a.md"])
    clock.now += 1
    assert debouncer.flush() is True
    assert [str(e) for e in recorder.errors] == ["the rebuild broke"]
    debouncer.add(["b.md"])
    clock.now += 1
    assert debouncer.flush() is True
    assert recorder.batches == [frozenset({"a.md"}), frozenset({"b.md"})]
    assert debouncer.rebuilds == 2


def test_events_during_a_rebuild_wait_for_the_next_one() -> None:
    clock = FakeClock()
    batches: list[frozenset[str]] = []
    debouncer: Debouncer

    def rebuild(paths: frozenset[str]) -> None:
        batches.append(paths)
        if len(batches) == 1:
            debouncer.add(["during.md"])  # saved while the first rebuild runs

    debouncer = Debouncer(rebuild, on_error=lambda exc: None, clock=clock, delay=0.05)
    debouncer.add(["first.md"])
    clock.now += 1
    debouncer.flush()
    clock.now += 1
    debouncer.flush()
    assert batches == [frozenset({"first.md"}), frozenset({"during.md"})]


def test_the_loop_rebuilds_survives_failures_and_stops() -> None:
    recorder = Recorder(fail_on=1)
    debouncer = Debouncer(recorder.rebuild, on_error=recorder.errors.append, delay=0.0)
    loop = threading.Thread(target=debouncer.run, daemon=True)
    loop.start()
    debouncer.add(["a.md"])
    assert recorder.ran.wait(5)
    recorder.ran.clear()
    debouncer.add(["b.md"])
    assert recorder.ran.wait(5)
    debouncer.stop()
    loop.join(5)
    assert not loop.is_alive()
    assert recorder.batches == [frozenset({"a.md"}), frozenset({"b.md"})]
    assert len(recorder.errors) == 1


def test_stop_ends_an_idle_loop() -> None:
    debouncer = Debouncer(lambda paths: None, on_error=lambda exc: None)
    loop = threading.Thread(target=debouncer.run, daemon=True)
    loop.start()
    debouncer.stop()
    loop.join(5)
    assert not loop.is_alive()


def _collect(root: Path, *events: object) -> list[list[str]]:
    seen: list[list[str]] = []
    collector = PathCollector(root, lambda paths: seen.append(list(paths)))
    for event in events:
        collector.on_any_event(event)  # type: ignore[arg-type]
    return seen


def test_events_become_root_relative_paths(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    seen = _collect(root, FileModifiedEvent(f"{root}/billing/refunds.md"),
                    FileMovedEvent(f"{root}/billing/.refunds.md.tmp",
                                   f"{root}/billing/refunds.md"),
                    FileDeletedEvent(f"{root}/.kbsyncignore"),
                    FileCreatedEvent(str(root)))
    assert seen == [["billing/refunds.md"], ["billing/refunds.md"], [".kbsyncignore"], [""]]


def test_noise_is_dropped(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    assert _collect(root, FileOpenedEvent(f"{root}/a.md"),
                    FileClosedNoWriteEvent(f"{root}/a.md"),
                    DirModifiedEvent(f"{root}/billing"),
                    FileModifiedEvent(f"{root}/.git/index"),
                    FileModifiedEvent(f"{root}/.kbsync/cache/parsed.json"),
                    FileCreatedEvent(f"{root}/billing/.refunds.md.swp"),
                    FileCreatedEvent(f"{tmp_path.parent.resolve()}/elsewhere.md")) == []


def test_the_folder_watcher_reports_real_changes(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    (root / "billing").mkdir(parents=True)
    seen: set[str] = set()
    arrived = threading.Event()

    def sink(paths: object) -> None:
        seen.update(paths)  # type: ignore[arg-type]
        if "billing/refunds.md" in seen:
            arrived.set()

    watcher = FolderWatcher(root, sink)
    watcher.start()
    try:
        (root / "billing" / "refunds.md").write_text("# Refunds\n")
        assert arrived.wait(5)
        assert watcher.watching and watcher.check() is False
    finally:
        watcher.stop()


def test_the_folder_watcher_watches_a_deleted_folder_again_once_it_is_back(
        tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    seen: list[str] = []
    watcher = FolderWatcher(root, seen.extend)
    watcher.start()
    try:
        assert watcher.check() is False
        root.rmdir()
        _until(lambda: not watcher.watching)
        assert watcher.check() is False  # still gone: nothing to watch
        root.mkdir()
        assert watcher.check() is True
        assert seen[-1] == "" and watcher.watching
    finally:
        watcher.stop()


def _until(condition: Callable[[], bool]) -> None:
    """Wait for watchdog's thread to notice (bounded; no timing is asserted)."""
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_folder_too_deep_for_watchdog_is_refused_naming_it(tmp_path: Path,
                                                              nest: Nest) -> None:
    (tmp_path / "kb").mkdir()
    nest(tmp_path / "kb", 1_000)
    watcher = FolderWatcher(tmp_path / "kb", lambda paths: None)
    with pytest.raises(KbsyncError, match=f"d/d/d.*: a folder nested more than "
                                          f"{WATCH_MAX_DEPTH} levels deep; the preview "
                                          "cannot watch"):
        watcher.start()
    assert not watcher.watching
