"""Merge bases: kept in .kbsync/base, and found again in git's object store."""

from __future__ import annotations

import subprocess
from pathlib import Path

import git
import pytest

from kbsync.local.bases import PACK_FROM, BaseStore, git_blob_text


def store_blob(repo_root: Path, data: bytes) -> str | None:
    """``git hash-object -w`` of ``data`` in the repository at ``repo_root`` (None: none)."""
    done = subprocess.run(["git", "hash-object", "-w", "--stdin"], input=data, cwd=repo_root,
                          capture_output=True, check=False)
    return done.stdout.decode().strip() if done.returncode == 0 else None


@pytest.fixture
def repo_root(tmp_path: Path) -> Path:
    git.Repo.init(tmp_path).close()
    return tmp_path


def test_stored_blob_reads_back(repo_root: Path) -> None:
    text = "# Base\n\nThe last-synced body, é 🎉\r\n"
    blob_id = store_blob(repo_root, text.encode())
    assert blob_id is not None and len(blob_id) == 40
    assert git_blob_text(repo_root, blob_id) == text


def test_blob_id_is_gits_own(repo_root: Path) -> None:
    # git hash-object of "hello\n", the example everyone knows
    assert store_blob(repo_root, b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_blobs_are_found_from_a_subfolder(repo_root: Path) -> None:
    sub = repo_root / "kb" / "guides"
    sub.mkdir(parents=True)
    blob_id = store_blob(sub, b"x\n")
    assert blob_id is not None
    assert git_blob_text(sub, blob_id) == "x\n"


def test_absent_blob_is_none(repo_root: Path) -> None:
    assert git_blob_text(repo_root, "0" * 40) is None


@pytest.mark.parametrize("blob_id", ["", "HEAD", "--help", "ce01362", "zz" * 20,
                                     "CE013625030BA8DBA906F756967F9E9CA394464A"])
def test_malformed_ids_are_none(repo_root: Path, blob_id: str) -> None:
    store_blob(repo_root, b"hello\n")
    assert git_blob_text(repo_root, blob_id) is None


def test_non_blob_objects_are_none(repo_root: Path) -> None:
    repo = git.Repo(repo_root)
    (repo_root / "f.txt").write_text("f\n")
    repo.index.add(["f.txt"])
    commit = repo.index.commit("c")
    tree_id = commit.tree.hexsha
    repo.close()
    assert git_blob_text(repo_root, commit.hexsha) is None
    assert git_blob_text(repo_root, tree_id) is None


def test_binary_blob_is_none(repo_root: Path) -> None:
    blob_id = store_blob(repo_root, b"\xff\xfe not utf-8")
    assert blob_id is not None
    assert git_blob_text(repo_root, blob_id) is None


def test_outside_a_repository_everything_is_none(tmp_path: Path) -> None:
    assert store_blob(tmp_path, b"x\n") is None
    assert git_blob_text(tmp_path, "ce013625030ba8dba906f756967f9e9ca394464a") is None
    assert git_blob_text(tmp_path / "missing", "ce013625030ba8dba906f756967f9e9ca394464a") is None




def test_the_store_keeps_referenced_bases_and_drops_the_rest(tmp_path: Path) -> None:
    store = BaseStore(tmp_path)
    kept, dropped = store.put(b"kept\n"), store.put(b"dropped\n")
    store.save({kept})
    again = BaseStore(tmp_path)
    assert again.get(kept) == b"kept\n"
    assert again.get(dropped) is None
    assert sorted(p.name for p in (tmp_path / ".kbsync" / "base").iterdir()) == [kept]


def test_a_tampered_cached_base_is_not_trusted(tmp_path: Path) -> None:
    store = BaseStore(tmp_path)
    blob = store.put(b"original\n")
    store.save({blob})
    (tmp_path / ".kbsync" / "base" / blob).write_bytes(b"tampered\n")
    assert BaseStore(tmp_path).get(blob) is None


def test_a_torn_cached_base_reads_as_missing_and_the_next_save_mends_it(
        tmp_path: Path) -> None:
    # Bases are written without fsync: a crash may leave one empty or cut short.
    data = b"---\ntitle: Refunds\n---\n\nThe last-synced body.\n"
    first = BaseStore(tmp_path)
    blob = first.put(data)
    first.save({blob})
    cached = tmp_path / ".kbsync" / "base" / blob
    assert cached.read_bytes() == data
    cached.write_bytes(data[:10])  # what a crash before the data reached the disk leaves
    assert BaseStore(tmp_path).get(blob) is None  # checked against its id, not trusted
    again = BaseStore(tmp_path)
    again.put(data)
    again.save({blob})
    assert cached.read_bytes() == data
    assert BaseStore(tmp_path).get(blob) == data


def _many(count: int, tag: str = "") -> list[bytes]:
    return [f"---\ntitle: Article {n}{tag}\n---\n\nBody {n}, é\r\n".encode() for n in range(count)]


def _files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / ".kbsync" / "base").iterdir())


def test_many_bases_at_once_go_into_one_pack_and_read_back(tmp_path: Path) -> None:
    """init records a base per article: one file for them all, not thousands."""
    store = BaseStore(tmp_path)
    blobs = [store.put(data) for data in _many(PACK_FROM)]
    few = store.put(b"not kept\n")
    store.save(set(blobs))
    (pack,) = _files(tmp_path)
    assert pack.startswith("pack-")
    again = BaseStore(tmp_path)
    assert [again.get(blob) for blob in blobs] == _many(PACK_FROM)
    assert again.get(few) is None


def test_a_few_bases_are_files_of_their_own(tmp_path: Path) -> None:
    store = BaseStore(tmp_path)
    blobs = [store.put(data) for data in _many(PACK_FROM - 1)]
    store.save(set(blobs))
    assert _files(tmp_path) == sorted(blobs)


def test_a_pack_mostly_unreferenced_is_dropped_and_what_is_left_kept(tmp_path: Path) -> None:
    first = BaseStore(tmp_path)
    blobs = [first.put(data) for data in _many(PACK_FROM)]
    first.save(set(blobs))
    half = set(blobs[: PACK_FROM // 2])
    BaseStore(tmp_path).save(half)  # half still referenced: the pack stays as it is
    assert len(_files(tmp_path)) == 1 and _files(tmp_path)[0].startswith("pack-")
    few = set(blobs[:3])
    edited = BaseStore(tmp_path)
    newer = edited.put(b"edited since\n")
    edited.save(few | {newer})
    assert _files(tmp_path) == sorted(few | {newer})  # the pack is gone, its three kept
    final = BaseStore(tmp_path)
    assert [final.get(blob) for blob in blobs[:3]] == _many(3)
    assert final.get(blobs[3]) is None


def test_a_torn_pack_keeps_its_whole_records_and_the_next_save_mends_it(
        tmp_path: Path) -> None:
    store = BaseStore(tmp_path)
    blobs = [store.put(data) for data in _many(PACK_FROM)]
    store.save(set(blobs))
    (name,) = _files(tmp_path)
    pack = tmp_path / ".kbsync" / "base" / name
    whole = pack.read_bytes()
    pack.write_bytes(whole[: len(whole) * 3 // 4])  # a crash before the end reached disk
    torn = BaseStore(tmp_path)
    found = [torn.get(blob) for blob in blobs]
    assert found[0] == _many(1)[0] and found[-1] is None
    mending = BaseStore(tmp_path)
    for data in _many(PACK_FROM):
        mending.put(data)
    mending.save(set(blobs))
    assert [BaseStore(tmp_path).get(blob) for blob in blobs] == _many(PACK_FROM)


def test_a_tampered_packed_base_is_not_trusted(tmp_path: Path) -> None:
    store = BaseStore(tmp_path)
    blobs = [store.put(data) for data in _many(PACK_FROM)]
    store.save(set(blobs))
    (name,) = _files(tmp_path)
    pack = tmp_path / ".kbsync" / "base" / name
    pack.write_bytes(pack.read_bytes().replace(b"Body 5,", b"Body X,"))
    again = BaseStore(tmp_path)
    assert again.get(blobs[5]) is None and again.get(blobs[6]) == _many(7)[6]
