"""The preview's HTML: plain string building, every value escaped, no build step.

One layout for every page: the portal's name and colour in the header with the search
box, the collection tree as navigation, the page itself, and a few lines of JavaScript
that follow the server's change events (server-sent events) and swap the changed parts
of the page in place, keeping the scroll position. No CDN, no framework: works offline.

An article body is inserted as apply would send it (it is the writer's own HTML);
everything else (titles, excerpts, paths, messages) is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from kbsync.local.tree import LocalCollection
from kbsync.preview.site import Build, Page, article_url, collection_url
from kbsync.problems import Problem

EVENTS_PATH = "/.kbsync/events"
SEARCH_PATH = "/.kbsync/search"
PROBLEMS_PATH = "/.kbsync/problems"
#: Sent by the page's script when only the page's body changed: the sidebar is left out.
PART_HEADER = "X-Kbsync-Part"

_STYLE = """
:root{--ink:#1f2328;--muted:#5b6470;--line:#e3e6ea;--soft:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
background:#fff}
a{color:var(--brand)}
header.kb-top{background:var(--brand);color:#fff;padding:14px 28px;display:flex;gap:24px;
align-items:center;flex-wrap:wrap}
header.kb-top a.kb-name{color:#fff;text-decoration:none;font-weight:650;font-size:19px}
header.kb-top form{flex:1;max-width:520px;margin-left:auto}
input[type=search]{width:100%;padding:9px 14px;border-radius:8px;border:1px solid var(--line);
font:inherit}
header.kb-top input[type=search]{border:0}
.kb-pill{font-size:12px;background:rgba(255,255,255,.2);border-radius:99px;padding:2px 10px}
.kb-wrap{display:flex;max-width:1200px;margin:0 auto}
nav#kb-side{width:280px;flex:none;padding:24px 16px 40px 24px;border-right:1px solid var(--line);
font-size:14.5px;min-height:calc(100vh - 60px)}
nav#kb-side ul{list-style:none;margin:0;padding:0 0 0 12px}
nav#kb-side>ul{padding:0}
nav#kb-side li{margin:5px 0;line-height:1.4}
nav#kb-side summary{cursor:pointer;font-weight:600;padding:3px 0}
nav#kb-side summary a{font-weight:600}
nav#kb-side .kb-badge{font-size:10px;padding:0 5px;margin-left:6px;vertical-align:1px}
nav#kb-side a{color:var(--ink);text-decoration:none}
nav#kb-side a:hover{color:var(--brand)}
nav#kb-side a[aria-current=page]{color:var(--brand);font-weight:600}
.kb-side-problems{display:block;margin:0 0 16px;padding:8px 10px;border-radius:8px;
background:#fdecec;color:#a4161a!important;font-weight:600}
main#kb-main{flex:1;min-width:0;padding:28px 40px 64px;max-width:860px}
.kb-crumbs{font-size:14px;color:var(--muted);margin-bottom:8px}
.kb-crumbs a{color:var(--muted)}
h1.kb-title{font-size:32px;line-height:1.25;margin:4px 0 8px}
p.kb-excerpt{font-size:18px;color:var(--muted);margin:0 0 24px}
.kb-badge{display:inline-block;font-size:12px;font-weight:600;letter-spacing:.02em;
text-transform:uppercase;color:#8a5300;background:#fff3d6;border:1px solid #f0d48a;
border-radius:6px;padding:1px 7px;margin-left:8px;vertical-align:middle}
h1 .kb-badge{font-size:13px;vertical-align:6px}
.kb-dot{display:inline-block;width:8px;height:8px;border-radius:50%;background:#d1242f;
margin-left:6px;vertical-align:1px}
.kb-body{border-top:1px solid var(--line);padding-top:8px}
.kb-body img{max-width:100%}
.kb-body table{border-collapse:collapse;margin:16px 0;font-size:15px}
.kb-body th,.kb-body td{border:1px solid var(--line);padding:6px 12px;text-align:left}
.kb-body th{background:var(--soft)}
.kb-body pre{background:var(--soft);padding:12px 16px;border-radius:8px;overflow:auto}
.kb-body code{font-size:14px}
.kb-body blockquote{margin:16px 0;padding:4px 16px;border-left:4px solid var(--brand);
background:var(--soft)}
.kb-callout{margin:16px 0;padding:8px 16px;border-left:4px solid #0969da;border-radius:6px;
background:#eef6ff}
.kb-callout>:first-child{margin-top:0}.kb-callout>:last-child{margin-bottom:0}
.kb-callout-title{font-weight:650;margin:0 0 4px;color:#0969da}
.kb-callout-tip{border-color:#1a7f37;background:#edfaef}
.kb-callout-tip .kb-callout-title{color:#1a7f37}
.kb-callout-important{border-color:#8250df;background:#f6f0ff}
.kb-callout-important .kb-callout-title{color:#8250df}
.kb-callout-warning{border-color:#bf8700;background:#fff8e1}
.kb-callout-warning .kb-callout-title{color:#9a6700}
.kb-callout-caution,.kb-callout-danger{border-color:#d1242f;background:#fdecec}
.kb-callout-caution .kb-callout-title,.kb-callout-danger .kb-callout-title{color:#d1242f}
.kb-problems{border-radius:8px;padding:12px 16px;margin:0 0 20px;font-size:14.5px}
.kb-problems.error{background:#fdecec;border:1px solid #f3b5b5}
.kb-problems.warning{background:#fff8e1;border:1px solid #f0d48a}
.kb-problems ul{margin:6px 0 0;padding-left:20px}
.kb-problems code{font-size:13.5px;white-space:pre-wrap}
.kb-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:16px}
.kb-card{display:block;border:1px solid var(--line);border-radius:10px;padding:16px 18px;
color:var(--ink);text-decoration:none}
.kb-card:hover{border-color:var(--brand)}
.kb-card strong{display:block;color:var(--brand);margin-bottom:4px}
.kb-card span{color:var(--muted);font-size:14.5px}
.kb-list{list-style:none;padding:0}
.kb-list li{padding:12px 0;border-bottom:1px solid var(--line)}
.kb-list li p{margin:2px 0 0;color:var(--muted);font-size:15px}
.kb-hero{text-align:center;padding:12px 0 28px}
.kb-hero h1{font-size:30px;margin:0 0 14px}
.kb-hero form{max-width:560px;margin:0 auto}
footer.kb-foot{color:var(--muted);font-size:13px;border-top:1px solid var(--line);
margin-top:40px;padding-top:12px}
#kb-live{display:inline-block;width:8px;height:8px;border-radius:50%;background:#c9ccd1;
margin-right:6px;vertical-align:1px}
#kb-live.on{background:#3ddc84}
"""

# Follows the server's change events; refetches this page when it changed and swaps the
# parts that differ. Coalesces bursts: one fetch at a time, the last one wins.
_SCRIPT = """
(function () {
  var body = document.body;
  var state = {build: body.dataset.build, busy: false, again: false, whole: false};
  function swap(doc, ids) {
    ids.forEach(function (id) {
      var old = document.getElementById(id), fresh = doc.getElementById(id);
      if (old && fresh) { old.replaceWith(document.importNode(fresh, true)); }
    });
  }
  async function refresh(whole) {
    state.whole = state.whole || whole;
    if (state.busy) { state.again = true; return; }
    state.busy = true;
    try {
      do {
        state.again = false;
        var all = state.whole; state.whole = false;
        var response = await fetch(location.href, {cache: "no-store",
                                                   headers: all ? {} : {"PART_HEADER": "main"}});
        var doc = new DOMParser().parseFromString(await response.text(), "text/html");
        if (!all && doc.body.dataset.page !== body.dataset.page) {
          state.whole = state.again = true; continue;  // another page now: fetch it whole
        }
        if (response.redirected) { history.replaceState(null, "", response.url); }
        swap(doc, all ? ["kb-top", "kb-side", "kb-main"] : ["kb-main"]);
        document.title = doc.title;
        body.dataset.page = doc.body.dataset.page;
        window.dispatchEvent(new CustomEvent("kbsync:updated"));
      } while (state.again);
    } finally { state.busy = false; }
  }
  var events = new EventSource("EVENTS_PATH");
  function connected() {
    var on = events.readyState === 1, live = document.getElementById("kb-live");
    if (live) { live.className = on ? "on" : ""; live.title = on ? "live" : "reconnecting"; }
  }
  events.onopen = connected;
  events.onerror = connected;
  window.addEventListener("kbsync:updated", connected);
  events.addEventListener("build", function (e) {
    var d = JSON.parse(e.data);
    if (d.build === state.build) { return; }
    state.build = d.build;
    var mine = (d.pages || []).indexOf(body.dataset.page) >= 0;
    if ((d.reload || []).indexOf(body.dataset.page) >= 0) { location.reload(); return; }
    if (d.hello || d.outline || mine) { refresh(Boolean(d.hello || d.outline)); }
  });
})();
""".replace("EVENTS_PATH", EVENTS_PATH).replace("PART_HEADER", PART_HEADER)


def article_page(build: Build, key: str, *, nav: bool = True) -> str:
    page = build.pages[key]
    article = page.article
    crumbs = _crumbs(build, article.collection_key)
    badge = _draft_badge(article.status)
    excerpt = f'<p class="kb-excerpt">{escape(article.excerpt)}</p>' if article.excerpt else ""
    notice = _problems_box(build.by_path.get(key, ()), stale=key in build.stale)
    main = (f'{crumbs}{notice}<article><h1 class="kb-title">{escape(article.title)}{badge}</h1>'
            f'{excerpt}<div class="kb-body">{page.rendering.html}</div></article>'
            f'{_footer(build, key)}')
    return layout(build, title=article.title, page=page_id(key), current=page.url,
                  open_key=article.collection_key, main=main, nav=nav)


def collection_page(build: Build, key: str, *, nav: bool = True) -> str:
    collection = build.collection_by_key[key]
    folders, pages = build.children.get(key, ((), ()))
    crumbs = _crumbs(build, collection.parent_key)
    description = (f'<p class="kb-excerpt">{escape(collection.description)}</p>'
                   if collection.description else "")
    notice = _problems_box(build.problems_of_collection(collection))
    main = (f'{crumbs}{notice}<h1 class="kb-title">{escape(collection.name)}</h1>{description}'
            f'{_cards(build, folders)}{_article_list(pages)}{_footer(build, collection.source)}')
    return layout(build, title=collection.name, page=f"c:{key}", current=collection_url(key),
                  open_key=key, main=main, nav=nav)


def home_page(build: Build, *, nav: bool = True) -> str:
    folders, pages = build.children.get(None, ((), ()))
    hero = (f'<div class="kb-hero"><h1>How can we help?</h1>{_search_form("", hero=True)}'
            "</div>")
    empty = "" if folders or pages else (
        "<p>Reading the knowledge base; this page fills in by itself.</p>" if not build.ready
        else "<p>No articles yet. Add a folder with a <code>.md</code> file to the knowledge "
             "base and it appears here.</p>")
    main = f"{hero}{empty}{_cards(build, folders)}{_article_list(pages)}{_footer(build, None)}"
    return layout(build, title=build.look.name, page="home", current="/", open_key=None,
                  main=main, nav=nav)


def search_page(build: Build, query: str, results: Sequence[tuple[Page, float]], *,
                nav: bool = True) -> str:
    if not query.strip():
        found = "<p>Type a question or a few words.</p>"
    elif not results:
        found = (f"<p>No article matches <strong>{escape(query)}</strong>. Drafts are not "
                 "searchable, as in the Help Center.</p>")
    else:
        count = len(results)
        found = (f"<p>{count} article{'s' if count != 1 else ''} for "
                 f"<strong>{escape(query)}</strong>, best first (the Help Center's own "
                 f"ranking):</p>{_article_list([page for page, _ in results])}")
    main = f'<h1 class="kb-title">Search</h1>{_search_form(query, hero=True)}{found}'
    return layout(build, title=f"Search: {query}", page="search", current=None, open_key=None,
                  main=main, query=query, nav=nav)


def problems_page(build: Build, *, nav: bool = True) -> str:
    if not build.problems:
        listing = "<p>No problems: <code>kbsync validate</code> would pass.</p>"
    else:
        items = "".join(f"<li>{_problem_line(build, p)}</li>" for p in build.problems)
        listing = (f"<p>What <code>kbsync validate</code> reports now. Articles with errors "
                   f"keep showing their last valid version.</p><ul class=\"kb-list\">{items}</ul>")
    main = f'<h1 class="kb-title">Problems</h1>{listing}'
    return layout(build, title="Problems", page="problems", current=PROBLEMS_PATH,
                  open_key=None, main=main, nav=nav)


def missing_page(build: Build, path: str, key: str | None, *, nav: bool = True) -> str:
    moved = build.moved.get(key) if key else None
    if moved is not None:
        text = (f'<p>This article moved: it is now <a href="{escape(article_url(moved))}">'
                f"{escape(moved)}</a>.</p>")
    else:
        text = (f"<p>Nothing is at <code>{escape(path)}</code>. The file may have been moved, "
                'renamed or deleted; <a href="/">start from the home page</a>.</p>')
    main = f'<h1 class="kb-title">Not found</h1>{text}'
    return layout(build, title="Not found", page=f"missing:{key or path}", current=None,
                  open_key=None, main=main, nav=nav)


def page_id(key: str) -> str:
    """The name change events use for an article's page."""
    return f"a:{key}"


def layout(build: Build, *, title: str, page: str, current: str | None, open_key: str | None,
           main: str, query: str = "", nav: bool = True) -> str:
    """The whole page; without ``nav`` an empty sidebar (a refresh of the page's body
    only: on 2,000 articles the navigation is most of the page's weight)."""
    look = build.look
    side = navigation(build, current, open_key) if nav else '<nav id="kb-side"></nav>'
    site = _site_problems(build)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_title(title, look.name)}</title>"
        f"<style>{_STYLE}:root{{--brand:{look.color}}}</style></head>"
        f'<body data-build="{escape(build.id)}" data-page="{escape(page)}">'
        f'<header class="kb-top" id="kb-top"><a class="kb-name" href="/">{escape(look.name)}</a>'
        '<span class="kb-pill"><span id="kb-live" title="connecting"></span>Preview</span>'
        f"{_search_form(query)}</header>"
        f'<div class="kb-wrap">{side}'
        f'<main id="kb-main">{site}{main}</main></div>'
        f"<script>{_SCRIPT}</script></body></html>"
    )


def _title(title: str, portal: str) -> str:
    return escape(title if title == portal else f"{title} · {portal}")


def navigation(build: Build, current: str | None, open_key: str | None) -> str:
    """The collection tree, the current page's collections unfolded."""
    unfolded = {c.key for c in build.ancestors(open_key)}
    errors = len([p for p in build.problems if p.is_error])
    warnings = len(build.problems) - errors
    problems = ""
    if build.problems:
        counted = (f"{errors} error{'s' if errors != 1 else ''}" if errors
                   else f"{warnings} warning{'s' if warnings != 1 else ''}")
        problems = f'<a class="kb-side-problems" href="{PROBLEMS_PATH}">{counted}</a>'
    tree = _nav_level(build, None, current, unfolded)
    return f'<nav id="kb-side" aria-label="Collections">{problems}{tree}</nav>'


def _nav_level(build: Build, key: str | None, current: str | None,
               unfolded: set[str]) -> str:
    folders, pages = build.children.get(key, ((), ()))
    items = []
    for collection in folders:
        url = collection_url(collection.key)
        opened = " open" if collection.key in unfolded else ""
        dot = _dot(build, collection.source)
        inner = _nav_level(build, collection.key, current, unfolded)
        items.append(f'<li><details{opened}><summary><a href="{escape(url)}"'
                     f"{_current(url, current)}>{escape(collection.name)}</a>{dot}</summary>"
                     f"{inner}</details></li>")
    for page in pages:
        items.append(f'<li><a href="{escape(page.url)}"{_current(page.url, current)}>'
                     f"{escape(page.article.title)}</a>{_draft_badge(page.article.status)}"
                     f"{_dot(build, page.key)}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _current(url: str, current: str | None) -> str:
    return ' aria-current="page"' if url == current else ""


def _dot(build: Build, path: str) -> str:
    return ('<span class="kb-dot" title="has errors"></span>'
            if path in build.error_paths else "")


def _draft_badge(status: str) -> str:
    return '<span class="kb-badge">Draft</span>' if status == "draft" else ""


def _search_form(query: str, *, hero: bool = False) -> str:
    label = "Search the Help Center" if hero else "Search articles"
    return (f'<form action="{SEARCH_PATH}" method="get" role="search">'
            f'<input type="search" name="q" value="{escape(query)}" placeholder="{label}" '
            f'aria-label="{label}"></form>')


def _crumbs(build: Build, collection_key: str | None) -> str:
    parts = ['<a href="/">Home</a>']
    parts += [f'<a href="{escape(collection_url(c.key))}">{escape(c.name)}</a>'
              for c in build.ancestors(collection_key)]
    return f'<div class="kb-crumbs">{" &rsaquo; ".join(parts)}</div>'


def _cards(build: Build, folders: Iterable[LocalCollection]) -> str:
    cards = []
    for collection in folders:
        count = build.article_count(collection.key)
        about = escape(collection.description) if collection.description else (
            f"{count} article{'s' if count != 1 else ''}")
        cards.append(f'<a class="kb-card" href="{escape(collection_url(collection.key))}">'
                     f"<strong>{escape(collection.name)}</strong><span>{about}</span></a>")
    return f'<div class="kb-cards">{"".join(cards)}</div>' if cards else ""


def _article_list(pages: Iterable[Page]) -> str:
    items = []
    for page in pages:
        excerpt = (f"<p>{escape(page.article.excerpt)}</p>" if page.article.excerpt else "")
        items.append(f'<li><a href="{escape(page.url)}">{escape(page.article.title)}</a>'
                     f"{_draft_badge(page.article.status)}{excerpt}</li>")
    return f'<ul class="kb-list">{"".join(items)}</ul>' if items else ""


def _problems_box(problems: Sequence[Problem], *, stale: bool = False,
                  head: str | None = None) -> str:
    if not problems:
        return ""
    errors = [p for p in problems if p.is_error]
    kind = "error" if errors else "warning"
    if head is None:
        head = ("This file has errors; the page shows its last valid version." if errors
                and stale else "This file has errors; the page shows it as read." if errors
                else "Warnings (the page shows the file as it is):")
    items = "".join(f"<li><code>{escape(str(p))}</code></li>" for p in problems)
    return (f'<div class="kb-problems {kind}" role="alert"><strong>{head}</strong>'
            f"<ul>{items}</ul></div>")


def _site_problems(build: Build) -> str:
    return _problems_box(build.site_problems,
                         head="Problems outside any article (settings, folders):")


def _problem_line(build: Build, problem: Problem) -> str:
    text = f"<code>{escape(str(problem))}</code>"
    if problem.path in build.pages:
        url = article_url(problem.path)
        return f'<a href="{escape(url)}">{escape(problem.path)}</a><br>{text}'
    return text


def _footer(build: Build, source: str | None) -> str:
    where = f"Source: <code>{escape(source)}</code> · " if source else ""
    return (f'<footer class="kb-foot">{where}Live preview by kbsync watch · build '
            f"{escape(build.id)}</footer>")
