"""An article's life in git, through plan and apply against the emulator: renames keep
identity (one write, never a create), a deleted file is a planned deletion."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.engine.conftest import KB
from tests.pull.pull_kb import GIT_ENV

ARTICLES = "/organizations/1/portal/articles/"


@pytest.fixture
def applied(small_kb: KB) -> KB:
    """small_kb plus billing/refunds.md, applied (deep.md and refunds.md: nothing links to
    them, so renaming one changes no other body)."""
    small_kb.article("billing/refunds.md", "Refunds", "Money back within 14 days.\n\nAsk us.")
    assert small_kb.apply().code == 0
    small_kb.reset_log()
    return small_kb


def _move(kb: KB, old: str, new: str, edit: tuple[str, str] | None = None) -> None:
    text = (kb.root / old).read_text()
    (kb.root / old).unlink()
    kb.write(new, text.replace(*edit) if edit else text)


def _methods(kb: KB) -> list[str]:
    return [method for method, _ in kb.writes()]


def test_a_rename_without_slug_is_one_write_and_no_create(applied: KB) -> None:
    _move(applied, "guides/advanced/deep.md", "guides/advanced/deeper.md")
    plan = applied.plan().out
    assert ('  ~ article guides/advanced/deeper.md  "Deep dive"  (renamed from '
            "guides/advanced/deep.md; its public URL changes (slug deep -> deeper): add "
            "`slug: deep` to guides/advanced/deeper.md to keep it)") in plan
    assert "Plan: 1 to update." in plan
    applied.reset_log()
    assert applied.apply().code == 0
    assert _methods(applied) == ["PATCH"] and len(applied.remote_articles()) == 5
    assert applied.plan().code == 0


def test_a_rename_with_an_edit_is_one_write(applied: KB) -> None:
    _move(applied, "billing/refunds.md", "billing/money-back.md", ("14 days", "30 days"))
    applied.reset_log()
    assert applied.apply().code == 0
    [(method, path)] = applied.writes()
    assert method == "PATCH" and path.startswith(ARTICLES)
    assert {a.fields.slug for a in applied.remote_articles()} >= {"money-back"}
    assert "refunds" not in {a.fields.slug for a in applied.remote_articles()}


def test_a_rename_with_an_edit_is_found_in_git_when_the_base_cache_is_gone(
        applied: KB, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "kb"]):
        subprocess.run(["git", *args], cwd=applied.root, check=True, capture_output=True)
    shutil.rmtree(applied.root / ".kbsync" / "base")
    _move(applied, "billing/refunds.md", "billing/money-back.md", ("14 days", "30 days"))
    assert "renamed from billing/refunds.md" in applied.plan().out
    applied.reset_log()
    assert applied.apply().code == 0 and _methods(applied) == ["PATCH"]


def test_a_move_into_another_folder_is_one_write(applied: KB) -> None:
    _move(applied, "billing/refunds.md", "guides/refunds.md")
    assert "moved: billing -> guides" in applied.plan().out
    applied.reset_log()
    assert applied.apply().code == 0 and _methods(applied) == ["PATCH"]
    assert applied.plan().code == 0


def test_a_renamed_folder_keeps_its_collection(applied: KB) -> None:
    shutil.move(applied.root / "guides/advanced", applied.root / "guides/expert")
    assert "(renamed from guides/advanced;" in applied.plan().out
    applied.reset_log()
    assert applied.apply().code == 0
    assert [(m, p.split("/")[4]) for m, p in applied.writes()] == [("PATCH", "collections")]


def _refunds_id(kb: KB) -> int:
    return next(a.id for a in kb.remote_articles() if a.fields.slug == "refunds")


def test_a_deleted_file_is_shown_in_the_plan_then_one_delete(applied: KB) -> None:
    refunds = _refunds_id(applied)
    (applied.root / "billing/refunds.md").unlink()
    plan = applied.plan()
    assert plan.code == 2
    assert (f'  - article billing/refunds.md  "Refunds"  delete id {refunds}  (deleted '
            "locally)") in plan.out
    applied.reset_log()
    assert applied.apply().code == 0
    assert applied.writes() == [("DELETE", f"{ARTICLES}{refunds}/")]
    assert applied.plan().code == 0


def test_on_delete_draft_unpublishes_with_one_patch(applied: KB) -> None:
    applied.write("kbsync.toml", '[apply]\non_delete = "draft"\n')
    (applied.root / "billing/refunds.md").unlink()
    assert ('~ article billing/refunds.md  "Refunds"  (deleted locally; unpublished: '
            'on_delete = "draft")') in applied.plan().out
    applied.reset_log()
    assert applied.apply().code == 0 and _methods(applied) == ["PATCH"]
    refunds = next(a for a in applied.remote_articles() if a.fields.slug == "refunds")
    assert (refunds.fields.status, refunds.fields.title) == ("draft", "Refunds")
    assert applied.plan().code == 0


def test_on_delete_keep_writes_nothing_and_a_restore_is_no_change(applied: KB) -> None:
    applied.write("kbsync.toml", '[apply]\non_delete = "keep"\n')
    text = (applied.root / "billing/refunds.md").read_text()
    (applied.root / "billing/refunds.md").unlink()
    plan = applied.plan()
    assert ('? article billing/refunds.md  "Refunds"  kept  (deleted locally; kept: '
            'on_delete = "keep")') in plan.out and plan.code == 0
    applied.reset_log()
    assert applied.apply().code == 0 and applied.writes() == []
    applied.write("billing/refunds.md", text)
    assert "No changes" in applied.plan().out


def test_a_file_restored_before_apply_is_no_change(applied: KB) -> None:
    text = (applied.root / "billing/refunds.md").read_text()
    (applied.root / "billing/refunds.md").unlink()
    assert applied.plan().code == 2
    applied.write("billing/refunds.md", text)  # git checkout billing/refunds.md
    assert applied.plan().code == 0


def test_a_deleted_file_edited_in_initdesk_is_left_until_forced(applied: KB) -> None:
    refunds = _refunds_id(applied)
    with applied.connect(applied.config()) as client:
        client.patch_article(refunds, {"title": "Refunds (edited in initdesk)"})
    (applied.root / "billing/refunds.md").unlink()
    assert "! article billing/refunds.md" in applied.plan().out
    applied.reset_log()
    outcome = applied.apply()
    assert outcome.code == 1 and applied.writes() == []
    assert outcome.err.endswith(
        "Error: 1 conflict left untouched (billing/refunds.md): deleted here, edited in "
        "initdesk since the last sync; restore with `git checkout`, or `kbsync apply "
        "--force` deletes anyway\n")
    assert applied.apply(force=True).code == 0
    assert applied.writes() == [("DELETE", f"{ARTICLES}{refunds}/")]
