"""Stubs: where they land, unique slugs, never an overwrite, front matter validate reads."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from kbsync.coverage.groups import group_uncovered
from kbsync.coverage.local_articles import Layout
from kbsync.coverage.scoring import Hit
from kbsync.coverage.suggest import plan_stubs, write_stubs
from tests.coverage.helpers import hit, outcome

LAYOUT = Layout(folders={"shipping": "shipping", "carriers": "shipping/carriers"},
                article_slugs=frozenset({"cash-delivery"}), published_slugs=frozenset())


def _groups() -> list:  # type: ignore[type-arg]
    return group_uncovered([
        outcome("Cash on delivery?", [hit("a", 1.0, "carriers", "Carriers")], count=3),
        outcome("Pay cash on delivery | COD <b>", [hit("a", 1.0, "carriers", "Carriers")]),
        outcome("Android app", [], count=2),
        outcome("eBay orders", [hit("b", 1.0, "ebay-things", "eBay")]),
    ])


def test_stubs_land_in_the_collection_folder_with_unique_slugs() -> None:
    planned = plan_stubs(_groups(), LAYOUT, existing=["android-app.md"], count=5)
    stubs, kept = planned.stubs, planned.kept
    assert [s.path for s in stubs] == ["shipping/carriers/cash-delivery-2.md",
                                       "ebay-things/ebay-order.md"]
    assert kept == ["android-app.md"]
    front, body = stubs[0].text.split("---\n", 2)[1:]
    meta = yaml.safe_load(front)
    assert meta == {"title": "Cash on delivery?", "slug": "cash-delivery-2",
                    "excerpt": "Draft: customers asked about cash, delivery 4 times and no article "
                               "answered.",
                    "status": "draft"}
    assert "- Cash on delivery? (asked 3 times)" in body
    assert "- Pay cash on delivery \\| COD \\<b\\> (asked 1 time)" in body


def test_only_the_largest_groups_get_a_stub() -> None:
    stubs = plan_stubs(_groups(), LAYOUT, count=1).stubs
    assert [s.slug for s in stubs] == ["cash-delivery-2"]


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    stubs = plan_stubs(_groups(), LAYOUT).stubs
    target = tmp_path / stubs[0].path
    target.parent.mkdir(parents=True)
    target.write_text("mine")
    written = write_stubs(stubs, tmp_path)
    assert target.read_text() == "mine"
    assert [s.path for s in written] == [s.path for s in stubs[1:]]


def test_a_topic_a_draft_answers_gets_no_stub_but_the_advice_to_publish_it() -> None:
    zapier = Hit("zapier", "Zapier", 8.0, "integrations", "Integrations", "integrations/zapier.md",
                 published=False)
    groups = group_uncovered([
        replace(outcome("Connect Zapier to my shop?", [], count=3), draft=zapier),
        outcome("Zapier shop webhooks", [hit("webhooks", 2.0)], count=1),  # 3 of 4 asks
        outcome("Android app", [], count=2),
    ])
    planned = plan_stubs(groups, LAYOUT)
    assert [s.slug for s in planned.stubs] == ["android-app"]
    assert [g.draft for g in planned.publish] == [zapier]


def test_a_draft_answering_under_half_the_asks_does_not_replace_the_stub() -> None:
    zapier = Hit("zapier", "Zapier", 8.0, published=False)
    groups = group_uncovered([
        replace(outcome("Connect Zapier to my shop?", [], count=1), draft=zapier),
        outcome("Zapier shop webhooks", [], count=3),
    ])
    planned = plan_stubs(groups, LAYOUT)
    assert groups[0].draft is None and planned.publish == []
    assert [s.slug for s in planned.stubs] == ["zapier-shop"]


def test_a_previous_runs_stub_is_kept_though_it_is_the_draft_that_answers() -> None:
    # The stub written last time is a draft in the tree now, and it answers its topic.
    stub = Hit("android-app", "Android app", 9.0, link="android-app.md", published=False)
    groups = group_uncovered([replace(outcome("Android app", [], count=2), draft=stub)])
    planned = plan_stubs(groups, LAYOUT, existing=["android-app.md"])
    assert (planned.kept, planned.publish, planned.stubs) == (["android-app.md"], [], [])
