"""Reliability: the hostile-input attacks of issues 8 and 24, repeated; prints one table.

Nine parts, each a row of the table (cases, passed, failed, duplicates, leaks, orphans,
crashes, silent skips, wall time); it asserts nothing. Every kbsync run is a real
``python -m kbsync`` subprocess against the emulator served on loopback (or the
embedded one):

* **faults x seeds**: apply through injected faults (500, 503, 429, dropped and slow
  connections, writes committed then failed) until it converges; then a clean plan,
  and no article twice;
* **kills**: apply killed with SIGKILL at a random point, then applied again to
  convergence; and kbsync killed (SIGKILL / SIGTERM) while its workers parse 400
  articles: the output pipe must close at once and no child may survive (orphans);
* **concurrent applies**: N applies started at once on one folder: each one finishes or
  refuses with "another kbsync apply is running here", and the end state is clean;
* **hostile corpus**: 60+ hostile knowledge bases (alias bombs, huge and deep YAML,
  symbolic links out of the folder, pipes, odd names, pathological Markdown, broken
  state files) through ``apply``: no crash, no hang, bounded output and memory, and the
  secret outside the folder never published (a leak);
* **token hunt**: tokens of every shape through plan, apply and pull with faults and
  ``-v``: no 6-character slice of the token in any output or file (a leak);
* **own files**: each file or folder kbsync keeps or looks for by name broken (a FIFO
  run lock, ``.kbsync`` a file or a link out, a 50,000-deep kbsync.toml, a garbage
  local.db, a special .kbsyncignore / portal.yaml / coverage.yaml / tickets.json, a
  folder 1,000 levels deep) through apply, pull (and watch): exit 1 with one line
  naming it; exit 0 is a silent skip, and a file written through the link out a leak;
* **hostile tickets**: 28 hostile tickets, a 1 MB one and one of control characters
  through ``coverage --from-tickets`` in every format and mode, printed and written:
  exit 0, no raw control or bidi character anywhere, JSON that parses;
* **preview**: ``watch`` on a tree linking to every private file: none served (a
  leak), and forged Host headers refused (421) on every route, events included;
* **doctor**: ``next`` links to another host, another port and to the page itself:
  exit 1 naming the link (exit 0 is a silent skip).

Run ``python bench/reliability.py`` (the attack as filed: 30 seeds, 20 kills, 14
concurrent applies) or smaller, e.g. ``--seeds 3 --kills 3 --concurrent 4``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbsync.emulator.app import EmulatorApp, EmulatorConfig, create_app
from kbsync.emulator.server import running_server

TOKEN = "Rb4Xt7Qm2Wk9Zp5Lc8"
FAULTS = ("500", "503", "429", "drop", "slow", "commit_then_500", "commit_then_drop")
SECRET = "OUTSIDE-SECRET-7f3a9c"
REFUSED = "another kbsync apply is running here"
BUG = "bug in kbsync"


@dataclass
class Row:
    name: str
    cases: int = 0
    passed: int = 0
    duplicates: int = 0
    leaks: int = 0
    orphans: int = 0
    crashes: int = 0  # "unexpected error (a bug in kbsync)"
    skips: int = 0  # a broken file gone past in silence (exit 0 where a refusal was due)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def record(self, ok: bool, note: str = "") -> None:
        self.cases += 1
        self.passed += ok
        if not ok and note and len(self.notes) < 5:
            self.notes.append(note)


@dataclass
class Ran:
    code: int
    output: str
    max_rss_kb: int = 0
    timed_out: bool = False


# -- running kbsync ---------------------------------------------------------------------


def kbsync(root: Path, *args: str, url: str = "local", token: str = TOKEN,
           crash_dir: Path | None = None, timeout: float = 180) -> Ran:
    """``python -m kbsync -C root ARGS``, with its exit code, output and peak memory."""
    env = {**os.environ, "INITDESK_TOKEN": token, "INITDESK_RPM": "0",
           "INITDESK_ORG_ID": "1", "NO_COLOR": "1"}
    if url != "local":
        env["INITDESK_BASE_URL"] = url
    if crash_dir is not None:
        env["TMPDIR"] = str(crash_dir)
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen([sys.executable, "-m", "kbsync", "-C", str(root), *args],
                                   env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        timed_out = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                timed_out = True
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    return Ran(process.returncode, output, usage.ru_maxrss, timed_out)


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = {int(k) for k in task.read_text().split()}
            except OSError:
                continue
            todo.extend(kids - found)
            found |= kids
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def duplicates(app: EmulatorApp) -> int:
    _count, rows = app.store.list_articles(limit=100_000)
    return sum(n - 1 for n in Counter(a["slug"] for a in rows).values())


def token_slices(token: str, size: int = 6) -> set[str]:
    pieces = {token[i:i + size] for i in range(len(token) - size + 1)}
    for part in token.split():
        pieces |= {part[i:i + size] for i in range(len(part) - size + 1)}
    return {p for p in pieces if len(p) == size}


def leaked(token: str, *texts: str) -> bool:
    pieces = token_slices(token)
    return any(piece in text for text in texts for piece in pieces)


def files_text(*folders: Path) -> str:
    parts = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def write_kb(root: Path, articles: int, *, body_lines: int = 3) -> None:
    """A knowledge base of ``articles`` linking in a ring; the remote settings come from
    the environment each run sets (INITDESK_BASE_URL, INITDESK_ORG_ID)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "kbsync.toml").write_text("# the remote: INITDESK_BASE_URL and INITDESK_ORG_ID\n")
    for index in range(articles):
        folder = root / f"section-{index % 3}" / f"part-{index % 3}-{index % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        after = (index + 1) % articles
        link = f"[next](../../section-{after % 3}/part-{after % 3}-{after % 2}/a{after}.md)"
        body = "\n\n".join([f"Article {index}. See {link}."] + ["Some *text*."] * body_lines)
        (folder / f"a{index}.md").write_text(f"---\ntitle: Article {index}\n---\n\n{body}\n")


@contextmanager
def served(**config: object) -> Iterator[tuple[EmulatorApp, str]]:
    config.setdefault("token", TOKEN)
    app = create_app(EmulatorConfig(**config))  # type: ignore[arg-type]
    try:
        with running_server(app) as url:
            yield app, url
    finally:
        app.close()


def converge(root: Path, url: str, app: EmulatorApp, crash: Path,
             attempts: int = 8) -> tuple[bool, list[str]]:
    """apply until it succeeds; then, faults off, a plan with no changes."""
    outputs = []
    for _ in range(attempts):
        ran = kbsync(root, "apply", "--yes", url=url, crash_dir=crash)
        outputs.append(ran.output)
        if ran.code == 0:
            break
    app.set_faults(0.0)
    check = kbsync(root, "plan", "--detailed-exitcode", url=url, crash_dir=crash)
    outputs.append(check.output)
    return check.code == 0 and BUG not in "".join(outputs), outputs


def fresh_kb(root: Path, crash: Path, articles: int) -> tuple[Path, Path]:
    """A new knowledge base of ``articles`` at ``root``, and ``crash`` (made if missing),
    the TMPDIR its runs write crash logs to."""
    root.mkdir()
    crash.mkdir(exist_ok=True)
    write_kb(root, articles)
    return root, crash


# -- the five parts ------------------------------------------------------------------------


def faults_by_seed(work: Path, seeds: int, articles: int) -> Row:
    row = Row("faults x seeds")
    for seed in range(seeds):
        root, crash = fresh_kb(work / f"faults-{seed}", work / f"faults-{seed}-tmp", articles)
        with served(faults=0.25, seed=seed, fault_kinds=FAULTS, slow_seconds=0.02) as (app,
                                                                                      url):
            ok, outputs = converge(root, url, app, crash)
            dups = duplicates(app)
        leak = leaked(TOKEN, *outputs, files_text(root, crash))
        row.duplicates += dups
        row.leaks += leak
        row.crashes += any(BUG in output for output in outputs)
        row.record(ok and not dups and not leak, f"seed {seed}: {outputs[-1][-200:]}")
    return row


def kills(work: Path, count: int, articles: int, parse_articles: int) -> Row:
    row = Row("kills")
    rng = random.Random(20)
    for index in range(count):
        root, crash = fresh_kb(work / f"kill-{index}", work / f"kill-{index}-tmp", articles)
        with served(faults=0.1, seed=index, fault_kinds=FAULTS, slow_seconds=0.01) as (app,
                                                                                      url):
            env = {**os.environ, "INITDESK_BASE_URL": url, "INITDESK_ORG_ID": "1",
                   "INITDESK_TOKEN": TOKEN, "INITDESK_RPM": "0", "TMPDIR": str(crash)}
            first = subprocess.Popen([sys.executable, "-m", "kbsync", "-C", str(root), "apply",
                                      "--yes"], env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
            target = rng.randint(1, articles)
            deadline = time.monotonic() + 60
            while (first.poll() is None and time.monotonic() < deadline
                   and sum(r["method"] == "POST" for r in app.requests()) < target):
                time.sleep(0.002)
            children = descendants(first.pid)
            first.send_signal(signal.SIGKILL)
            first.wait()
            row.orphans += _survivors(children)
            ok, outputs = converge(root, url, app, crash)
            dups = duplicates(app)
        leak = leaked(TOKEN, *outputs, files_text(root, crash))
        row.duplicates += dups
        row.leaks += leak
        row.crashes += any(BUG in output for output in outputs)
        row.record(ok and not dups and not leak, f"kill {index} after {target} POSTs")
    parse_root = work / "kill-parse"
    parse_root.mkdir()
    (parse_root / "kbsync.toml").write_text('[remote]\nbase_url = "local"\n')
    write_kb(parse_root, parse_articles, body_lines=60)
    for index in range(max(2, count // 5)):
        how = signal.SIGKILL if index % 2 == 0 else signal.SIGTERM
        shutil.rmtree(parse_root / ".kbsync", ignore_errors=True)
        closed, survivors = _kill_while_parsing(parse_root, how, rng.uniform(0.05, 0.5))
        row.orphans += survivors
        row.record(closed and not survivors,
                   f"{how.name} while parsing: pipe closed {closed}, {survivors} survivors")
    return row


def _survivors(pids: set[int], grace: float = 5.0) -> int:
    deadline = time.monotonic() + grace
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in pids if alive(pid)]
    for pid in left:  # ours: end them, by pid
        os.kill(pid, signal.SIGKILL)
    return len(left)


def _kill_while_parsing(root: Path, how: signal.Signals, delay: float) -> tuple[bool, int]:
    run = subprocess.Popen([sys.executable, "-m", "kbsync", "-C", str(root), "validate"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while len(descendants(run.pid)) < 2 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(delay)
    children = descendants(run.pid)
    run.send_signal(how)
    eof = threading.Event()
    threading.Thread(target=lambda: (run.stdout.read(), eof.set()),  # type: ignore[union-attr]
                     daemon=True).start()
    closed = eof.wait(5)
    run.wait()
    return closed, _survivors(children)


def concurrent(work: Path, processes: int, articles: int) -> Row:
    row = Row("concurrent applies")
    root, crash = work / "concurrent", work / "concurrent-tmp"
    root.mkdir()
    crash.mkdir()
    write_kb(root, articles)
    with served(faults=1.0, fault_kinds=("slow",), slow_seconds=0.05) as (app, url):
        env = {**os.environ, "INITDESK_BASE_URL": url, "INITDESK_ORG_ID": "1",
               "INITDESK_TOKEN": TOKEN, "INITDESK_RPM": "0", "TMPDIR": str(crash)}
        runs = [subprocess.Popen([sys.executable, "-m", "kbsync", "-C", str(root), "apply",
                                  "--yes"], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
                for _ in range(processes)]
        outputs = [run.communicate(timeout=300)[0] for run in runs]
        app.set_faults(0.0)
        check = kbsync(root, "plan", "--detailed-exitcode", url=url, crash_dir=crash)
        dups = duplicates(app)
    refused = 0
    for run, output in zip(runs, outputs, strict=True):
        row.crashes += BUG in output
        refused += run.returncode == 1 and REFUSED in output
        ok = run.returncode == 0 or (run.returncode == 1 and REFUSED in output)
        row.record(ok and not dups and check.code == 0, output[-200:])
    row.duplicates += dups
    row.leaks += leaked(TOKEN, *outputs, files_text(root, crash))
    row.notes.insert(0, f"{refused} of {processes} refused at once, "
                        f"{processes - refused} ran; final plan exit {check.code}")
    return row


def token_hunt(work: Path, rounds: int) -> Row:
    row = Row("token hunt")
    shapes = {"clean": TOKEN, "newline": TOKEN + "\n", "CRLF": TOKEN + "\r\n",
              "padded": "  \t" + TOKEN + " \n", "inner newline": TOKEN[:8] + "\n" + TOKEN[8:],
              "inner CR": TOKEN[:8] + "\r" + TOKEN[8:], "inner tab": TOKEN[:8] + "\t" + TOKEN[8:],
              "inner space": TOKEN[:8] + " " + TOKEN[8:], "non-ASCII": TOKEN[:8] + "é" + TOKEN[8:],
              "control": TOKEN[:8] + "\x07" + TOKEN[8:], "wrong (401)": "Wr0ngT0kenValue99x"}
    for round_ in range(rounds):
        for name, token in shapes.items():
            root, crash = fresh_kb(work / f"hunt-{round_}-{len(row.notes)}-{row.cases}",
                                   work / "hunt-tmp", 6)
            commands = (["-v", "plan"], ["-v", "apply", "--yes"], ["-v", "pull"],
                        ["plan", "--format", "json", "--out", str(root / "saved.json")])
            with served(faults=0.2, seed=round_, fault_kinds=FAULTS, slow_seconds=0.01) as (
                    _app, url):
                outputs = [kbsync(root, *args, url=url, token=token, crash_dir=crash).output
                           for args in commands]
            leak = leaked(token, *outputs, files_text(root, crash))
            row.leaks += leak
            row.crashes += any(BUG in output for output in outputs)
            row.record(not leak and not any(BUG in o for o in outputs), f"{name}: leak {leak}")
    return row


# -- hostile tickets ---------------------------------------------------------------------------


def hostile_tickets() -> list[dict[str, object]]:
    """28 tickets whose text a customer (or a broken mail gateway) could have written:
    long, deep, control characters, markup of every kind, search syntax, odd Unicode."""
    texts: list[tuple[str, str, str]] = [  # subject, description, description_html
        ("Long ticket", "refund label " * 5_400, ""),  # 70,200 characters: past 65,536
        ("s" * 100_000, "A subject far past the contract's 255 characters.", ""),
        ("Deep HTML", "", "<div>" * 10_000 + "refund" + "</div>" * 10_000),
        ("Script", "", "<p>Hi</p><script>document.location='https://evil.example'</script>"),
        ("Links", "", '<a href="javascript:alert(1)">click</a> <img src=x onerror=alert(1)>'),
        ("\x1b]0;pwned\x07\x1b[2J\x1b[31mRed title", "ANSI \x1b[1;31mred\x1b[0m", ""),
        ("NUL\x00in\x00subject", "and \x00 in the body", ""),
        ("Bells\x07\x07\x07", "\x07" * 500, ""),
        ("Bidi \u202egnp.exe", "\u202eright to left override\u202c", ""),
        ("Isolates \u2066a\u2069 \u2067b\u2069 \u2068c\u2069", "", ""),
        ("Lone surrogate \ud800 here", "and \udfff there", ""),
        ("C1 \x85\x9b31m\x9d", "\x80\x8f\x90\x9f", ""),
        ("Forged line\r\nwarning: all articles deleted", "a\rb\r\nc", ""),
        ("| a | b |\n|---|---|", "</details></table><!-- ```", ""),
        ("@everyone see https://evil.example/x", "cc @org/team #123", ""),
        ("&lt;script&gt; &amp;amp; &#0; &#x1b;", "", "<p>&#27;[2J &#0; &#x202e;</p>"),
        ("   ", " \n\t ", "<p> </p>"),
        ("?!?!...", "!!!???", ""),
        ("how do I please thanks", "hi can you help me please", ""),
        ('NEAR("refund" "label") AND OR NOT * "', "refund* -label ^title:x", ""),
        ("'; DROP TABLE articles; --", "1' OR '1'='1", ""),
        ("Z\u0335\u0336" * 2_000, "\U0001F468\u200d\U0001F469\u200d\U0001F467" * 500, ""),
        ("استرداد المبلغ", "החזר כספי על תווית", ""),
        ("x" * 20_000, "", ""),
        ("%00%0a%1b%E2%80%AE", "%25%32%35", ""),
        ("\uffff\ufffe\ue000 non-characters", "\U0010ffff", ""),
        ('{"a": "\\u0000"} \\x1b \\', "C:\\Users\\x\\n", ""),
        ("Tab\tvertical\x0bform\x0cfeed\x1c\x1f", "\x7f delete", ""),
    ]
    return [{"id": 9000 + index, "public_id": 9000 + index, "subject": subject,
             "description": description, "description_html": html, "is_spam": False}
            for index, (subject, description, html) in enumerate(texts)]


# -- the hostile corpus ----------------------------------------------------------------------

Case = Callable[[Path, Path], None]  # (knowledge base, a folder outside it)


def corpus() -> dict[str, Case]:
    """60+ hostile knowledge bases, each one file or setting away from a valid one."""
    cases: dict[str, Case] = {}

    def article(name: str, text: str | bytes) -> Case:
        def make(root: Path, outside: Path) -> None:
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8",
                                                                             "surrogatepass"))
        return make

    def front(yaml_text: str, body: str = "Body.\n") -> Case:
        return article("g/hostile.md", f"---\n{yaml_text}\n---\n{body}")

    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        bomb.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    bomb_text = "\n".join(bomb) + "\nstatus: *i"
    yaml_cases = {
        "alias bomb": "title: T\n" + bomb_text,
        "self alias": "title: &t [*t]",
        "merge key bomb": "title: T\nbase: &b {x: 1}\nm: {<<: *b}\n" + bomb_text,
        "deep flow": "title: " + "[" * 5000 + "]" * 5000,
        "deep block": "title: T\nx:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 1500)),
        "huge int": "title: T\nposition: " + "9" * 5000,
        "big position": "title: T\nposition: 2147483648",
        "float position": "title: T\nposition: 1e308",
        "bool position": "title: T\nposition: true",
        "negative position": "title: T\nposition: -1",
        "invalid date": "title: T\npublished: 2024-02-30",
        "not a mapping": "- a\n- b",
        "scalar": "just text",
        "duplicate keys": "title: a\ntitle: b",
        "complex key": "? [a, b]\n: 1\ntitle: T",
        "python tag": "title: !!python/object/apply:os.system [id]",
        "binary tag": "title: !!binary aGVsbG8=",
        "unknown tag": "title: !custom x",
        "title list": "title: [a, b]",
        "title mapping": "title: {a: 1}",
        "title null": "title: null",
        "title 10k": "title: " + "t" * 10_000,
        "slug traversal": "title: T\nslug: ../../etc/passwd",
        "slug unicode": "title: T\nslug: ünïcödé",
        "slug 300": "title: T\nslug: " + "s" * 300,
        "slug escape": 'title: T\nslug: "a\\e[2Jb"',
        "status weird": "title: T\nstatus: [live]",
        "excerpt 100k": "title: T\nexcerpt: " + "e" * 100_000,
        "10k keys": "title: T\n" + "\n".join(f"k{i}: {i}" for i in range(10_000)),
        "tabs": "title:\tT\n\tslug: x",
        "NUL": "title: T\x00",
        "unclosed quote": "title: 'open",
    }
    for name, text in yaml_cases.items():
        cases[f"front matter: {name}"] = front(text)
    cases["front matter: not closed"] = article("g/hostile.md", "---\ntitle: T\nbody")
    cases["collection: alias bomb"] = article("g/_collection.yaml", bomb_text)
    cases["collection: a list"] = article("g/_collection.yaml", "- x")
    cases["portal: alias bomb"] = article("portal.yaml", bomb_text)
    cases["portal: python tag"] = article("portal.yaml", "name: !!python/name:os.system")
    cases["file: 2 MB"] = article("g/big.md", "# Big\n\n" + "word " * 420_000)
    cases["file: invalid UTF-8"] = article("g/bin.md", b"# T\n\xff\xfe\x00")
    cases["file: UTF-16"] = article("g/u16.md", "# T\n".encode("utf-16"))
    cases["file: empty"] = article("g/empty.md", "")
    cases["file: ANSI and newline in name"] = article("g/evil\x1b[2J\nname.md", "# Evil\n")
    cases["file: markup in name"] = article("x[/b].md", "# Markup\n")
    cases["file: Windows device name"] = article("g/CON.md", "# Con\n")
    cases["file: 250-byte name"] = article("g/" + "n" * 247 + ".md", "# Long\n")
    cases["file: NFC and NFD twins"] = lambda r, o: (article("g/café.md", "# A\n")(r, o),
                                                    article("g/cafe\u0301.md", "# B\n")(r, o))
    cases["file: 1,000 nested folders"] = article("/".join(["d"] * 100) + "/deep.md", "# D\n")
    cases["file: bidi override name"] = article("g/abc\u202etxt.md", "# Bidi\n")

    def link(name: str, target: Callable[[Path, Path], Path | str]) -> Case:
        def make(root: Path, outside: Path) -> None:
            (root / "g").mkdir(exist_ok=True)
            os.symlink(target(root, outside), root / "g" / name)
        return make

    cases["symlink: article outside"] = link("leak.md", lambda r, o: o / "secret.md")
    cases["symlink: collection file outside"] = link("_collection.yaml",
                                                     lambda r, o: o / "secret.md")
    cases["symlink: into .git"] = lambda r, o: ((r / ".git").mkdir(exist_ok=True),
                                                (r / ".git/config").write_text(SECRET),
                                                link("git.md", lambda r2, o2: r2 / ".git/config")(
                                                    r, o))
    cases["symlink: /dev/zero"] = link("zero.md", lambda r, o: "/dev/zero")
    cases["symlink: /dev/urandom"] = link("random.md", lambda r, o: "/dev/urandom")
    cases["symlink: folder outside"] = link("ext", lambda r, o: o)
    cases["symlink: folder loop"] = link("loop", lambda r, o: r)
    cases["symlink: dangling"] = link("gone.md", lambda r, o: r / "nowhere.md")
    cases["symlink: to itself"] = link("self.md", lambda r, o: r / "g" / "self.md")

    def fifo(name: str) -> Case:
        def make(root: Path, outside: Path) -> None:
            (root / "g").mkdir(exist_ok=True)
            os.mkfifo(root / "g" / name)
        return make

    def sock(name: str) -> Case:
        def make(root: Path, outside: Path) -> None:
            (root / "g").mkdir(exist_ok=True)
            server = socket.socket(socket.AF_UNIX)
            server.bind(str(root / "g" / name))
            server.close()
        return make

    cases["special: FIFO article"] = fifo("pipe.md")
    cases["special: FIFO collection file"] = fifo("_collection.yaml")
    cases["special: socket article"] = sock("sock.md")

    def body(markdown: str) -> Case:
        return article("g/body.md", "---\ntitle: Body\n---\n" + markdown)

    cases["body: 50k nested quotes"] = body(">" * 50_000 + " x\n")
    cases["body: 5k nested lists"] = body("".join("  " * i + "- x\n" for i in range(5_000)))
    cases["body: 500k brackets"] = body("[" * 500_000 + "\n")
    cases["body: emphasis storm"] = body("*a**" * 100_000 + "\n")
    cases["body: link out of root"] = body("[x](../../../etc/passwd)\n")
    cases["body: image through symlink out"] = lambda r, o: (
        link("img", lambda r2, o2: o2)(r, o), body("![x](img/secret.md)\n")(r, o))
    cases["body: NUL in link"] = body("[x](a%00b.md)\n")
    cases["body: placeholder scheme"] = body("[x](kbsync://article/g/x.md)\n")
    cases["body: 20k links"] = body("[a](body.md) " * 20_000 + "\n")
    cases["body: huge table"] = body("|a|b|\n|-|-|\n" + "|x|y|\n" * 50_000)
    cases["body: unclosed HTML comment"] = body("<!-- " + "x" * 100_000 + "\n")
    cases["body: conflict markers"] = body("<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n")

    def state(name: str, text: str) -> Case:
        return article(name, text)

    cases["state: lock articles a list"] = state("kbsync.lock",
                                                 '{"version": 1, "articles": [1, 2]}')
    cases["state: lock remote a string"] = state("kbsync.lock",
                                                 '{"version": 1, "remote": "str"}')
    cases["state: lock nested"] = state("kbsync.lock", "[" * 100_000)
    cases["state: toml remote a string"] = state("kbsync.toml", 'remote = "x"\n')
    cases["state: toml cap zero"] = state("kbsync.toml", '[remote]\nbase_url = "local"\n'
                                                         "[content]\nmax_article_bytes = 0\n")
    cases["state: ignore bad pattern"] = state(".kbsyncignore", "\\\n[z-a]\n")
    cases["state: cache nested"] = state(".kbsync/cache/parsed.json", "[" * 100_000)
    return cases


def valid_kb(root: Path) -> Path:
    """A knowledge base of one valid article on the embedded Help Center, at ``root``."""
    (root / "g").mkdir(parents=True)
    (root / "kbsync.toml").write_text('[remote]\nbase_url = "local"\n')
    (root / "g/ok.md").write_text("---\ntitle: Fine\n---\nA valid article.\n")
    return root


def hostile_corpus(work: Path, every: int = 1) -> Row:
    row = Row("hostile corpus")
    outside = work / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"---\ntitle: Secret\n---\n{SECRET}\n")
    peak = 0
    for index, (name, make) in enumerate(corpus().items()):
        if index % every:
            continue
        root = valid_kb(work / f"corpus-{index}")
        make(root, outside)
        ran = kbsync(root, "apply", "--yes", timeout=120)
        db = root / ".kbsync" / "local.db"
        published = db.read_bytes().decode("utf-8", "replace") if db.is_file() else ""
        leak = SECRET in ran.output or SECRET in published
        peak = max(peak, ran.max_rss_kb)
        ok = (not ran.timed_out and ran.code in (0, 1) and BUG not in ran.output
              and len(ran.output) < 200_000 and ran.max_rss_kb < 1_000_000 and not leak)
        row.leaks += leak
        row.crashes += BUG in ran.output
        row.record(ok, f"{name}: exit {ran.code}, {len(ran.output)} chars, "
                       f"{ran.max_rss_kb // 1024} MB{', timed out' if ran.timed_out else ''}"
                       f"{', LEAK' if leak else ''}: {ran.output[-160:]!r}")
    row.notes.insert(0, f"{row.cases} cases; peak memory of one run {peak // 1024} MB")
    return row


# -- kbsync's own files (issue 24) ---------------------------------------------------------

Own = tuple[Case, str, tuple[tuple[str, ...], ...]]  # make, what the refusal says, commands
APPLY_PULL: tuple[tuple[str, ...], ...] = (("apply", "--yes"), ("pull",))


def nest(parent: Path, levels: int) -> Path:
    """``levels`` folders inside each other under ``parent``, one at a time."""
    folder = parent
    for _ in range(levels):
        folder = folder / "d"
        os.mkdir(folder)
    return folder


def remove_tree(top: Path) -> None:
    """``shutil.rmtree`` without recursion (before Python 3.12 it recurses once a level)."""
    order, stack = [], [top]
    while stack:
        folder = stack.pop()
        order.append(folder)
        stack.extend(Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False))
    for folder in reversed(order):
        for entry in os.scandir(folder):
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        os.rmdir(folder)


def own_file_cases() -> dict[str, Own]:
    """Each file or folder kbsync keeps or looks for by name, broken as a hostile
    repository would break it; each must be refused in one line naming it."""
    def state_dir(root: Path) -> Path:
        (root / ".kbsync").mkdir(exist_ok=True)
        return root / ".kbsync"

    return {
        "run.lock a FIFO": (lambda r, o: os.mkfifo(state_dir(r) / "run.lock"),
                            ".kbsync/run.lock is a named pipe", APPLY_PULL),
        ".kbsync a file": (lambda r, o: (r / ".kbsync").write_text("x"),
                           ".kbsync is a file, not a folder", APPLY_PULL),
        ".kbsync a link out": (lambda r, o: os.symlink(o, r / ".kbsync"),
                               ".kbsync is a symbolic link to", APPLY_PULL),
        "kbsync.toml 50,000 deep": (
            lambda r, o: (r / "kbsync.toml").write_text(
                '[remote]\nbase_url = "local"\nx = ' + "[" * 50_000 + "]" * 50_000 + "\n"),
            "kbsync.toml: nested too deeply", APPLY_PULL),
        "local.db garbage": (lambda r, o: (state_dir(r) / "local.db").write_bytes(
            b"\x00garbage\xff" * 1000), "local.db cannot be opened as a database", APPLY_PULL),
        "local.db a folder": (lambda r, o: (state_dir(r) / "local.db").mkdir(),
                              "local.db is a folder", APPLY_PULL),
        ".kbsyncignore a FIFO": (lambda r, o: os.mkfifo(r / ".kbsyncignore"),
                                 ".kbsyncignore: is a named pipe", APPLY_PULL),
        ".kbsyncignore a folder": (lambda r, o: (r / ".kbsyncignore").mkdir(),
                                   ".kbsyncignore: is a folder", APPLY_PULL),
        ".kbsyncignore to /dev/null": (
            lambda r, o: os.symlink("/dev/null", r / ".kbsyncignore"),
            ".kbsyncignore: is a symbolic link to /dev/null", APPLY_PULL),
        "portal.yaml a FIFO": (lambda r, o: os.mkfifo(r / "portal.yaml"),
                               "portal.yaml: is a named pipe", APPLY_PULL),
        "portal.yaml to /dev/zero": (lambda r, o: os.symlink("/dev/zero", r / "portal.yaml"),
                                     "portal.yaml: is a symbolic link to /dev/zero",
                                     APPLY_PULL),
        "coverage.yaml a FIFO": (lambda r, o: os.mkfifo(r / "coverage.yaml"),
                                 "coverage.yaml: is a named pipe",
                                 (("apply", "--yes"), ("coverage", "--local"))),
        "tickets.json a FIFO": (lambda r, o: os.mkfifo(r / "tickets.json"),
                                "tickets.json is a named pipe",
                                (("apply", "--yes"), ("coverage", "--from-tickets"))),
        "1,000 nested folders": (lambda r, o: (nest(r / "g", 1_000) / "deep.md").write_text(
            "# Deep\n"), "folder nested more than", (*APPLY_PULL, ("watch", "--port", "0"))),
    }


def own_files(work: Path, every: int = 1) -> Row:
    row = Row("own files")
    outside = work / "outside"
    outside.mkdir()
    for index, (name, (make, said, commands)) in enumerate(own_file_cases().items()):
        if index % every:
            continue
        root = valid_kb(work / f"own-{index}")
        make(root, outside)
        for command in commands:
            ran = kbsync(root, *command, timeout=30)
            row.crashes += BUG in ran.output
            row.skips += ran.code == 0 or ran.timed_out  # carried on as if nothing were wrong
            ok = ran.code == 1 and said in ran.output and BUG not in ran.output
            row.record(ok, f"{name}: {' '.join(command)}: exit {ran.code}: "
                           f"{ran.output[-200:]!r}")
        if (root / "g/d").exists():
            remove_tree(root / "g/d")
    written = sorted(p.name for p in outside.iterdir())
    row.leaks += bool(written)  # a link out was written through
    row.notes.insert(0, f"written outside the knowledge base: {written or 'nothing'}")
    return row


# -- customers' tickets through every report (issue 24) ------------------------------------

#: What no report may hold raw: C0 (but the line break), DEL, C1, bidi, lone surrogates.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                         "\ud800-\udfff]")
FORMATS = {"text": "txt", "markdown": "md", "json": "json", "html": "html"}


def ticket_reports(work: Path, modes: Sequence[str] = ("remote", "local", "compare")) -> Row:
    """The 28 hostile tickets, a 1 MB one and one of control characters, through
    ``coverage --from-tickets`` in every format, against the embedded Help Center, the
    local tree and both; the report on standard output and in a file."""
    row = Row("hostile tickets")
    root = work / "tickets"
    write_kb(root, 12)
    (root / "kbsync.toml").write_text('[remote]\nbase_url = "local"\n')
    controls = "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F),
                                 *range(0x2066, 0x206A)]))
    tickets = [*hostile_tickets(),
               {"id": 1, "subject": "One megabyte", "description": "refund label " * 80_660},
               {"id": 2, "subject": "Controls " + controls, "description": controls * 50,
                "description_html": f"<p>{controls}</p>"}]
    (root / "tickets.json").write_text(json.dumps(tickets))
    assert kbsync(root, "apply", "--yes").code == 0
    reports = work / "reports"  # outside: a report.md in the tree would be an article
    reports.mkdir()
    for mode in [() if m == "remote" else (f"--{m}",) for m in modes]:
        for fmt, ext in FORMATS.items():
            out = reports / f"report{'-'.join(('', *mode))}.{ext}"
            ran = kbsync(root, "coverage", "--from-tickets", "--no-file", *mode,
                         "--format", fmt, "--out", str(out), timeout=120)
            printed = kbsync(root, "coverage", "--from-tickets", "--no-file", *mode,
                             "--format", fmt, timeout=120)
            written = out.read_bytes().decode("utf-8", "surrogateescape") if out.exists() else ""
            raw = [repr(c) for c in RAW_CONTROL.findall(written + ran.output + printed.output)]
            parsed = fmt != "json" or _is_json(written)
            crashed = BUG in ran.output or BUG in printed.output
            row.crashes += crashed
            ok = ran.code == printed.code == 0 and written and parsed and not raw and not crashed
            row.record(bool(ok), f"{fmt} {' '.join(mode) or 'remote'}: exit {ran.code}/"
                                 f"{printed.code}, raw {sorted(set(raw))[:5]}: "
                                 f"{ran.output[-160:]!r}")
    return row


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


# -- the preview (issue 24) -------------------------------------------------------------------

PRIVATE = ("kbsync.toml", "kbsync.lock", "portal.yaml", "coverage.yaml", "tickets.json",
           "README.md", ".kbsyncignore", ".git/config", ".kbsync/run.lock", ".env")
FORGED_HOSTS = ("evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}", "", None,
                "127.0.0.1", "127.0.0.1:1", "localhost", "localhost.evil.example:{port}",
                "127.0.0.1:{port}@evil.example", "0.0.0.0:{port}", "192.168.1.20:{port}")
PREVIEW_ROUTES = ("/", "/g/a", "/.kbsync/search?q=Article", "/.kbsync/events", "/g/shot.png")


def preview(work: Path) -> Row:
    """``kbsync watch`` on a knowledge base whose article links to every private file
    (and to an image-named link to the settings): none is served, and requests with a
    forged Host (DNS rebinding) are refused on every route, the event stream included."""
    row = Row("preview")
    root = work / "preview"
    write_kb(root, 3)
    (root / "kbsync.toml").write_text(f'[remote]\nbase_url = "local"\n# {SECRET}\n')
    for rel in PRIVATE[1:]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"# {SECRET}\n")
    (root / "g").mkdir()
    (root / "g/shot.png").write_bytes(b"PNG")
    os.symlink("../kbsync.toml", root / "g/cfg.png")
    links = " ".join(f"[{n}](../{rel})" for n, rel in enumerate(PRIVATE))
    (root / "g/a.md").write_text(f"# A\n\n{links} ![c](cfg.png) ![s](shot.png)\n")
    env = {**os.environ, "NO_COLOR": "1"}
    watch = subprocess.Popen([sys.executable, "-m", "kbsync", "-C", str(root), "watch",
                              "--port", "0"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        url = _preview_url(watch)
        port = int(url.rsplit(":", 1)[1])
        host = f"127.0.0.1:{port}"
        for rel in (*PRIVATE, "g/cfg.png"):
            status, body = _get(port, "/" + rel, host)
            row.leaks += SECRET in body
            row.record(status == 404 and SECRET not in body, f"/{rel}: {status}")
        for route in PREVIEW_ROUTES:
            row.record(_get(port, route, host)[0] == 200, f"{route} with Host {host}")
            for forged in FORGED_HOSTS:
                value = forged.format(port=port) if forged is not None else None
                status, body = _get(port, route, value)
                row.leaks += status == 200
                row.record(status == 421, f"{route} with Host {value!r}: {status}")
    finally:
        watch.send_signal(signal.SIGTERM)
        output = watch.communicate(timeout=30)[0]
    row.crashes += BUG in output
    return row


def _preview_url(watch: subprocess.Popen[str]) -> str:
    assert watch.stdout is not None
    for line in watch.stdout:
        if " on http://" in line:
            return line.split(" on ", 1)[1].split()[0]
    raise RuntimeError("the preview did not start")


def _get(port: int, path: str, host: str | None) -> tuple[int, str]:
    """GET with exactly this Host header (None: without one); status and body (an event
    stream: its first bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read1(65536) if response.status == 200 else response.read()
        return response.status, body.decode("utf-8", "replace")
    finally:
        conn.close()


# -- doctor against 'next' links paging refuses (issue 24) ------------------------------------


def doctor(work: Path) -> Row:
    row = Row("doctor")
    links: dict[str, Callable[[str], str]] = {
        "next to another host": lambda here: here.replace("127.0.0.1", "evil.example", 1),
        "next to another port": lambda here: re.sub(r":(\d+)/", lambda m: f":{int(m[1]) + 1}/",
                                                    here, count=1),
        "next to itself": lambda here: here,
    }
    for name, link in links.items():
        app = create_app(EmulatorConfig(token=TOKEN))
        app.store.create_article({"title": "Printer setup", "slug": "printer-setup",
                                  "status": "published"})
        try:
            with running_server(_next_links(app, link)) as url:
                ran = kbsync(work, "doctor", url=url)
        finally:
            app.close()
        row.crashes += BUG in ran.output
        row.skips += ran.code == 0
        row.record(ran.code == 1 and "'next' link" in ran.output and BUG not in ran.output,
                   f"{name}: exit {ran.code}: {ran.output[-200:]!r}")
    return row


def _next_links(app: EmulatorApp, link: Callable[[str], str]) -> Callable[..., list[bytes]]:
    """``app`` whose every page names ``link(this page's URL)`` as its next page."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        query = f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else ""
        here = f"http://{environ['HTTP_HOST']}{environ['PATH_INFO']}{query}"
        answer: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
            answer.update(status=status, headers=headers)

        body = b"".join(app(environ, keep))  # type: ignore[arg-type]
        headers = [(k, v) for k, v in answer["headers"] if k.lower() != "content-length"]
        if body.startswith(b"{") and b'"next"' in body:
            body = json.dumps({**json.loads(body), "next": link(here)}).encode()
        start_response(answer["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return middleware


# -- the table --------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    head = ("part", "cases", "passed", "failed", "duplicates", "leaks", "orphans", "crashes",
            "skips", "wall s")
    total = Row("total", sum(r.cases for r in rows), sum(r.passed for r in rows),
                sum(r.duplicates for r in rows), sum(r.leaks for r in rows),
                sum(r.orphans for r in rows), sum(r.crashes for r in rows),
                sum(r.skips for r in rows), sum(r.seconds for r in rows))
    lines = [head] + [(r.name, str(r.cases), str(r.passed), str(r.cases - r.passed),
                       str(r.duplicates), str(r.leaks), str(r.orphans), str(r.crashes),
                       str(r.skips), f"{r.seconds:.1f}")
                      for r in [*rows, total]]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                     for i, (cell, w) in enumerate(zip(line, widths, strict=True)))
           for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    out.insert(len(out) - 1, out[1])
    for row in rows:
        out += [f"  {row.name}: {note}" for note in row.notes]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=30, help="fault seeds (default 30)")
    parser.add_argument("--kills", type=int, default=20, help="random SIGKILLs (default 20)")
    parser.add_argument("--concurrent", type=int, default=14,
                        help="applies started at once (default 14)")
    parser.add_argument("--hunt-rounds", type=int, default=1,
                        help="rounds of the token hunt (11 token shapes each)")
    parser.add_argument("--articles", type=int, default=30, help="articles per knowledge base")
    parser.add_argument("--parse-articles", type=int, default=400,
                        help="articles parsed on workers in the kill-while-parsing runs")
    parser.add_argument("--corpus-every", type=int, default=1,
                        help="run every Nth case of the hostile corpus and of the own "
                             "files (default: all)")
    parser.add_argument("--ticket-modes", default="remote,local,compare",
                        help="coverage modes the hostile tickets go through")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["faults", "kills", "concurrent", "corpus", "hunt", "own",
                                 "tickets", "preview", "doctor"])
    args = parser.parse_args(argv)
    parts: list[tuple[str, Callable[[Path], Row]]] = [
        ("faults", lambda w: faults_by_seed(w, args.seeds, args.articles)),
        ("kills", lambda w: kills(w, args.kills, args.articles, args.parse_articles)),
        ("concurrent", lambda w: concurrent(w, args.concurrent, args.articles)),
        ("corpus", lambda w: hostile_corpus(w, args.corpus_every)),
        ("hunt", lambda w: token_hunt(w, args.hunt_rounds)),
        ("own", lambda w: own_files(w, args.corpus_every)),
        ("tickets", lambda w: ticket_reports(w, args.ticket_modes.split(","))),
        ("preview", preview),
        ("doctor", doctor),
    ]
    rows = []
    with tempfile.TemporaryDirectory(prefix="kbsync-reliability-") as tmp:
        for name, part in parts:
            if name in args.skip:
                continue
            work = Path(tmp) / name
            work.mkdir()
            started = time.perf_counter()
            row = part(work)
            row.seconds = time.perf_counter() - started
            rows.append(row)
            print(f"{row.name}: {row.passed}/{row.cases} passed in {row.seconds:.1f} s",
                  file=sys.stderr, flush=True)
    print(table(rows))
    print(json.dumps({r.name: {"cases": r.cases, "failed": r.cases - r.passed,
                               "duplicates": r.duplicates, "leaks": r.leaks,
                               "orphans": r.orphans, "crashes": r.crashes, "skips": r.skips}
                      for r in rows}))
    return rows


if __name__ == "__main__":
    main()
