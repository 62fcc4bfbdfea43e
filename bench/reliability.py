"""Reliability: the hostile-input attack of issue 8, repeated; prints one table.

Five parts, each a row of the table (cases, passed, failed, duplicates, leaks, orphans,
wall time); it asserts nothing. Every kbsync run is a real ``python -m kbsync``
subprocess against the emulator served on loopback (or the embedded one):

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
  ``-v``: no 6-character slice of the token in any output or file (a leak).

Run ``python bench/reliability.py`` (the attack as filed: 30 seeds, 20 kills, 14
concurrent applies) or smaller, e.g. ``--seeds 3 --kills 3 --concurrent 4``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

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


def hostile_corpus(work: Path, every: int = 1) -> Row:
    row = Row("hostile corpus")
    outside = work / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"---\ntitle: Secret\n---\n{SECRET}\n")
    peak = 0
    for index, (name, make) in enumerate(corpus().items()):
        if index % every:
            continue
        root = work / f"corpus-{index}"
        root.mkdir()
        (root / "kbsync.toml").write_text('[remote]\nbase_url = "local"\n')
        (root / "g").mkdir()
        (root / "g/ok.md").write_text("---\ntitle: Fine\n---\nA valid article.\n")
        make(root, outside)
        ran = kbsync(root, "apply", "--yes", timeout=120)
        db = root / ".kbsync" / "local.db"
        published = db.read_bytes().decode("utf-8", "replace") if db.is_file() else ""
        leak = SECRET in ran.output or SECRET in published
        peak = max(peak, ran.max_rss_kb)
        ok = (not ran.timed_out and ran.code in (0, 1) and BUG not in ran.output
              and len(ran.output) < 200_000 and ran.max_rss_kb < 1_000_000 and not leak)
        row.leaks += leak
        row.record(ok, f"{name}: exit {ran.code}, {len(ran.output)} chars, "
                       f"{ran.max_rss_kb // 1024} MB{', timed out' if ran.timed_out else ''}"
                       f"{', LEAK' if leak else ''}: {ran.output[-160:]!r}")
    row.notes.insert(0, f"{row.cases} cases; peak memory of one run {peak // 1024} MB")
    return row


# -- the table --------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    head = ("part", "cases", "passed", "failed", "duplicates", "leaks", "orphans", "wall s")
    lines = [head] + [(r.name, str(r.cases), str(r.passed), str(r.cases - r.passed),
                       str(r.duplicates), str(r.leaks), str(r.orphans), f"{r.seconds:.1f}")
                      for r in rows]
    total = Row("total", sum(r.cases for r in rows), sum(r.passed for r in rows),
                sum(r.duplicates for r in rows), sum(r.leaks for r in rows),
                sum(r.orphans for r in rows), sum(r.seconds for r in rows))
    lines.append((total.name, str(total.cases), str(total.passed),
                  str(total.cases - total.passed), str(total.duplicates), str(total.leaks),
                  str(total.orphans), f"{total.seconds:.1f}"))
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
                        help="run every Nth case of the hostile corpus (default: all)")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["faults", "kills", "concurrent", "corpus", "hunt"])
    args = parser.parse_args(argv)
    parts: list[tuple[str, Callable[[Path], Row]]] = [
        ("faults", lambda w: faults_by_seed(w, args.seeds, args.articles)),
        ("kills", lambda w: kills(w, args.kills, args.articles, args.parse_articles)),
        ("concurrent", lambda w: concurrent(w, args.concurrent, args.articles)),
        ("corpus", lambda w: hostile_corpus(w, args.corpus_every)),
        ("hunt", lambda w: token_hunt(w, args.hunt_rounds)),
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
                               "orphans": r.orphans} for r in rows}))
    return rows


if __name__ == "__main__":
    main()
