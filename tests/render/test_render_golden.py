"""Golden files: what users see for a few representative plans, pinned byte for byte.

Each sample plan below is rendered as text, Markdown and JSON and compared with
``tests/render/golden/<name>.<txt|md|json>``. After an intended change in the output,
regenerate the files and review them by eye before committing (they are the UI)::

    KBSYNC_UPDATE_GOLDEN=1 .venv/bin/pytest tests/render
    git diff tests/render/golden
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from kbsync.model import LocalAsset
from kbsync.plan.model import LINK_PLACEHOLDER, Action, Change, FieldChange, Plan, RemoteRef
from kbsync.plan.planner import asset_changes
from kbsync.render.json import plan_from_dict, render_json
from kbsync.render.markdown import render_markdown
from kbsync.render.text import render_text

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("KBSYNC_UPDATE_GOLDEN") == "1"
REMOTE = RemoteRef(base_url="http://127.0.0.1:8765", organization_id=1)
OPTIONS = {"prune": "off", "force": False, "targets": []}

WELCOME_HTML = (
    "<h2>What Parcelly does</h2>\n"
    "<p>Parcelly prints labels and tracks parcels for your shop.</p>\n"
    "<p>Start with <a href=\"" + LINK_PLACEHOLDER + "getting-started/install/windows.md\">"
    "installing the app</a>.</p>\n"
)
REFUNDS_BEFORE = (
    "<h2>Who can get a refund</h2>\n"
    "<p>Refunds are possible within 14 days of a charge.</p>\n"
    "<ul>\n<li>Annual plans: pro rata</li>\n<li>Monthly plans: the full month</li>\n</ul>\n"
    "<h2>How to ask</h2>\n"
    "<p>Write to billing@parcelly.example with your invoice number.</p>\n"
)
REFUNDS_AFTER = (
    "<h2>Who can get a refund</h2>\n"
    "<p>Refunds are possible within 30 days of a charge.</p>\n"
    "<ul>\n<li>Annual plans: pro rata</li>\n<li>Monthly plans: the full month</li>\n</ul>\n"
    "<h2>How to ask</h2>\n"
    "<p>Open <a href=\"" + LINK_PLACEHOLDER + "billing/invoices-and-vat.md\">your invoices</a>"
    " and press <em>Ask for a refund</em>.</p>\n"
)


def article_create(key: str, title: str, slug: str, parent: str | None, position: int,
                   html: str, text: str, *, excerpt: str | None = None,
                   status: str = "published", link_targets: tuple[str, ...] = ()) -> Change:
    """An article create as plan.diff makes it: every field, before = None."""
    values = {"title": title, "slug": slug, "excerpt": excerpt, "status": status,
              "collection_id": None, "position": position, "content_html": html,
              "content": text}
    return Change(kind="article", key=key, action=Action.CREATE, slug=slug, title=title,
                  parent_key=parent, local_fingerprint=f"blob-{slug}", link_targets=link_targets,
                  fields=tuple(FieldChange(n, None, v) for n, v in values.items()))


def collection_create(key: str, name: str, position: int, parent: str | None = None,
                      description: str | None = None) -> Change:
    slug = key.rsplit("/", 1)[-1]
    values = {"name": name, "slug": slug, "description": description, "parent_id": None,
              "position": position}
    return Change(kind="collection", key=key, action=Action.CREATE, slug=slug, title=name,
                  parent_key=parent,
                  fields=tuple(FieldChange(n, None, v) for n, v in values.items()))


def empty_plan() -> Plan:
    return Plan(remote=REMOTE, options=OPTIONS)


def first_apply_plan() -> Plan:
    return Plan(remote=REMOTE, options=OPTIONS, changes=(
        collection_create("getting-started", "Getting started", 0,
                          description="Set up Parcelly in ten minutes."),
        collection_create("getting-started/install", "Install", 1, parent="getting-started"),
        collection_create("billing", "Billing", 1),
        article_create("getting-started/01-welcome.md", "Welcome to Parcelly", "welcome",
                       "getting-started", 0, WELCOME_HTML,
                       "What Parcelly does\n\nParcelly prints labels and tracks parcels for "
                       "your shop.\n\nStart with installing the app.\n",
                       excerpt="What Parcelly is and where to start.",
                       link_targets=("getting-started/install/windows.md",)),
        article_create("getting-started/install/windows.md", "Install on Windows", "windows",
                       "getting-started/install", 0, "<p>Download the installer.</p>\n",
                       "Download the installer.\n", status="draft"),
        article_create("billing/refunds.md", "Refunds", "refunds", "billing", 0,
                       REFUNDS_BEFORE, "Who can get a refund\n"),
    ))


def mixed_plan() -> Plan:
    """Every action kind, body diffs, placeholders, warnings and options."""
    return Plan(
        remote=REMOTE,
        options={"prune": "all", "force": False, "targets": []},
        warnings=(
            "getting-started/01-welcome.md:3: unknown front matter key 'tittle' "
            "(did you mean 'title'?)",
            "2 articles link to drafts-notes/ideas.md, which is ignored",
        ),
        changes=(
            Change(kind="portal", key="portal.yaml", action=Action.UPDATE, slug="portal",
                   title="Parcelly Help", remote_id=1, reason="portal settings",
                   remote_fingerprint="fp-portal", fields=(
                       FieldChange("meta_description", None,
                                   "Answers about shipping labels, tracking, returns and "
                                   "billing for Parcelly merchants, written by the team."),
                       FieldChange("primary_color", "#4F46E5", "#0EA5E9"),
                       FieldChange("enable_ticket_creation_form", True, False))),
            collection_create("shipping/carriers", "Carriers", 2, parent="shipping"),
            article_create("getting-started/01-welcome.md", "Welcome to Parcelly", "welcome",
                           "getting-started", 0, WELCOME_HTML, "Welcome\n"),
            Change(kind="article", key="billing/refunds.md", action=Action.UPDATE,
                   slug="refunds", title="Refunds", remote_id=12, reason="content changed",
                   parent_key="billing", remote_fingerprint="fp-12", local_fingerprint="b-12",
                   link_targets=("billing/invoices-and-vat.md",), fields=(
                       FieldChange("excerpt", "How refunds work.",
                                   "How refunds work, and how to ask for one."),
                       FieldChange("content_html", REFUNDS_BEFORE, REFUNDS_AFTER),
                       FieldChange("content", "14 days", "30 days"))),
            Change(kind="article", key="billing/change-your-plan.md", action=Action.UPDATE,
                   slug="change-your-plan", title="Change your plan", remote_id=13,
                   parent_key="billing", remote_fingerprint="fp-13", local_fingerprint="b-13",
                   reason="content changed", fields=(
                       FieldChange("content", "Upgrade or downgrade.\n",
                                   "Upgrade or downgrade at any time.\n"),)),
            Change(kind="article", key="shipping/carriers/print-labels.md", action=Action.MOVE,
                   slug="print-labels", title="Print labels", remote_id=21,
                   parent_key="shipping/carriers", previous_parent="shipping",
                   remote_fingerprint="fp-21", local_fingerprint="b-21", fields=(
                       FieldChange("position", 4, 0),
                       FieldChange("collection_id", 3, None))),
            Change(kind="article", key="billing/invoices-and-vat.md", action=Action.REORDER,
                   slug="invoices-and-vat", title="Invoices and VAT", remote_id=14,
                   parent_key="billing", remote_fingerprint="fp-14", local_fingerprint="b-14",
                   fields=(FieldChange("position", 2, 4),)),
            Change(kind="article", key="faq.md", action=Action.ADOPT, slug="faq", title="FAQ",
                   remote_id=9, reason="already in initdesk with this slug; taken over",
                   remote_fingerprint="fp-9", local_fingerprint="b-9",
                   fields=(FieldChange("status", "draft", "published"),)),
            Change(kind="article", key="getting-started/01-hello.md", action=Action.UPDATE,
                   slug="hello", title="Welcome", remote_id=18, parent_key="getting-started",
                   remote_fingerprint="fp-18", local_fingerprint="b-18",
                   renamed_from="getting-started/01-welcome.md",
                   reason="renamed from getting-started/01-welcome.md; its public URL changes "
                          "(slug welcome -> hello): add `slug: welcome` to "
                          "getting-started/01-hello.md to keep it",
                   fields=(FieldChange("slug", "welcome", "hello"),)),
            Change(kind="article", key="billing/old-page.md", action=Action.DELETE,
                   slug="old-page", title="Old page", remote_id=17, reason="deleted locally",
                   remote_fingerprint="fp-17", deleted_here=True),
            Change(kind="article", key="remote:ui-notes", action=Action.DELETE,
                   slug="ui-notes", title="UI notes", remote_id=19,
                   reason="in the Help Center, not in this folder; deleted: --prune",
                   remote_fingerprint="fp-19"),
            Change(kind="article", key="account/two-factor-authentication.md",
                   action=Action.CONFLICT, slug="two-factor-authentication",
                   title="Two-factor authentication", remote_id=30, parent_key="account",
                   reason="edited in initdesk since the last sync", remote_fingerprint="fp-30",
                   local_fingerprint="b-30", fields=(
                       FieldChange("title", "2FA", "Two-factor authentication"),)),
            Change(kind="article", key="remote:legacy", action=Action.UNMANAGED, slug="legacy",
                   title="Legacy | old `setup` page", remote_id=40,
                   reason="in the Help Center, not in this folder; kept: plan --prune deletes it",
                   remote_fingerprint="fp-40"),
            Change(kind="collection", key="archive", action=Action.KEEP, slug="archive",
                   title="Archive", remote_id=41,
                   reason='deleted locally; kept: on_delete = "keep"',
                   remote_fingerprint="fp-41", deleted_here=True),
        ),
    )


def left_alone_plan() -> Plan:
    """Nothing to write, but a conflict, an unmanaged and a kept item: not 'no changes'."""
    changes = tuple(c for c in mixed_plan().changes if not c.action.writes)
    return Plan(remote=REMOTE, options=OPTIONS, changes=changes)


CDN = "https://help-assets.parcelly.example/kb/images"


def images_plan() -> Plan:
    """Two files to upload (before anything else), and the article whose screenshot was
    replaced: its body now shows the new content-addressed URL."""
    uploads = asset_changes([
        LocalAsset("images/invoice.png", "images/invoice.d3a317ff8593c962.png",
                   "d3a317ff8593c962" + "0" * 48, 182_340, "image/png"),
        LocalAsset("images/new-dashboard.png", "images/new-dashboard.8e10ac3920866f3f.png",
                   "8e10ac3920866f3f" + "1" * 48, 2_512_003, "image/png")])
    before = f'<p><img src="{CDN}/invoice.8e10ac3920866f3f.png" alt="An invoice" /></p>\n'
    after = before.replace("8e10ac3920866f3f", "d3a317ff8593c962")
    update = Change(kind="article", key="billing/invoices.md", action=Action.UPDATE,
                    slug="invoices", title="Invoices", remote_id=12,
                    fields=(FieldChange("content_html", before, after),),
                    reason="content changed", parent_key="billing",
                    remote_fingerprint="fp-12", local_fingerprint="blob-12")
    return Plan(remote=REMOTE, options=OPTIONS, changes=(*uploads, update))


PLANS: dict[str, Callable[[], Plan]] = {
    "empty": empty_plan,
    "first_apply": first_apply_plan,
    "mixed": mixed_plan,
    "left_alone": left_alone_plan,
    "images": images_plan,
}
RENDERERS: dict[str, Callable[[Plan], str]] = {
    "txt": render_text,
    "md": render_markdown,
    "json": render_json,
}


@pytest.mark.parametrize("suffix", sorted(RENDERERS))
@pytest.mark.parametrize("name", sorted(PLANS))
def test_rendering_matches_golden_file(name: str, suffix: str) -> None:
    rendered = RENDERERS[suffix](PLANS[name]())
    path = GOLDEN / f"{name}.{suffix}"
    if UPDATE:
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(PLANS))
def test_golden_json_reads_back_as_the_plan(name: str) -> None:
    data = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    assert plan_from_dict(data) == PLANS[name]()
