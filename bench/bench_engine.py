"""Benchmark: validate, plan and apply a generated knowledge base against the emulator.

Prints a table of wall time, CPU time (this process and its worker processes: the figure
to compare on a busy machine), requests sent and peak memory; asserts nothing. Run:

    python bench/bench_engine.py                 # 2,000 articles in 40 collections
    python bench/bench_engine.py --articles 500  # smaller

The emulator runs in-process (httpx.WSGITransport) on a SQLite file, unthrottled, as
the embedded ``base_url = "local"`` remote does.
"""

from __future__ import annotations

import argparse
import io
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from corpus import article_path, generate  # bench/ is the script's folder

from kbsync.commands import apply as apply_command
from kbsync.commands import init as init_command
from kbsync.commands import plan as plan_command
from kbsync.commands import pull as pull_command
from kbsync.config import Config, Secret, load_config
from kbsync.console import Console
from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.frontend import open_workspace
from kbsync.remote.client import HelpCenterClient

TOKEN = "bench-token"


class Bench:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.app = create_app(EmulatorConfig(db=str(root / ".kbsync" / "bench.db"),
                                             token=TOKEN))
        self.requests = 0

    def config(self) -> Config:
        return load_config(self.root, environ={
            "INITDESK_TOKEN": TOKEN, "INITDESK_BASE_URL": "http://bench.invalid",
            "INITDESK_ORG_ID": "1", "INITDESK_RPM": "0"})

    @contextmanager
    def connect(self, config: Config) -> Iterator[HelpCenterClient]:
        transport = httpx.WSGITransport(app=self.app)
        with httpx.Client(transport=transport, base_url="http://bench.invalid") as http:
            client = HelpCenterClient(http, organization_id=1, token=Secret(TOKEN),
                                      requests_per_minute=0)
            yield client
            self.requests = client.request_count

    def init(self, target: Path) -> tuple[str, str, int]:
        """``init --from-remote`` of the whole Help Center into the empty ``target``."""
        config = load_config(target, environ={
            "INITDESK_TOKEN": TOKEN, "INITDESK_BASE_URL": "http://bench.invalid",
            "INITDESK_ORG_ID": "1", "INITDESK_RPM": "0"})
        console = Console(color=False, stdout=io.StringIO(), stderr=io.StringIO())
        with timed() as took:
            code = init_command.run(config, console, connect=self.connect)
        assert code == 0, console
        return *took, self.requests

    def run(self, command: Callable[..., int], **kwargs: object) -> tuple[str, str, int]:
        console = Console(color=False, stdout=io.StringIO(), stderr=io.StringIO())
        with timed() as took:
            code = command(self.config(), console, connect=self.connect, **kwargs)
        assert code in (0, 2), console
        return *took, self.requests


def cpu_seconds() -> float:
    """User + system time of this process and of its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def timed() -> Iterator[list[str]]:
    """Yields a list that holds ``[wall, cpu]`` (formatted) once the block is done."""
    took: list[str] = []
    wall, cpu = time.perf_counter(), cpu_seconds()
    yield took
    took += [f"{time.perf_counter() - wall:.2f} s", f"{cpu_seconds() - cpu:.2f} s"]


def edit(root: Path, count: int) -> None:
    for index in range(count):
        path = root / article_path(index * 7)
        path.write_text(path.read_text() + "\nEdited for the benchmark.\n")


def remote_edit(bench: Bench, count: int) -> None:
    """Edit ``count`` articles as the initdesk web UI would (through the API)."""
    with bench.connect(bench.config()) as client:
        by_title = {a.fields.title: a for a in client.list_articles()}
        for index in range(count):
            article = by_title[f"Article {index * 11}"]
            client.patch_article(article.id, {
                "content_html": article.fields.content_html + "<p>Edited in initdesk.</p>",
                "content": article.fields.content + "\n\nEdited in initdesk."})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"  # init imports beside it: never inside a knowledge base
        root.mkdir()
        generate(root, args.articles)
        bench = Bench(root)
        with timed() as took:
            local = open_workspace(bench.config()).local()
        rows.append((f"validate {len(local.tree.articles)} articles, "
                     f"{len(local.tree.collections)} collections (cold)", *took, "0"))
        with timed() as took:
            open_workspace(bench.config()).local()
        rows.append(("validate again (parse cache warm)", *took, "0"))
        wall, cpu, requests = bench.run(plan_command.run)
        rows.append(("first plan", wall, cpu, str(requests)))
        wall, cpu, requests = bench.run(apply_command.run, yes=True)
        rows.append(("first apply (plan + apply)", wall, cpu, str(requests)))
        wall, cpu, requests = bench.run(plan_command.run, detailed_exitcode=True)
        rows.append(("no-op plan", wall, cpu, str(requests)))
        edit(root, args.edits)
        wall, cpu, requests = bench.run(plan_command.run)
        rows.append((f"plan after editing {args.edits} articles", wall, cpu, str(requests)))
        wall, cpu, requests = bench.run(apply_command.run, yes=True)
        rows.append((f"apply after editing {args.edits} articles", wall, cpu, str(requests)))
        remote_edit(bench, args.edits)
        wall, cpu, requests = bench.run(pull_command.run)
        written = sum(1 for i in range(args.edits)
                      if "Edited in initdesk" in (root / article_path(i * 11)).read_text())
        rows.append((f"pull after {args.edits} remote edits ({written} files written)",
                     wall, cpu, str(requests)))
        wall, cpu, requests = bench.init(Path(tmp) / "imported")
        per = float(wall.split()[0]) / args.articles * 1000
        rows.append((f"init --from-remote ({per:.1f} ms an article)", wall, cpu,
                     str(requests)))
        bench.app.close()
    print_table(rows)


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    """The rows (step, wall, cpu, requests), then the peak memory of the whole run."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [*rows, ("peak memory (max RSS of the whole run)", f"{rss:.0f} MiB", "", "")]
    print(f"{'step':<46} {'wall':>10} {'cpu':>10} {'requests':>10}")
    for step, wall, cpu, requests_text in rows:
        print(f"{step:<46} {wall:>10} {cpu:>10} {requests_text:>10}")


if __name__ == "__main__":
    main()
