"""portal.yaml -> the settings it manages, every problem with its line and key."""

from __future__ import annotations

from pathlib import Path

from kbsync.portal_file import read_portal


def _read(tmp_path: Path, text: str) -> tuple[object, list[str]]:
    (tmp_path / "portal.yaml").write_text(text, encoding="utf-8")
    settings, problems = read_portal(tmp_path)
    return settings, [str(p) for p in problems]


def test_only_the_keys_the_file_sets_are_managed(tmp_path: Path) -> None:
    settings, problems = _read(tmp_path, 'name: Help\nprimary_color: "#0E7C66"\n'
                                         "custom_domain: null\n")
    assert settings == {"name": "Help", "primary_color": "#0E7C66", "custom_domain": None}
    assert problems == []


def test_no_file_manages_nothing(tmp_path: Path) -> None:
    assert read_portal(tmp_path) == (None, [])


def test_every_bad_value_at_its_line(tmp_path: Path) -> None:
    settings, problems = _read(tmp_path, (
        "name: ''\nprimary_color: red\nallow_robots: yes please\n"
        "custom_domain: https://help.example.com\nmeta_description: " + "x" * 501 + "\n"
        "theme: dark\n"))
    assert problems == [
        "portal.yaml:1: name: must not be empty",
        "portal.yaml:2: primary_color: must be a colour like \"#0E7C66\", got 'red'",
        "portal.yaml:3: allow_robots: must be true or false, got 'yes please'",
        "portal.yaml:4: custom_domain: must be a host name only "
        "(e.g. help.example.com, no scheme or path)",
        "portal.yaml:5: meta_description: is 501 characters long; the limit is 500",
        "portal.yaml:6: theme: unknown portal setting (known: name, custom_domain, "
        "meta_description, allow_robots, primary_color, is_active, "
        "enable_ticket_creation_form)",
    ]
    assert settings == {}


def test_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    assert _read(tmp_path, "- name\n") == (None, [
        "portal.yaml:1: must be a mapping of setting: value, got a list "
        "(write one 'key: value' per line)"])
