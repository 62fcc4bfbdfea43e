"""A lock belongs to one Help Center, and its ids describe that Help Center.

A folder applied to tenant A and pointed at tenant B (another base URL, another
organization) is refused by every command that reads or writes the remote, before a
single request; so is a lock whose ids were edited into pointing at other items. Both
run against real emulators: A holds the synced articles, B is another tenant whose
request log must stay empty.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kbsync.config import Config, load_config
from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.model import ArticleFields
from tests.engine.conftest import TOKEN, Outcome, write_small_kb
from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb = pull_kb.pkb

A_URL = "http://emulator.test"


class Pointed(PullKB):
    """The same folder, pointed at another Help Center (the app and the settings)."""

    base_url = A_URL
    org = 1

    def config(self) -> Config:
        return load_config(self.root, environ={
            "INITDESK_TOKEN": TOKEN, "INITDESK_BASE_URL": self.base_url,
            "INITDESK_ORG_ID": str(self.org), "INITDESK_RPM": "0"})


@pytest.fixture
def synced_a(pkb: PullKB) -> PullKB:
    write_small_kb(pkb)
    assert pkb.apply().code == 0
    pkb.write(".gitignore", ".kbsync/\n")
    pkb.git_init()
    pkb.reset_log()
    return pkb


@pytest.fixture
def tenant_b() -> Iterator[Any]:
    app = create_app(EmulatorConfig(token=TOKEN, org_id=1))
    yield app
    app.close()


def _pointed(kb: PullKB, app: Any, base_url: str, org: int = 1) -> Pointed:
    other = Pointed(kb.root, app)
    other.base_url, other.org = base_url, org
    return other


def _files(kb: PullKB) -> dict[str, bytes]:
    return kb.snapshot()


COMMANDS = ["plan", "apply", "apply --force", "apply PLANFILE", "pull",
            "pull --on-conflict theirs"]


def _run(kb: PullKB, command: str, planfile: Path) -> Outcome:
    if command == "plan":
        return kb.plan()
    if command == "apply":
        return kb.apply()
    if command == "apply --force":
        return kb.apply(force=True)
    if command == "apply PLANFILE":
        return kb.apply(planfile=planfile)
    if command == "pull":
        return kb.pull()
    return kb.pull(on_conflict="theirs")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("where", ["another base URL", "another organization"])
def test_a_lock_made_for_another_help_center_is_refused_before_any_request(
        synced_a: PullKB, tenant_b: Any, command: str, where: str) -> None:
    planfile = synced_a.root / "saved.plan.json"
    synced_a.article("billing/invoices.md", "Invoices v2", "changed")
    assert synced_a.plan(out=planfile).code == 2
    synced_a.reset_log()
    before = _files(synced_a)
    other = (_pointed(synced_a, tenant_b, "http://tenant-b.test") if where.endswith("URL")
             else _pointed(synced_a, tenant_b, A_URL, org=2))
    outcome = _run(other, command, planfile)
    assert outcome.code == 1, outcome
    assert "kbsync.lock belongs to another Help Center" in outcome.err
    assert "organization 1 at http://emulator.test" in outcome.err
    assert "init --from-remote NEWDIR" in outcome.err and "move kbsync.lock away" in outcome.err
    assert tenant_b.requests() == [] and synced_a.requests() == []
    assert _files(synced_a) == before


@pytest.mark.parametrize("spelling", ["http://Emulator.TEST:80/", "http://emulator.test/"])
def test_the_same_help_center_spelled_another_way_is_the_same(
        synced_a: PullKB, spelling: str) -> None:
    same = _pointed(synced_a, synced_a.app, spelling)
    assert same.plan().code == 0
    assert same.pull().code == 0


def test_an_empty_lock_binds_to_the_first_help_center(pkb: PullKB, tenant_b: Any) -> None:
    write_small_kb(pkb)
    other = _pointed(pkb, tenant_b, "http://tenant-b.test")
    assert other.apply().code == 0
    lock = json.loads((pkb.root / "kbsync.lock").read_text())
    assert lock["remote"] == {"base_url": "http://tenant-b.test", "organization_id": 1}
    assert pkb.plan().code == 1  # and now A is the other one


def test_a_lock_with_items_but_no_remote_is_refused(synced_a: PullKB) -> None:
    path = synced_a.root / "kbsync.lock"
    data = json.loads(path.read_text())
    data["remote"] = {"base_url": None, "organization_id": None}
    path.write_text(json.dumps(data))
    outcome = synced_a.plan()
    assert outcome.code == 1 and "not the Help Center they belong to" in outcome.err
    assert synced_a.requests() == []


# -- hand-edited ids ----------------------------------------------------------------------


def _edit_lock(kb: PullKB, edit: Any) -> None:
    path = kb.root / "kbsync.lock"
    data = json.loads(path.read_text())
    edit(data["articles"])
    path.write_text(json.dumps(data, indent=1))
    kb.commit_all("edit the lock")


def _swap(articles: dict[str, Any]) -> None:
    articles["invoices"]["id"], articles["start"]["id"] = (articles["start"]["id"],
                                                           articles["invoices"]["id"])


@pytest.mark.parametrize("command", COMMANDS)
def test_swapped_ids_are_refused_and_no_file_is_swapped(synced_a: PullKB, command: str) -> None:
    planfile = synced_a.root / "saved.plan.json"
    synced_a.article("billing/invoices.md", "Invoices v2", "changed")
    assert synced_a.plan(out=planfile).code == 2
    _edit_lock(synced_a, _swap)
    before = _files(synced_a)
    synced_a.reset_log()
    outcome = _run(synced_a, command, planfile)
    assert outcome.code == 1, outcome
    assert "kbsync.lock does not match the Help Center" in outcome.err
    if command != "apply PLANFILE":  # a saved plan reads only the items it touches: the
        # refusal then rests on other evidence than the swap, seen from one side only
        assert "the ids were swapped" in outcome.err and "'invoices'" in outcome.err
    assert synced_a.writes() == []
    assert _files(synced_a) == before


def test_an_entry_pointed_at_an_older_unmanaged_item_is_refused(pkb: PullKB) -> None:
    write_small_kb(pkb)
    older = pkb.create_remote(ArticleFields(title="Written in the UI", slug="ui-page"))
    assert pkb.apply().code == 0
    pkb.git_init()

    def point(articles: dict[str, Any]) -> None:
        articles["invoices"]["id"] = older

    _edit_lock(pkb, point)
    pkb.reset_log()
    outcome = pkb.pull(on_conflict="theirs")
    assert outcome.code == 1 and "'invoices' is recorded as id" in outcome.err
    assert "unchanged since" in outcome.err
    assert pkb.writes() == [] and "Written in the UI" not in pkb.read("billing/invoices.md")


def test_a_slug_changed_in_initdesk_is_a_remote_edit_not_a_broken_lock(
        synced_a: PullKB) -> None:
    synced_a.edit_remote("invoices", slug="invoices-2024")
    assert "conflict" in synced_a.plan().out
    outcome = synced_a.pull()
    assert outcome.code == 0, outcome
    assert "slug: invoices-2024" in synced_a.read("billing/invoices.md")


def test_a_chain_of_slug_changes_in_initdesk_is_not_refused(synced_a: PullKB) -> None:
    synced_a.edit_remote("invoices", slug="invoices-old")
    synced_a.edit_remote("start", slug="invoices")  # takes the slug the lock gives invoices
    outcome = synced_a.plan()
    assert outcome.code == 2, outcome
    assert "does not match" not in outcome.err and "conflict" in outcome.out
