"""Markdown as migrated help centers write it, through validate, apply, plan, pull and init.

The fixture mimics a help center kept as Markdown after a move from another helpdesk:
heading ids (one in mixed case) and links to them, attributes on links, images and
tables, raw HTML anchors, GitHub alerts of every kind, HTML blocks around Markdown,
footnotes and images next to the articles published through ``assets_base_url``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from bs4 import BeautifulSoup

from kbsync.commands.validate import run as validate
from kbsync.fingerprint import fields_fingerprint
from kbsync.lock import load_lock, save_lock
from kbsync.markdown import RENDER_VERSION
from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb = pull_kb.pkb

ASSETS = "https://raw.githubusercontent.com/acme/help/main/"

SIGN_UP = """\
---
title: Sign up
slug: sign-up
---

Create your account in two minutes.

## Sign up with email {#email}

Enter your work address.[^1]

> [!NOTE]
> You get a confirmation mail within a minute.

## Accounts for minors {#Junior-accounts}

{.table-regular}
| Age | Allowed |
|---|---|
| 13-15 | with consent |
| 16+ | yes |

> [!WARNING]
>
> - Parents must confirm by mail.
> - The account stays read-only until then.

<a id="legacy-anchor"></a>Older links point here.

[^1]: We never share it.
"""

BILLING = """\
---
title: Billing
slug: billing-overview
---

See [Sign up](sign-up.md#email) first, or [minors](sign-up.md#Junior-accounts).

[Download the price list](https://example.com/prices.pdf){.link-download}
and [our status page](https://status.example.com){.link-external target=_blank}.

![Invoice screenshot](images/invoice.png){.screenshot width=600}

> [!TIP]
> Pay yearly and save 20%.

> [!IMPORTANT]
> Invoices are final.

> [!CAUTION]
> Refunds take ten days.

<div class="video-wrapper" id="video">
<iframe src="https://www.youtube.com/embed/tour" width="560" height="315"></iframe>

Watch the **two-minute** tour:

</div>

<details>
<summary>Old plans</summary>

The *Legacy* plan is billed monthly.

</details>

<a name="old-faq"></a>

| Plan | Price |
|---|---|
| Pro | 9 |
{.table-regular}

Jump to [the tour](#video), [the old FAQ](#old-faq) or [a legacy link](sign-up.md#legacy-anchor).
"""


def write_migrated(kb: PullKB) -> None:
    kb.write("kbsync.toml", f'[content]\nassets_base_url = "{ASSETS}"\n')
    kb.write("account/sign-up.md", SIGN_UP)
    kb.write("account/billing.md", BILLING)
    kb.write("account/images/invoice.png", "png")


def _html(kb: PullKB, slug: str) -> str:
    return next(a for a in kb.remote_articles() if a.fields.slug == slug).fields.content_html


def test_validate_passes_and_a_broken_anchor_keeps_its_did_you_mean(pkb: PullKB) -> None:
    write_migrated(pkb)
    assert pkb.validate_ok()
    pkb.write("account/billing.md", BILLING + "\n[x](sign-up.md#junior-accounts) [y](#vidoe)\n")
    found: list[object] = []
    assert validate(pkb.config(), strict=False, emit=found.append) == 1
    messages = [str(p) for p in found]
    assert any("no heading or anchor 'junior-accounts' in account/sign-up.md "
               "(did you mean #Junior-accounts?)" in m for m in messages), messages
    assert any("'vidoe' in this file (did you mean #video?)" in m for m in messages), messages


def test_the_html_sent_carries_ids_classes_and_callouts(pkb: PullKB) -> None:
    write_migrated(pkb)
    outcome = pkb.apply()
    assert outcome.code == 0, outcome.out + outcome.err
    sign_up, billing = _html(pkb, "sign-up"), _html(pkb, "billing-overview")
    assert '<h2 id="email">Sign up with email</h2>' in sign_up
    assert '<h2 id="Junior-accounts">Accounts for minors</h2>' in sign_up
    assert '<table class="table-regular">' in sign_up and '<table class="table-regular">' in billing
    assert "[!" not in sign_up + billing
    for kind, title in (("note", "Note"), ("warning", "Warning")):
        assert (f'<div class="kb-callout kb-callout-{kind}">\n'
                f'<p class="kb-callout-title">{title}</p>') in sign_up
    for kind in ("tip", "important", "caution"):
        assert f'<div class="kb-callout kb-callout-{kind}">' in billing
    assert 'class="link-download"' in billing and 'target="_blank"' in billing
    assert f'<img src="{ASSETS}account/images/invoice.png" alt="Invoice screenshot" ' \
           'width="600" class="screenshot" />' in billing
    links = {a.get_text(): str(a["href"]) for a in BeautifulSoup(billing, "html.parser")("a")
             if a.get("href")}
    url = next(a.url for a in pkb.remote_articles() if a.fields.slug == "sign-up")
    assert links["Sign up"] == f"{url}#email"
    assert links["minors"] == f"{url}#Junior-accounts"
    assert links["a legacy link"] == f"{url}#legacy-anchor"
    assert pkb.plan().code == 0


def test_pull_after_apply_is_byte_stable_and_edits_come_back_in_the_same_syntax(
        pkb: PullKB) -> None:
    write_migrated(pkb)
    assert pkb.apply().code == 0
    before = pkb.snapshot()
    assert pkb.pull().code == 0
    assert pkb.snapshot() == before
    pkb.edit_remote("sign-up", content_html=_html(pkb, "sign-up").replace(
        "Enter your work address.", "Enter your <em>work</em> address."))
    pkb.edit_remote("billing-overview", content_html=_html(pkb, "billing-overview").replace(
        "Invoices are final.", "Invoices are final once paid."))
    outcome = pkb.pull()
    assert outcome.code == 0, outcome.err
    sign_up, billing = pkb.read("account/sign-up.md"), pkb.read("account/billing.md")
    assert "Enter your *work* address.[^1]" in sign_up
    for line in ("## Sign up with email {#email}", "## Accounts for minors {#Junior-accounts}",
                 "{.table-regular}\n| Age | Allowed |", "> [!NOTE]\n> You get a confirmation",
                 "> [!WARNING]\n>\n> - Parents must confirm", '<a id="legacy-anchor"></a>',
                 "[^1]: We never share it."):
        assert line in sign_up, (line, sign_up)
    for line in ("> [!IMPORTANT]\n> Invoices are final once paid.", "> [!TIP]", "> [!CAUTION]",
                 "[Download the price list](https://example.com/prices.pdf){.link-download}",
                 "{.link-external target=_blank}",  # an unchanged block keeps its writing
                 "![Invoice screenshot](images/invoice.png){.screenshot width=600}",
                 '<div class="video-wrapper" id="video">', "<summary>Old plans</summary>",
                 '<iframe src="https://www.youtube.com/embed/tour" width="560" height="315">',
                 "[Sign up](sign-up.md#email)", "(#old-faq)"):
        assert line in billing, (line, billing)
    assert pkb.validate_ok()
    again = pkb.plan()
    assert again.code == 0, again.out


def test_init_from_such_html_then_plan_shows_no_changes(pkb: PullKB, tmp_path: Path) -> None:
    write_migrated(pkb)
    assert pkb.apply().code == 0
    target = tmp_path / "copy"
    assert pkb.init(target).code == 0
    copy = PullKB(target, pkb.app)
    texts = "\n".join(p.read_text(encoding="utf-8") for p in target.rglob("*.md"))
    assert "{#Junior-accounts}" in texts and "> [!CAUTION]" in texts
    assert re.search(r"\]\([^)]*#email\)", texts)
    assert copy.validate_ok()
    outcome = copy.plan()
    assert outcome.code == 0, outcome.out
    assert "No changes" in outcome.out


def test_a_team_without_attrs_gets_a_clear_error_for_an_unknown_extension(pkb: PullKB) -> None:
    pkb.write("kbsync.toml", '[content]\nmarkdown = ["tables", "atrs"]\n')
    pkb.article("a.md", "A")
    outcome = pkb.plan()
    assert outcome.code == 1
    assert "kbsync.toml:2: content.markdown: unknown Markdown extension 'atrs' " \
           "(did you mean 'attrs'?)" in outcome.err


def test_after_the_upgrade_plan_shows_only_articles_whose_html_changed(pkb: PullKB) -> None:
    """Bodies synced by the previous renderer: every one is rendered again once (its render
    key changed), and only the one whose HTML differs is an update."""
    pkb.article("a/plain.md", "Plain", "Just *text* and a [link](table.md).")
    pkb.article("a/table.md", "Table", "## Prices\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    pkb.article("a/alert.md", "Alert", "> [!NOTE]\n> Read this.")
    assert pkb.apply().code == 0
    old_html = "<blockquote>\n<p>[!NOTE]\nRead this.</p>\n</blockquote>\n"
    pkb.edit_remote("alert", content_html=old_html, content="[!NOTE]\nRead this.")
    lock = load_lock(pkb.root / "kbsync.lock")
    remote = next(a for a in pkb.remote_articles() if a.fields.slug == "alert")
    entry = lock.section("articles")["alert"]
    lock.put("articles", "alert", replace(entry, remote=fields_fingerprint(remote.fields)))
    lock.render = "1|"  # what the previous version wrote
    save_lock(lock, pkb.root / "kbsync.lock")
    outcome = pkb.plan()
    assert outcome.code == 2
    assert "~ article a/alert.md" in outcome.out and "Plan: 1 to update." in outcome.out
    assert pkb.apply().code == 0
    assert load_lock(pkb.root / "kbsync.lock").render.startswith(f"{RENDER_VERSION}|")
    assert pkb.plan().code == 0
