"""The shared record: one small file per token, safe under concurrency, never a failure."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from kbsync.config import Secret, load_config, user_cache_dir
from kbsync.remote.budget import RequestBudget
from kbsync.remote.spend_record import SpendRecord, record_id
from kbsync.session import open_client

from .budget_time import EPOCH, FakeTime
from .conftest import TOKEN, MakeRemote

URL = "https://api.initdesk.com"


def spend(record: SpendRecord, fake: FakeTime, count: int) -> RequestBudget:
    budget = RequestBudget(60, clock=fake.clock, sleep=fake.sleep, record=record,
                           on_wait=fake.on_wait)
    for _ in range(count):
        budget.after_answer(budget.before_send(), None)
    return budget


def sent(path: Path) -> list[float]:
    times: list[float] = json.loads(path.read_text())["sent"]
    return times


def test_the_record_is_named_by_a_hash_of_server_and_token() -> None:
    name = record_id(URL, Secret(TOKEN))
    assert len(name) == 16 and int(name, 16) >= 0
    assert name == record_id(URL + "/", Secret(TOKEN))
    assert name != record_id(URL, Secret(TOKEN + "x"))
    assert name != record_id("http://127.0.0.1:8765", Secret(TOKEN))


def test_a_command_records_its_requests_and_never_the_token(
    make_http_remote: MakeRemote, tmp_path: Path
) -> None:
    remote = make_http_remote()
    cache = tmp_path / "cache"
    config = load_config(tmp_path, environ={
        "INITDESK_BASE_URL": remote.base_url, "INITDESK_ORG_ID": "1", "INITDESK_TOKEN": TOKEN,
        "KBSYNC_CACHE_DIR": str(cache)})
    with open_client(config) as client:
        client.organization()
        client.get_portal()
    (record,) = cache.glob("budget-*.json")
    assert record.name == f"budget-{record_id(remote.base_url, Secret(TOKEN))}.json"
    assert len(sent(record)) == 2
    for path in cache.iterdir():
        assert TOKEN not in path.name and TOKEN not in path.read_text(errors="replace")


def test_the_embedded_help_center_keeps_no_record(tmp_path: Path) -> None:
    (tmp_path / "kbsync.toml").write_text('[remote]\nbase_url = "local"\n')
    config = load_config(tmp_path, environ={"KBSYNC_CACHE_DIR": str(tmp_path / "cache")})
    with open_client(config) as client:
        client.organization()
        assert not client.budget.enabled
    assert not (tmp_path / "cache").exists()


def test_a_corrupt_record_is_ignored_and_then_repaired(tmp_path: Path) -> None:
    path = tmp_path / "budget.json"
    path.write_bytes(b"\x00{not json")
    fake = FakeTime()
    spend(SpendRecord(path), fake, 22)
    assert fake.sleeps == [] and len(sent(path)) == 22


def test_a_record_of_another_shape_or_version_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "budget.json"
    for text in ('{"version": 99, "sent": []}', '{"version": 1, "sent": ["x"]}', "[1, 2]"):
        path.write_text(text)
        fake = FakeTime()
        spend(SpendRecord(path), fake, 3)
        assert fake.sleeps == [] and len(sent(path)) == 3


def test_an_unusable_cache_folder_leaves_the_record_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    fake = FakeTime()
    budget = spend(SpendRecord.for_token(blocker / "kbsync", URL, Secret(TOKEN)), fake, 61)
    assert fake.reasons() == ["budget"]  # the 61st still waited: this process remembers
    assert budget.record.path is not None and not budget.record.path.exists()


def test_requests_older_than_the_window_are_pruned(tmp_path: Path) -> None:
    path = tmp_path / "budget.json"
    fake = FakeTime()
    spend(SpendRecord(path), fake, 5)
    fake.now += 61
    spend(SpendRecord(path), fake, 2)
    assert [round(t - EPOCH) for t in sent(path)] == [61, 61]


def test_processes_updating_at_once_lose_nothing(tmp_path: Path) -> None:
    """Four processes add 150 sends each to one record under its lock: 600 survive."""
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from kbsync.remote.spend_record import SpendRecord
        record = SpendRecord(Path({str(tmp_path / "budget.json")!r}))
        for _ in range(150):
            with record.transaction(time.time()) as tx:
                tx.add(time.time())
    """)
    workers = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(4)]
    assert [worker.wait(timeout=60) for worker in workers] == [0] * 4
    assert len(sent(tmp_path / "budget.json")) == 600


def test_where_the_cache_folder_is() -> None:
    assert user_cache_dir({"KBSYNC_CACHE_DIR": "/ci/cache", "XDG_CACHE_HOME": "/x",
                           "HOME": "/home/u"}) == Path("/ci/cache")
    assert user_cache_dir({"XDG_CACHE_HOME": "/x", "HOME": "/home/u"}) == Path("/x/kbsync")
    assert user_cache_dir({"HOME": "/home/u"}) == Path("/home/u/.cache/kbsync")
    assert user_cache_dir({}) is None


def test_a_request_is_pending_until_its_answer(tmp_path: Path) -> None:
    path = tmp_path / "budget.json"
    fake = FakeTime()
    budget = RequestBudget(60, clock=fake.clock, sleep=fake.sleep, record=SpendRecord(path))
    stamp = budget.before_send()
    assert json.loads(path.read_text()) == {"version": 1, "sent": [], "pending": [stamp]}
    fake.now += 0.25
    budget.after_answer(stamp, None)
    assert json.loads(path.read_text()) == {"version": 1, "sent": [EPOCH + 0.25],
                                            "pending": []}
