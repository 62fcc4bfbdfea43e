"""plan and apply against the emulator: request counts, identity, links."""

from __future__ import annotations

import json

import pytest

from tests.engine.conftest import KB, TOKEN


def test_first_apply_creates_everything_then_plan_is_a_read_only_no_op(small_kb: KB) -> None:
    assert small_kb.apply().code == 0
    posts = [p for m, p in small_kb.writes() if m == "POST"]
    assert len(posts) == 3 + 4  # guides, guides/advanced, billing + four articles
    small_kb.reset_log()
    outcome = small_kb.plan()
    assert outcome.code == 0, outcome.out + outcome.err
    assert "No changes" in outcome.out
    methods = {r["method"] for r in small_kb.requests()}
    assert methods == {"GET"}
    assert len(small_kb.requests()) == 3  # organization, tree, one page of articles


def test_links_to_articles_created_in_the_same_run_point_at_their_urls(small_kb: KB) -> None:
    small_kb.apply()
    by_slug = {a.fields.slug: a for a in small_kb.remote_articles()}
    start = by_slug["start"].fields.content_html
    assert f'href="{by_slug["invoices"].url}"' in start
    deep = by_slug["deep"].fields.content_html
    assert f'href="{by_slug["next"].url}#details"' in deep
    assert "kbsync://" not in "".join(a.fields.content_html for a in by_slug.values())


def test_editing_k_articles_sends_exactly_k_writes(small_kb: KB) -> None:
    small_kb.apply()
    small_kb.article("billing/invoices.md", "Invoices", "New body.", excerpt="Where invoices live")
    small_kb.article("guides/advanced/deep.md", "Deep v2", "See [next](../02-next.md#details).")
    small_kb.reset_log()
    assert small_kb.apply().code == 0
    assert [m for m, _ in small_kb.writes()] == ["PATCH", "PATCH"]
    assert small_kb.plan().code == 0


def test_moving_a_file_to_another_folder_moves_the_article(small_kb: KB) -> None:
    small_kb.article("guides/advanced/deep.md", "Deep dive", "See [next](../02-next.md#details).",
                     position=0)
    small_kb.article("billing/invoices.md", "Invoices", "Body", position=1)
    small_kb.apply()
    (small_kb.root / "guides/advanced/deep.md").rename(small_kb.root / "billing/deep.md")
    (small_kb.root / "billing/deep.md").write_text(
        "---\ntitle: Deep dive\nposition: 0\n---\n\nSee [next](../guides/02-next.md#details).\n")
    outcome = small_kb.plan()
    assert outcome.code == 2 and "moved" in outcome.out
    small_kb.reset_log()
    assert small_kb.apply().code == 0
    # guides/advanced/ is empty now (git keeps no empty folder): its collection goes too
    assert small_kb.writes() == [("PATCH", "/organizations/1/portal/articles/4/"),
                                 ("DELETE", "/organizations/1/portal/collections/3/")]
    assert len(small_kb.remote_articles()) == 4


def test_renaming_a_file_whose_slug_is_in_front_matter_updates_in_place(small_kb: KB) -> None:
    small_kb.article("guides/faq.md", "FAQ", "Questions.", slug="frequent-questions")
    small_kb.apply()
    (small_kb.root / "guides/faq.md").rename(small_kb.root / "guides/questions.md")
    small_kb.reset_log()
    assert small_kb.plan().code == 0
    assert small_kb.apply().code == 0
    assert small_kb.writes() == []
    lock = json.loads((small_kb.root / "kbsync.lock").read_text())
    assert lock["articles"]["frequent-questions"]["path"] == "guides/questions.md"


def test_changing_only_position_sends_one_patch_of_position(small_kb: KB) -> None:
    small_kb.apply()
    small_kb.article("billing/invoices.md", "Invoices", "| a | b |\n|---|---|\n| 1 | 2 |",
                     excerpt="Where invoices live", position=7)
    outcome = small_kb.plan()
    assert "↕" in outcome.out
    small_kb.reset_log()
    small_kb.apply()
    writes = [r for r in small_kb.requests() if r["method"] == "PATCH"]
    assert len(writes) == 1 and len(small_kb.writes()) == 1


def test_without_a_lock_existing_items_are_adopted_not_duplicated(small_kb: KB) -> None:
    small_kb.apply()
    (small_kb.root / "kbsync.lock").unlink()
    outcome = small_kb.plan()
    assert outcome.code == 2 and "adopt" in outcome.out
    small_kb.reset_log()
    assert small_kb.apply().code == 0
    assert [m for m, _ in small_kb.writes()] == []
    assert small_kb.plan().code == 0
    assert len(small_kb.remote_articles()) == 4


def test_the_token_is_in_no_output_lock_or_plan_file(small_kb: KB) -> None:
    planfile = small_kb.root / "out.plan.json"
    outcomes = [small_kb.plan(out=planfile), small_kb.apply(planfile=planfile), small_kb.plan()]
    texts = [o.out + o.err for o in outcomes]
    texts += [planfile.read_text(), (small_kb.root / "kbsync.lock").read_text()]
    assert all(TOKEN not in text for text in texts)


def test_bad_input_sends_no_request_at_all(small_kb: KB) -> None:
    small_kb.write("guides/broken.md", "---\ntitle: [unclosed\n---\nbody\n")
    outcome = small_kb.apply()
    assert outcome.code == 1
    assert "guides/broken.md:2: invalid YAML" in outcome.err
    assert small_kb.requests() == []


def test_a_failing_step_exits_1_listing_what_was_done_and_not(small_kb: KB) -> None:
    small_kb.apply()
    small_kb.article("billing/invoices.md", "Invoices v2", "x")
    small_kb.article("guides/02-next.md", "Next v2", "## Details\n\nMore [start](01-start.md).")
    small_kb.app.set_faults(1.0, kinds=["commit_then_500"])  # every write answers 500
    outcome = small_kb.apply()
    assert outcome.code == 1
    assert "apply stopped at update article billing/invoices.md" in outcome.err
    assert "not done (1): update article guides/02-next.md" in outcome.err
    small_kb.app.set_faults(0.0)
    assert small_kb.apply().code == 0
    assert small_kb.plan().code == 0
    small_kb.article("billing/invoices.md", "Invoices v3", "x")  # the lost answer left
    assert "conflict" not in small_kb.plan().out  # no false drift behind


def test_target_limits_the_plan_to_a_path_and_the_parents_it_needs(small_kb: KB) -> None:
    small_kb.article("new/section/page.md", "New page", "Hello.")
    outcome = small_kb.plan(targets=("new/section/page.md",))
    assert "new/section/page.md" in outcome.out and "guides/01-start.md" not in outcome.out
    assert "Plan: 3 to create." in outcome.out  # the page and its two new parents
    assert small_kb.apply(targets=("new/section/page.md",)).code == 0  # parents first
    assert {a.fields.slug for a in small_kb.remote_articles()} == {"page"}


def test_an_edit_outside_the_target_is_still_planned_after_apply_target(small_kb: KB) -> None:
    """apply --target compares only the targeted files: the others are not in sync for
    that, and the lock must not say they are (their edits were then never sent)."""
    assert small_kb.apply().code == 0
    small_kb.article("billing/invoices.md", "Invoices", "Edited.", excerpt="Where invoices live")
    small_kb.article("guides/02-next.md", "Next steps", "## Details\n\nEdited too.")
    assert small_kb.apply(targets=("billing",)).code == 0
    outcome = small_kb.plan()
    assert outcome.code == 2
    assert "guides/02-next.md" in outcome.out and "Plan: 1 to update." in outcome.out


def test_a_target_that_matches_nothing_is_a_usage_error_naming_the_closest(
        small_kb: KB, capsys: pytest.CaptureFixture[str]) -> None:
    outcome = small_kb.plan(targets=("guides/advaced",))
    assert outcome.code == 64
    assert "--target guides/advaced: matches nothing in the knowledge base; closest: " \
           "guides/advanced" in capsys.readouterr().err
    assert small_kb.requests() == []


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_target_that_matches_nothing_is_refused_before_the_help_center_is_opened(
        small_kb: KB, command: str) -> None:
    """Not even "Reading the Help Center…" first: the typo is the only thing said."""
    outcome = getattr(small_kb, command)(targets=("nope",))
    assert outcome.code == 64 and "Reading" not in outcome.err and small_kb.requests() == []


def test_a_target_from_a_subfolder_is_relative_to_it_first(
        small_kb: KB, monkeypatch: pytest.MonkeyPatch) -> None:
    small_kb.article("invoices.md", "Top-level invoices", "Body.", slug="top-invoices")
    monkeypatch.chdir(small_kb.root / "billing")
    outcome = small_kb.plan(targets=("invoices.md",))
    assert "billing/invoices.md" in outcome.out and "Top-level" not in outcome.out
    assert "guides/" not in small_kb.plan(targets=(".",)).out


def test_a_target_may_be_relative_to_the_current_folder(
        small_kb: KB, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(small_kb.root.parent)
    outcome = small_kb.plan(targets=("kb/billing",))
    assert "billing/invoices.md" in outcome.out and "guides/01-start.md" not in outcome.out


def test_a_move_names_the_folder_it_leaves(small_kb: KB) -> None:
    small_kb.apply()
    (small_kb.root / "billing/invoices.md").rename(small_kb.root / "guides/invoices.md")
    small_kb.article("guides/01-start.md", "Start here", "Read [billing](invoices.md).")
    assert "moved: billing -> guides" in small_kb.plan().out


def _folder_of_five(kb: KB) -> None:
    for name in ("a-basics", "c-invoices", "e-taxes"):
        kb.article(f"billing/{name}.md", name.title(), f"About {name}.")
    for name in ("b-plans", "d-pro", "f-teams"):
        kb.article(f"billing/plans/{name}.md", name.title(), f"About {name}.")
    assert kb.apply().code == 0
    kb.reset_log()


def test_a_move_is_one_write(kb: KB) -> None:
    _folder_of_five(kb)
    (kb.root / "billing/c-invoices.md").rename(kb.root / "billing/plans/c-invoices.md")
    assert kb.apply().code == 0
    assert kb.writes() == [("PATCH", kb.writes()[0][1])]  # the moved article, nothing else
    assert kb.plan().code == 0


def test_moving_k_files_is_k_writes_and_editing_k_is_k_writes(kb: KB) -> None:
    _folder_of_five(kb)
    for name in ("a-basics", "e-taxes"):
        (kb.root / f"billing/{name}.md").rename(kb.root / f"billing/plans/{name}.md")
    kb.article("billing/plans/d-pro.md", "Pro", "Edited.")
    assert kb.apply().code == 0
    assert [m for m, _ in kb.writes()] == ["PATCH"] * 3
    assert kb.plan().code == 0
