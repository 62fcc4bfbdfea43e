"""kbsync.lock's journal: one fsynced line per step, folded in once; torn and stale ones.

Unit tests of ``lock.journaled`` and ``lock_journal``, then a real ``kbsync apply``
killed while a request is in flight, with a torn record appended as a kill mid-append
leaves it: the next apply converges, nothing duplicated.
"""

from __future__ import annotations

import json
import signal
from collections import Counter
from pathlib import Path

import pytest

from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.emulator.server import running_server
from kbsync.lock import journaled, load_lock, save_lock
from kbsync.lock_journal import JournalWriter, journal_path
from kbsync.model import Lock, LockEntry, PortalEntry, RemoteRef
from tests.processes import Gate, kbsync_process, write_plain_kb

REMOTE = RemoteRef("https://api.initdesk.com", 7)


def _entry(number: int) -> LockEntry:
    return LockEntry(number, f"g/a{number}.md", f"sha256:{number}", "t", "blob")


@pytest.fixture
def lock_path(tmp_path: Path) -> Path:
    lock = Lock(REMOTE.base_url, REMOTE.organization_id)
    lock.put("collections", "g", LockEntry(1, "g", "sha256:g"))
    save_lock(lock, tmp_path / "kbsync.lock")
    return tmp_path / "kbsync.lock"


def _killed_after(lock_path: Path, *steps: tuple[str, LockEntry | None]) -> Lock:
    """A run that recorded ``steps`` (slug, entry or None: removed) and was killed."""
    lock = load_lock(lock_path)
    writer = JournalWriter(lock, lock_path)
    for slug, entry in steps:
        if entry is None:
            lock.remove("articles", slug)
        else:
            lock.put("articles", slug, entry)
        writer.record(lock)
    writer.close()  # what the OS does for a killed process: no fold
    return lock


def test_steps_append_to_the_journal_and_the_lock_is_written_once_at_the_end(
        lock_path: Path) -> None:
    before = lock_path.read_bytes()
    lock = load_lock(lock_path)
    with journaled(lock, lock_path) as record:
        for number in (2, 3):
            lock.put("articles", f"a{number}", _entry(number))
            record(lock)
        assert lock_path.read_bytes() == before
        assert len(journal_path(lock_path).read_text().splitlines()) == 3  # header + 2
    assert load_lock(lock_path).dumps() == lock.dumps()
    assert not journal_path(lock_path).exists()


def test_a_run_that_changes_nothing_leaves_the_lock_untouched(lock_path: Path) -> None:
    before = lock_path.stat().st_mtime_ns
    lock = load_lock(lock_path)
    with journaled(lock, lock_path):
        pass
    assert lock_path.stat().st_mtime_ns == before and not journal_path(lock_path).exists()


def test_a_killed_runs_journal_is_read_with_the_lock_and_folded_by_the_next_write(
        lock_path: Path) -> None:
    killed = _killed_after(lock_path, ("a2", _entry(2)), ("a3", _entry(3)), ("a2", None))
    read = load_lock(lock_path)
    assert read.dumps() == killed.dumps() and read.has_changes
    save_lock(read, lock_path)
    assert not journal_path(lock_path).exists()
    assert set(load_lock(lock_path).articles) == {"a3"}


def test_a_torn_last_record_is_left_out(lock_path: Path) -> None:
    _killed_after(lock_path, ("a2", _entry(2)))
    with journal_path(lock_path).open("a") as journal:
        journal.write('{"articles":{"a3":{"id":3,"path":"g/a3.md","rem')
    assert set(load_lock(lock_path).articles) == {"a2"}


def test_a_record_that_does_not_parse_ends_what_is_trusted(lock_path: Path) -> None:
    _killed_after(lock_path, ("a2", _entry(2)))
    with journal_path(lock_path).open("a") as journal:
        journal.write('{"articles":{"a3":{"id":"three"}}}\n')
        journal.write(json.dumps({"articles": {"a4": _entry(4).to_dict()}}) + "\n")
    assert set(load_lock(lock_path).articles) == {"a2"}


def test_a_journal_of_another_lock_is_ignored_and_removed_by_the_next_write(
        lock_path: Path) -> None:
    _killed_after(lock_path, ("a2", _entry(2)))
    restored = Lock(REMOTE.base_url, REMOTE.organization_id)  # e.g. git checkout -- kbsync.lock
    save_lock(restored, lock_path.with_name("other.lock"))
    lock_path.write_bytes(lock_path.with_name("other.lock").read_bytes())
    assert load_lock(lock_path).articles == {}
    with journaled(load_lock(lock_path), lock_path):
        pass
    assert not journal_path(lock_path).exists()


def test_a_first_apply_killed_before_any_lock_existed_is_read_back(tmp_path: Path) -> None:
    lock = Lock()
    lock.bind(REMOTE)
    writer = JournalWriter(lock, tmp_path / "kbsync.lock")
    lock.put("articles", "a2", _entry(2))
    lock.portal = PortalEntry("sha256:p", "t")
    writer.record(lock)
    writer.close()
    read = load_lock(tmp_path / "kbsync.lock")
    assert read.remote == REMOTE and read.portal == PortalEntry("sha256:p", "t")
    assert set(read.articles) == {"a2"}


def test_a_new_journal_carries_what_the_pending_one_held(lock_path: Path) -> None:
    _killed_after(lock_path, ("a2", _entry(2)))
    lock = load_lock(lock_path)
    JournalWriter(lock, lock_path).close()  # the next run starts, and is killed at once
    assert set(load_lock(lock_path).articles) == {"a2"}


def test_an_upload_is_journaled_as_its_name_alone_and_read_back(lock_path: Path) -> None:
    lock = load_lock(lock_path)
    writer = JournalWriter(lock, lock_path)
    for name in ("a.1.png", "b.2.png"):
        lock.add_asset("s3://b/kb", name)
        writer.record(lock)
    writer.close()  # killed: no fold
    records = journal_path(lock_path).read_text().splitlines()[1:]
    assert records == ['{"assets":{"s3://b/kb":["a.1.png"]}}',
                       '{"assets":{"s3://b/kb":["b.2.png"]}}']  # what is new, not all
    read = load_lock(lock_path)
    assert read.has_asset("s3://b/kb", "a.1.png") and read.has_asset("s3://b/kb", "b.2.png")


# -- a real apply, killed mid-run, with a torn record -----------------------------------------

TOKEN = "tok-journal-5ecret"


def test_apply_killed_mid_journal_append_converges_without_duplicates(tmp_path: Path) -> None:
    write_plain_kb(tmp_path, 12, 2)
    app = create_app(EmulatorConfig(token=TOKEN))
    posts = Counter[str]()

    def seventh_post(environ: dict[str, object]) -> bool:
        posts[str(environ["REQUEST_METHOD"])] += 1
        return environ["REQUEST_METHOD"] == "POST" and posts["POST"] == 7

    gate = Gate(app, held=seventh_post, answer_first=True)  # done in initdesk, answer held
    with running_server(gate) as url:
        first = kbsync_process(tmp_path, url, TOKEN, "apply", "--yes")
        gate.wait_arrived(first)
        first.send_signal(signal.SIGKILL)
        first.wait()
        journal = journal_path(tmp_path / "kbsync.lock")
        recorded = journal.read_text().splitlines()
        assert not (tmp_path / "kbsync.lock").exists()  # the journal is all there is
        assert sum('"articles"' in line for line in recorded) == 4  # the 5th is in flight
        with journal.open("a") as torn:  # a record cut off, as a kill mid-append leaves it
            torn.write(recorded[-1][: len(recorded[-1]) // 2])
        gate.open()
        again = kbsync_process(tmp_path, url, TOKEN, "apply", "--yes")
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        # the journal's 4 articles are known; the one in flight is found by its slug
        assert "Plan: 7 to create, 1 to adopt." in out, out
        check = kbsync_process(tmp_path, url, TOKEN, "plan", "--detailed-exitcode")
        out, err = check.communicate(timeout=60)
        assert check.returncode == 0, out + err
    _count, rows = app.store.list_articles(limit=1000)
    assert len(rows) == 12 and max(Counter(a["slug"] for a in rows).values()) == 1
    assert not journal.exists() and len(load_lock(tmp_path / "kbsync.lock").articles) == 12
