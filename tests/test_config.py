"""kbsync.toml, the environment and the command line -> Config, each problem blamed right."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbsync.config import Config, Overrides, load_config
from kbsync.errors import ConfigError, UsageError

TOKEN = "tok-5ecret-config-77"


def _load(root: Path, text: str | None = None, **env: str) -> Config:
    if text is not None:
        (root / "kbsync.toml").write_text(text, encoding="utf-8")
    return load_config(root, environ=env)


def _problems(root: Path, text: str, **env: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        _load(root, text, **env)
    return str(caught.value).splitlines()


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={})
    assert (config.remote.base_url, config.remote.organization_id,
            config.remote.requests_per_minute) == ("https://api.initdesk.com", None, 60)
    assert not config.has_file and config.max_deletes == 10


def test_the_embedded_help_center_needs_no_org_and_no_throttle(tmp_path: Path) -> None:
    config = _load(tmp_path, '[remote]\nbase_url = "local"\n')
    assert (config.remote.organization_id, config.remote.requests_per_minute) == (1, 0)


def test_every_file_problem_at_once_with_line_and_key(tmp_path: Path) -> None:
    text = ('[remote]\nbase_url = "ftp://x"\norganization_id = 0\nrequests_per_minute = -1\n'
            'token = "no"\n[content]\nextra_keys = "owner"\nassets_base_url = "/img"\n'
            '[apply]\nmax_deletes = true\n[deploy]\nx = 1\n')
    assert _problems(tmp_path, text) == [
        "kbsync.toml:2: remote.base_url: must be an http(s) URL or \"local\", got 'ftp://x' "
        '(e.g. "https://api.initdesk.com")',
        "kbsync.toml:3: remote.organization_id: must be a whole number >= 1, got 0",
        "kbsync.toml:4: remote.requests_per_minute: must be a whole number >= 0, got -1",
        "kbsync.toml:5: remote.token: unknown key "
        "(known: base_url, organization_id, requests_per_minute)",
        "kbsync.toml:7: content.extra_keys: must be a list of strings (e.g. [\"owner\"])",
        "kbsync.toml:8: content.assets_base_url: must be an http(s) URL, got '/img' "
        '(e.g. "https://raw.githubusercontent.com/acme/kb/main/")',
        "kbsync.toml:10: apply.max_deletes: must be a whole number >= 0, got True",
        "kbsync.toml:11: deploy: unknown section (known: remote, content, apply, assets)",
    ]


def test_an_unknown_key_or_section_gets_a_did_you_mean(tmp_path: Path) -> None:
    text = ('[remote]\norganisation_id = 1\n[content]\nmax_article_byte = 5\n'
            'max_deletes = 3\n[aply]\n')
    assert _problems(tmp_path, text) == [
        "kbsync.toml:2: remote.organisation_id: unknown key (did you mean 'organization_id'?)",
        "kbsync.toml:4: content.max_article_byte: unknown key "
        "(did you mean 'max_article_bytes'?)",
        "kbsync.toml:5: content.max_deletes: unknown key (it belongs under [apply])",
        "kbsync.toml:6: aply: unknown section (did you mean [apply]?)",
    ]


def test_on_delete_says_what_apply_does_to_a_deleted_file(tmp_path: Path) -> None:
    assert _load(tmp_path).on_delete == "delete"
    assert _load(tmp_path, '[apply]\non_delete = "draft"\n').on_delete == "draft"
    assert _problems(tmp_path, '[remote]\n[apply]\non_delete = "drafts"\n') == [
        'kbsync.toml:3: apply.on_delete: must be one of "delete" | "draft" | "keep", got '
        "'drafts' (did you mean 'draft'?)"]
    assert _problems(tmp_path, "[apply]\non_delete = false\n") == [
        'kbsync.toml:2: apply.on_delete: must be one of "delete" | "draft" | "keep", got False '
        "(what apply does in initdesk to an article whose file was deleted)"]


def test_a_section_that_is_not_a_table(tmp_path: Path) -> None:
    assert _problems(tmp_path, 'remote = "x"\n') == [
        "kbsync.toml:1: remote: must be a table of settings "
        "(write it as [remote] with one setting per line)"]


def test_a_folder_named_kbsync_toml_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "kbsync.toml").mkdir()
    with pytest.raises(ConfigError, match=r"kbsync\.toml: not a file"):
        load_config(tmp_path, environ={})


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    assert _problems(tmp_path, "[remote\n")[0].startswith("kbsync.toml: invalid TOML:")


def test_the_environment_wins_over_the_file_and_is_blamed_for_its_own_values(
        tmp_path: Path) -> None:
    text = '[remote]\nbase_url = "https://a.example"\norganization_id = 3\n'
    config = _load(tmp_path, text, INITDESK_BASE_URL="https://b.example/",
                   INITDESK_ORG_ID="9", INITDESK_RPM="30")
    assert (config.remote.base_url, config.remote.organization_id,
            config.remote.requests_per_minute) == ("https://b.example", 9, 30)
    assert _problems(tmp_path, text, INITDESK_BASE_URL="b.example", INITDESK_RPM="lots") == [
        "environment: INITDESK_BASE_URL: must be an http(s) URL or \"local\", got 'b.example' "
        '(e.g. "https://api.initdesk.com")',
        "environment: INITDESK_RPM: must be a whole number >= 0, got 'lots'"]


def test_a_bad_command_line_value_is_a_usage_error_blamed_on_the_command_line(
        tmp_path: Path) -> None:
    (tmp_path / "kbsync.toml").write_text('[remote]\nbase_url = "https://a.example"\n')
    with pytest.raises(UsageError) as caught:
        load_config(tmp_path, Overrides(base_url="api.initdesk.com"), environ={})
    assert str(caught.value).startswith(
        "command line: --base-url: must be an http(s) URL or \"local\", got 'api.initdesk.com'")
    assert "kbsync.toml" not in str(caught.value)


@pytest.mark.parametrize("padded", [f"{TOKEN}\n", f"  {TOKEN}\r\n", f"\t{TOKEN} "])
def test_whitespace_around_the_token_is_dropped(tmp_path: Path, padded: str) -> None:
    token = load_config(tmp_path, environ={"INITDESK_TOKEN": padded}).remote.token
    assert token is not None and token.reveal() == TOKEN


@pytest.mark.parametrize(("token", "kind"), [
    (f"{TOKEN[:5]}\n{TOKEN[5:]}", "a control character"),
    (f"{TOKEN[:5]}\r{TOKEN[5:]}", "a control character"),
    (f"{TOKEN[:5]}\t{TOKEN[5:]}", "a control character"),
    (f"{TOKEN[:5]} {TOKEN[5:]}", "a space"),
    (f"{TOKEN[:5]}é{TOKEN[5:]}", "a non-ASCII character"),
])
def test_a_token_with_characters_no_header_takes_is_refused_without_showing_it(
        tmp_path: Path, token: str, kind: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, environ={"INITDESK_TOKEN": token})
    message = str(caught.value)
    assert f"INITDESK_TOKEN holds {kind} at position 6" in message
    assert TOKEN[:5] not in message and TOKEN[5:] not in message


def test_the_markdown_dialect_defaults_to_everything_but_admonitions(tmp_path: Path) -> None:
    assert load_config(tmp_path, environ={}).content.markdown == (
        "tables", "strikethrough", "tasklists", "footnotes", "attrs", "alerts")
    chosen = _load(tmp_path, '[content]\nmarkdown = ["admonitions", "tables", "tables"]\n')
    assert chosen.content.markdown == ("tables", "admonitions")
    assert _load(tmp_path, "[content]\nmarkdown = []\n").content.markdown == ()


@pytest.mark.parametrize(("value", "problem"), [
    ('["tables", "footnote"]', "unknown Markdown extension 'footnote' (did you mean 'footnotes'?)"),
    ('["mermaid"]', "unknown Markdown extension 'mermaid' (known: tables, strikethrough, "
                    "tasklists, footnotes, attrs, alerts, admonitions, docusaurus)"),
    ('"attrs"', "must be a list of extension names (known: tables, strikethrough, tasklists, "
                "footnotes, attrs, alerts, admonitions, docusaurus)"),
])
def test_an_unknown_markdown_extension_is_named(tmp_path: Path, value: str, problem: str) -> None:
    assert _problems(tmp_path, f"[content]\nmarkdown = {value}\n") == [
        f"kbsync.toml:2: content.markdown: {problem}"]


def test_heading_ids_name_a_scheme(tmp_path: Path) -> None:
    assert load_config(tmp_path, environ={}).content.dialect.heading_ids == "github"
    chosen = _load(tmp_path, '[content]\nheading_ids = "markdown-it-anchor"\n')
    assert chosen.content.dialect.heading_ids == "markdown-it-anchor"
    assert _problems(tmp_path, '[content]\nheading_ids = "mkdoc"\n') == [
        "kbsync.toml:2: content.heading_ids: unknown heading-id scheme 'mkdoc' "
        "(did you mean 'mkdocs'?)"]


def test_assets_publish_to_a_store_with_the_readers_address(tmp_path: Path) -> None:
    config = _load(tmp_path, '[assets]\npublish = "s3://acme-help/kb/"\n'
                   'public_url = "https://cdn.acme.com/kb/"\nmax_bytes = 500000\n')
    assert (config.assets.publish, config.assets.public_url, config.assets.max_bytes) == (
        "s3://acme-help/kb", "https://cdn.acme.com/kb", 500_000)
    assert config.assets.home({"a.png": "0" * 64}).url("a.png") == (
        "https://cdn.acme.com/kb/a.0000000000000000.png")


def test_assets_default_to_no_home_and_two_megabytes(tmp_path: Path) -> None:
    config = _load(tmp_path, "[remote]\n")
    assert (config.assets.has_home, config.assets.max_bytes) == (False, 2_000_000)


def test_content_assets_base_url_is_the_older_name_of_assets_base_url(tmp_path: Path) -> None:
    old = _load(tmp_path, '[content]\nassets_base_url = "https://raw.example.com/kb"\n')
    new = _load(tmp_path, '[assets]\nbase_url = "https://raw.example.com/kb/"\n')
    assert old.assets == new.assets and new.assets.base_url == "https://raw.example.com/kb/"


def test_assets_settings_that_contradict_each_other_name_their_line(tmp_path: Path) -> None:
    text = ('[content]\nassets_base_url = "https://raw.example.com/kb"\n[assets]\n'
            'publish = "s3://b"\nbase_url = "https://raw.example.com/kb"\n')
    assert _problems(tmp_path, text) == [
        "kbsync.toml:2: content.assets_base_url: set twice: [assets] base_url is set too "
        "(keep base_url under [assets] (assets_base_url is its older name) and delete this "
        "line)",
        "kbsync.toml:4: assets.publish: needs public_url: the address readers load the "
        'published files from (e.g. public_url = "https://help-assets.acme.com/kb" (a CDN '
        "or the bucket's public URL))",
        "kbsync.toml:4: assets.publish: a file has one home: publish and base_url are both "
        "set (keep publish (kbsync uploads) or base_url (served from a public repository), "
        "not both)"]


@pytest.mark.parametrize(("line", "problem"), [
    ('publish = "https://b/kb"', "assets.publish: must be an s3:// URL (any S3-compatible "
     "store), got 'https://b/kb' (e.g. \"s3://acme-help/kb\")"),
    ('public_url = "cdn.acme.com"', "assets.public_url: must be an http(s) URL, got "
     "'cdn.acme.com' (e.g. \"https://help-assets.acme.com/kb\")"),
    ("max_bytes = 0", "assets.max_bytes: must be a whole number >= 1, got 0"),
])
def test_a_bad_assets_value_is_named(tmp_path: Path, line: str, problem: str) -> None:
    assert _problems(tmp_path, f"[assets]\n{line}\n")[0] == f"kbsync.toml:2: {problem}"
