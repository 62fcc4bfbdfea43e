"""What links where: the link under a cursor, the links to a file, headings by id."""

from __future__ import annotations

import pytest

from kbsync.engine.links import Links
from kbsync.frontend import open_workspace

from .conftest import KB, write_small_kb


@pytest.fixture
def links(kb: KB) -> Links:
    write_small_kb(kb)
    kb.article("guides/x.md", "X", "A [next](02-next.md#details) and ![s](shot.png).\n\n"
                                   "[ref][r]\n\n[r]: 01-start.md")
    return Links(open_workspace(kb.config()).check())


def test_the_link_under_the_cursor_from_its_bracket_to_its_paren(links: Links) -> None:
    line = 5  # title, slug... the body starts after the front matter
    assert links.at("guides/x.md", line, 2) is None  # "A " is no link
    use = links.at("guides/x.md", line, 3)
    assert use is not None and (use.path, use.anchor) == ("guides/02-next.md", "details")
    assert links.at("guides/x.md", line, 28) == use  # on the ")"
    assert links.at("guides/x.md", line, 29) is None
    image = links.at("guides/x.md", line, 34)
    assert image is not None and image.path == "guides/shot.png" and image.link.is_image


def test_a_reference_link_is_found_anywhere_on_its_line(links: Links) -> None:
    use = links.at("guides/x.md", 7, 1)
    assert use is not None and use.path == "guides/01-start.md"


def test_links_to_a_file_and_below_a_folder(links: Links) -> None:
    assert [u.source for u in links.to("guides/02-next.md")] == [
        "guides/advanced/deep.md", "guides/x.md"]
    assert {u.path for u in links.under("billing")} == {"billing/invoices.md"}


def test_headings_by_id_and_line_and_the_collections_above(links: Links) -> None:
    heading = links.heading("guides/02-next.md", "details")
    assert heading is not None and heading.text == "Details"
    assert links.heading_at("guides/02-next.md", heading.line) == heading
    assert links.collections_of("guides/advanced/deep.md") == ["Guides", "Advanced"]
