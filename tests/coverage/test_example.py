"""example-kb's coverage.yaml and tickets.json: valid, realistic, and what the README runs."""

from __future__ import annotations

from pathlib import Path

from kbsync.config import load_config
from kbsync.coverage.local_articles import local_layout
from kbsync.coverage.questions import fold, from_tickets, ticket_text
from kbsync.coverage.spec import check_expectations, read_coverage
from kbsync.emulator.app import load_tickets
from kbsync.markdown.text import html_to_text
from kbsync.remote.wire import ticket_from_wire

EXAMPLE = Path(__file__).resolve().parents[2] / "example-kb"


def test_every_expected_slug_is_a_published_article_of_the_example() -> None:
    spec, problems = read_coverage(EXAMPLE)
    assert spec is not None and problems == []
    layout = local_layout(load_config(EXAMPLE, environ={}))
    assert check_expectations(spec, layout.published_slugs,
                              layout.article_slugs - layout.published_slugs) == []


def test_the_tickets_fixture_has_what_the_issue_asks_for() -> None:
    tickets = [ticket_from_wire(t) for t in load_tickets(EXAMPLE / "tickets.json")]
    assert len(tickets) >= 50
    assert sum(t.is_spam for t in tickets) >= 3
    assert sum(1 for t in tickets if t.description_html and not t.description) >= 5
    plain_longer = [t for t in tickets if t.description and t.description_html
                    and len(t.description) > len(html_to_text(t.description_html))]
    assert len(plain_longer) >= 3
    assert all(t.description in ticket_text(t) for t in plain_longer)
    questions = from_tickets(tickets)
    assert len(fold(questions)) < len(questions)  # some ask the very same thing


def test_the_embedded_help_center_serves_the_example_tickets(tmp_path: Path) -> None:
    from kbsync.session import open_client

    (tmp_path / "kbsync.toml").write_text('[remote]\nbase_url = "local"\n')
    (tmp_path / "tickets.json").write_text((EXAMPLE / "tickets.json").read_text())
    with open_client(load_config(tmp_path, environ={})) as client:
        tickets = client.list_tickets(limit=None)
    assert len(tickets) == 51 and not any(t.is_spam for t in tickets)
