"""Links into folders named as teams name them: ``A & B``, ``C's "q"``, ``hash#tag``...

A link between articles is rendered as a placeholder the plan fills with the target's
public URL. Every name a file system and git allow must come out as that URL in the
Help Center (never as ``kbsync://``), plan must then be a no-op, and pull and
``init --from-remote`` must map the URLs back to links that find the same files.
"""

from __future__ import annotations

import posixpath
import re
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import quote

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.markdown import resolve_relative
from tests.engine.conftest import KB, TOKEN
from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb = pull_kb.pkb

#: (folder, how the previous article's link spells it)
FOLDERS = [
    ("A & B", "A%20&%20B"),
    ("C's \"q\"", "<C's \"q\""),
    ("lt<gt>", "lt%3Cgt%3E"),
    ("hash#tag", "hash%23tag"),
    ("50% off", "50%25%20off"),
    ("why?", "why%3F"),
    ("space name", "space%20name"),
    ("ünïcode", "ünïcode"),
]


def _link(spelled: str, anchor: str) -> str:
    if spelled.startswith("<"):
        return f"<../{spelled[1:]}/art.md#{anchor}>"
    return f"../{spelled}/art.md#{anchor}"


def write_eight_folders(kb: PullKB, *, nfd: bool = False) -> list[str]:
    """One article per folder, each linking to the next (and the last to the first)."""
    keys = []
    for index, (folder, _) in enumerate(FOLDERS):
        stored = unicodedata.normalize("NFD", folder) if nfd else folder
        following = FOLDERS[(index + 1) % len(FOLDERS)][1]
        kb.write(f"{stored}/_collection.yaml", f"slug: folder-{index}\n")
        kb.article(f"{stored}/art.md", f"Article {index}",
                   f"## Part {index}\n\nNext: [the next one]"
                   f"({_link(following, f'part-{(index + 1) % len(FOLDERS)}')}).\n\n"
                   "Out: [site](https://example.com/a?b=1&c=2)",
                   slug=f"art-{index}")
        keys.append(f"{stored}/art.md")
    return keys


def _hrefs(html: str) -> list[str]:
    return [str(a["href"]) for a in BeautifulSoup(html, "html.parser").find_all("a")]


def _assert_every_link_is_a_public_url(kb: PullKB) -> None:
    articles = {a.fields.slug: a for a in kb.remote_articles()}
    for index in range(len(FOLDERS)):
        html = articles[f"art-{index}"].fields.content_html
        assert "kbsync://" not in html
        target = articles[f"art-{(index + 1) % len(FOLDERS)}"]
        assert _hrefs(html) == [f"{target.url}#part-{(index + 1) % len(FOLDERS)}",
                                "https://example.com/a?b=1&c=2"]


def test_eight_folder_names_link_to_public_urls_and_converge(pkb: PullKB) -> None:
    write_eight_folders(pkb)
    assert pkb.validate_ok()
    outcome = pkb.apply()
    assert outcome.code == 0, outcome.out + outcome.err
    _assert_every_link_is_a_public_url(pkb)
    again = pkb.plan()
    assert again.code == 0, again.out
    assert "No changes" in again.out


def test_a_link_typed_composed_finds_a_folder_stored_decomposed(pkb: PullKB) -> None:
    keys = write_eight_folders(pkb, nfd=True)
    assert keys[-1] != "ünïcode/art.md" and Path(pkb.root / keys[-1]).is_file()
    assert pkb.validate_ok()
    assert pkb.apply().code == 0
    _assert_every_link_is_a_public_url(pkb)
    assert pkb.plan().code == 0


def test_pull_keeps_the_files_and_maps_edited_bodies_back_to_the_same_files(
        pkb: PullKB) -> None:
    keys = write_eight_folders(pkb)
    assert pkb.apply().code == 0
    before = pkb.snapshot()
    assert pkb.pull().code == 0
    assert pkb.snapshot() == before
    for index in range(len(FOLDERS)):
        article = next(a for a in pkb.remote_articles() if a.fields.slug == f"art-{index}")
        pkb.edit_remote(f"art-{index}",
                        content_html=article.fields.content_html + "<p>Edited online.</p>")
    outcome = pkb.pull()
    assert outcome.code == 0, outcome.err
    for index, key in enumerate(keys):
        text = pkb.read(key)
        assert "Edited online." in text
        href = re.search(r"\[the next one\]\((<[^>]+>|[^)\s]+)\)", text)
        assert href is not None, text
        target, anchor = resolve_relative(key, href.group(1).strip("<>")) or ("", None)
        assert (target, anchor) == (keys[(index + 1) % len(keys)],
                                    f"part-{(index + 1) % len(keys)}")
    assert pkb.validate_ok()
    assert pkb.plan().code == 0


def test_init_from_remote_maps_the_urls_back_to_relative_links(pkb: PullKB,
                                                               tmp_path: Path) -> None:
    write_eight_folders(pkb)
    assert pkb.apply().code == 0
    target = tmp_path / "copy"
    assert pkb.init(target).code == 0
    copy = PullKB(target, pkb.app)
    assert copy.validate_ok()
    outcome = copy.plan()
    assert outcome.code == 0, outcome.out
    texts = [p.read_text(encoding="utf-8") for p in target.rglob("*.md")]
    assert len(texts) == len(FOLDERS)
    # the folders are numbered in initdesk's order (not their slugs')
    assert all(re.search(r"\]\(\.\./0\d-folder-", text) and "kbsync://" not in text
               for text in texts)


def test_a_target_that_leaves_out_a_new_linked_article_is_shown_and_refused(
        pkb: PullKB) -> None:
    """The placeholder of a link to an article this run does not create is never sent."""
    pkb.article("A & B/b.md", "B")
    pkb.article("guides/a.md", "A", "See [b](<../A & B/b.md>).")
    refusal = ("guides/a.md links to A & B/b.md, whose public URL this plan does not make "
               "(add --target A & B/b.md, or plan without --target)")
    shown = pkb.plan(targets=["guides/a.md"])
    assert f"Warning: apply will refuse this plan: {refusal}" in shown.out
    refused = pkb.apply(targets=["guides/a.md"])
    assert refused.code == 1 and refusal in refused.err
    assert pkb.writes() == []
    assert pkb.apply().code == 0
    remote = {article.fields.slug: article for article in pkb.remote_articles()}
    assert _hrefs(remote["a"].fields.content_html) == [remote["b"].url]


# -- property: any names, any spelling -----------------------------------------------------

_NAME = st.text(alphabet="aZ&'\"<># %?üé", min_size=1, max_size=5).map(str.strip).filter(bool)


Expected = dict[str, list[tuple[str, str]]]


@st.composite
def knowledge_bases(draw: st.DrawFn) -> tuple[dict[str, str], Expected]:
    """Files (key as stored -> text) and, per file, where its links must point:
    ``(target key, anchor)`` for an article link, ``("", url)`` for an external one."""
    folders = draw(st.lists(_NAME, min_size=1, max_size=3, unique=True))
    keys: list[str] = []
    for folder in folders:
        names = draw(st.lists(_NAME, min_size=1, max_size=2, unique=True))
        stored = _form(draw, folder)
        keys += [f"{stored}/{_form(draw, name)}.md" for name in names]
    files: dict[str, str] = {}
    expected: Expected = {}
    for index, key in enumerate(keys):
        links, hrefs = [], []
        for target in draw(st.lists(st.sampled_from(keys), max_size=3)):
            anchor = draw(st.sampled_from(["", f"part-{keys.index(target)}"]))
            spelled = _spell(draw, posixpath.relpath(target, posixpath.dirname(key)), anchor)
            links.append(f"[to {keys.index(target)}]({spelled})")
            hrefs.append((target, anchor))
        if draw(st.booleans()):
            links.append("[out](https://example.com/x?a=1&b=2#top)")
            hrefs.append(("", "https://example.com/x?a=1&b=2#top"))
        folder = posixpath.dirname(key)
        files[f"{folder}/_collection.yaml"] = f"slug: c{len(files)}\n"
        files[key] = (f"---\ntitle: Article {index}\nslug: a{index}\n---\n\n## Part {index}\n\n"
                      + " ".join(links) + "\n")
        expected[key] = hrefs
    return files, expected


def _form(draw: st.DrawFn, name: str) -> str:
    return unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), name)


def _spell(draw: st.DrawFn, path: str, anchor: str) -> str:
    """A link to ``path`` as an author might type it: any normal form, percent-encoded
    wholly or just where needed, or in angle brackets."""
    path = _form(draw, path)
    fragment = f"#{anchor}" if anchor else ""
    how = draw(st.sampled_from(["quote", "minimal", "angle"]))
    if how == "quote":
        return quote(path, safe="/") + fragment
    needed = path.replace("%", "%25").replace("#", "%23").replace("?", "%3F")
    if how == "angle" and "<" not in path and ">" not in path:
        return f"<{needed}{fragment}>"
    needed = needed.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    return needed + fragment


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(knowledge_bases())
def test_any_names_and_spellings_publish_public_urls_and_converge(
        case: tuple[dict[str, str], Expected]) -> None:
    files, expected = case
    app = create_app(EmulatorConfig(token=TOKEN, org_id=1))
    with tempfile.TemporaryDirectory() as tmp:
        kb = KB(Path(tmp), app)
        for rel, text in files.items():
            kb.write(rel, text)
        outcome = kb.apply()
        assert outcome.code == 0, outcome.out + outcome.err
        remote = {a.fields.slug: a for a in kb.remote_articles()}
        url = {key: remote[f"a{index}"].url for index, key in enumerate(expected)}
        for index, (key, hrefs) in enumerate(expected.items()):
            wanted = [url[target] + (f"#{rest}" if rest else "") if target else rest
                      for target, rest in hrefs]
            assert _hrefs(remote[f"a{index}"].fields.content_html) == wanted, key
        again = kb.plan()
        assert again.code == 0 and "No changes" in again.out, again.out
    app.close()
