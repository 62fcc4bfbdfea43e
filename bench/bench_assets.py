"""Benchmark: publishing images to an S3-compatible store, against the emulator and
moto's S3 server on 127.0.0.1 (the test extras' ``moto[server]``).

The shape of the migrated help center the issue measured: 414 articles showing 900
screenshots of 200 KB each. A first apply uploads each once; a no-op plan hashes every
image and asks the store nothing (the lock knows every name); replacing one screenshot
is one upload and one article update. Prints wall time, CPU time, Help Center requests,
store requests and peak memory; asserts nothing. Run:

    python bench/bench_assets.py                     # 414 articles, 900 images of 200 KB
    python bench/bench_assets.py --images 200 --kb 50
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import threading
from pathlib import Path

import boto3
from bench_engine import Bench, print_table  # bench/ is the script's folder
from corpus import generate
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

from kbsync.commands import apply as apply_command
from kbsync.commands import plan as plan_command

BUCKET = "bench-assets"


class Store:
    """moto's S3 on a free loopback port, counting the requests it gets."""

    def __init__(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
        self.requests = 0

        def counting(environ, start_response):  # type: ignore[no-untyped-def]
            self.requests += 1
            return app(environ, start_response)

        self.server = make_server("127.0.0.1", 0, counting, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                            "AWS_DEFAULT_REGION": "us-east-1",
                            "AWS_ENDPOINT_URL_S3": self.url}.items():
            os.environ[name] = value
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))
        self.requests = 0


def add_images(root: Path, count: int, size: int) -> list[Path]:
    """``count`` PNG-named files of ``size`` random bytes, shown by the articles in turn."""
    articles = sorted(root.glob("**/article-*.md"))
    (root / "images").mkdir()
    images = []
    for index in range(count):
        image = root / "images" / f"shot-{index:04d}.png"
        image.write_bytes(b"\x89PNG" + os.urandom(size - 4))
        article = articles[index % len(articles)]
        depth = len(article.relative_to(root).parts) - 1
        with article.open("a") as out:
            out.write(f"\n![Screenshot {index}]({'../' * depth}images/{image.name})\n")
        images.append(image)
    return images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=414)
    parser.add_argument("--images", type=int, default=900)
    parser.add_argument("--kb", type=int, default=200, help="KB per image")
    args = parser.parse_args()
    store = Store()
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.articles)
        images = add_images(root, args.images, args.kb * 1000)
        (root / "kbsync.toml").write_text(
            (root / "kbsync.toml").read_text() + f'\n[assets]\npublish = "s3://{BUCKET}/kb"\n'
            f'public_url = "{store.url}/{BUCKET}/kb"\n')
        bench = Bench(root)

        def step(label: str, command: object, **kwargs: object) -> None:
            before = store.requests
            wall, cpu, requests = bench.run(command, **kwargs)  # type: ignore[arg-type]
            rows.append((label, wall, cpu, f"{requests} / {store.requests - before}"))

        step(f"first apply: {args.articles} articles, {args.images} images",
             apply_command.run, yes=True)
        step("no-op plan (every image hashed)", plan_command.run, detailed_exitcode=True)
        images[0].write_bytes(b"\x89PNG" + os.urandom(args.kb * 1000 - 4))
        step("apply: one screenshot replaced", apply_command.run, yes=True)
    print("requests: Help Center / store")
    print_table(rows)


if __name__ == "__main__":
    main()
