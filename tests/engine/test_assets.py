"""Images published once per content, through the CLI, against the emulator over HTTP and
a real S3-compatible server (moto's, on 127.0.0.1), with requests counted on the server.

The example knowledge base ships three small PNGs used by three articles.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from kbsync.cli import run
from kbsync.emulator.app import EmulatorApp, EmulatorConfig, create_app
from kbsync.emulator.server import running_server
from tests.s3_server import S3Server

EXAMPLE = Path(__file__).resolve().parents[2] / "example-kb"
IMAGES = sorted(p.name for p in (EXAMPLE / "images").iterdir())
TOKEN = "tok-assets-5ecret-4d3c2b"
_BUCKETS = itertools.count()


@dataclass
class Published:
    root: Path
    app: EmulatorApp
    s3: S3Server
    bucket: str
    url: str  # the emulator's

    @property
    def public_url(self) -> str:
        return f"{self.s3.url}/{self.bucket}/kb"

    def kbsync(self, *args: str) -> int:
        return run(["-C", str(self.root), *args])

    def store_requests(self) -> int:
        return sum(1 for _, path in self.s3.log if path.startswith(f"/{self.bucket}"))

    def articles(self) -> list[dict[str, Any]]:
        got = httpx.get(f"{self.url}/organizations/1/portal/articles/?page_size=100",
                        headers={"X-Initdesk-Token": TOKEN})
        return list(got.json()["results"])

    def article(self, slug: str) -> dict[str, Any]:
        return next(a for a in self.articles() if a["slug"] == slug)


@pytest.fixture
def published(tmp_path: Path, s3_env: S3Server,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[Published]:
    bucket = s3_env.new_bucket(f"example-{next(_BUCKETS)}")
    root = tmp_path / "kb"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".kbsync", "kbsync.lock"))
    (root / "kbsync.toml").write_text(
        '[content]\nextra_keys = ["owner", "reviewed"]\n[assets]\n'
        f'publish = "s3://{bucket}/kb"\npublic_url = "{s3_env.url}/{bucket}/kb"\n')
    app = create_app(EmulatorConfig(token=TOKEN, org_id=1))
    with running_server(app) as url:
        for name, value in {"INITDESK_BASE_URL": url, "INITDESK_ORG_ID": "1",
                            "INITDESK_TOKEN": TOKEN, "INITDESK_RPM": "0"}.items():
            monkeypatch.setenv(name, value)
        yield Published(root, app, s3_env, bucket, url)
    app.close()


def _img_sources(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', html)


def test_the_plan_shows_each_image_to_upload(published: Published,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert published.kbsync("plan") == 0
    out = capsys.readouterr().out
    assert "  + asset      images/buy-label-button.png" in out
    assert re.search(r"\+ asset +images/invoice\.png +\(172 bytes\)", out)
    assert "Plan: 3 to upload, 44 to create, 1 to update." in out


def test_the_first_apply_uploads_each_image_once_and_the_second_nothing(
        published: Published) -> None:
    assert published.kbsync("apply", "--yes") == 0
    puts = [path for method, path in published.s3.log if method == "PUT"
            and path.startswith(f"/{published.bucket}/kb/")]
    assert sorted(re.sub(r"\.[0-9a-f]{16}\.", ".", p.rsplit("/", 1)[1]) for p in puts) == IMAGES
    before = published.store_requests()
    assert published.kbsync("apply", "--yes") == 0
    assert published.kbsync("plan", "--detailed-exitcode") == 0
    assert published.store_requests() == before  # the lock knew every name: no request


def test_the_help_center_shows_only_public_urls_the_store_serves(
        published: Published) -> None:
    assert published.kbsync("apply", "--yes") == 0
    sources = [src for a in published.articles() for src in _img_sources(a["content_html"])]
    assert len(sources) == 3
    for src in sources:
        assert src.startswith(published.public_url + "/images/")
        got = httpx.get(src)
        local = re.sub(r"\.[0-9a-f]{16}\.png$", ".png", src[len(published.public_url) + 1:])
        assert (got.status_code, got.content) == (200, (published.root / local).read_bytes())


def test_replacing_an_image_uploads_one_object_and_changes_the_url(
        published: Published) -> None:
    assert published.kbsync("apply", "--yes") == 0
    old = _img_sources(published.article("invoices-vat-and-receipts")["content_html"])
    puts = published.s3.count("PUT", published.bucket)
    (published.root / "images/invoice.png").write_bytes(
        (published.root / "images/label-on-parcel.png").read_bytes())
    assert published.kbsync("apply", "--yes") == 0
    new = _img_sources(published.article("invoices-vat-and-receipts")["content_html"])
    assert published.s3.count("PUT", published.bucket) - puts == 1
    assert len(new) == 1 and new != old and httpx.get(new[0]).status_code == 200


def test_a_failed_upload_creates_no_article(published: Published,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    toml = published.root / "kbsync.toml"
    toml.write_text(toml.read_text().replace(f"s3://{published.bucket}/", "s3://no-bucket/"))
    assert published.kbsync("apply", "--yes") == 1
    assert "apply stopped at create asset images/buy-label-button.png: cannot upload " \
           "s3://no-bucket/kb/images/buy-label-button." in capsys.readouterr().err
    assert published.articles() == []
    assert not any(r["method"] in ("POST", "PATCH", "PUT") for r in published.app.requests())


def test_pull_writes_the_local_path_back(published: Published) -> None:
    assert published.kbsync("apply", "--yes") == 0
    article = published.article("invoices-vat-and-receipts")
    edited = article["content_html"].replace("<h2", "<p>Edited in initdesk.</p>\n<h2", 1)
    httpx.patch(f"{published.url}/organizations/1/portal/articles/{article['id']}/",
                json={"content_html": edited}, headers={"X-Initdesk-Token": TOKEN})
    assert published.kbsync("pull") == 0
    text = (published.root / "billing/invoices-and-vat.md").read_text()
    assert "Edited in initdesk." in text
    assert "](../images/invoice.png){.screenshot}" in text and published.s3.url not in text


def test_init_from_remote_brings_the_published_images_home(
        published: Published, tmp_path: Path) -> None:
    assert published.kbsync("apply", "--yes") == 0
    target = tmp_path / "imported"
    assert run(["init", "--from-remote", "--publish", f"s3://{published.bucket}/kb",
                "--public-url", published.public_url, str(target)]) == 0
    for name in IMAGES:
        assert (target / "images" / name).read_bytes() == \
            (published.root / "images" / name).read_bytes()
    assert "](../images/invoice.png){.screenshot}" in \
        (target / "03-billing/invoices-vat-and-receipts.md").read_text()
    before = published.store_requests()
    assert run(["-C", str(target), "plan", "--detailed-exitcode"]) == 0
    assert published.store_requests() == before  # the lock knows them: no request


def test_init_takes_assets_options_only_with_from_remote(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["init", "--publish", "s3://b/kb", str(tmp_path / "new")]) == 64
    assert run(["init", "--from-remote", "--org", "1", "--publish", "s3://b/kb",
                str(tmp_path / "new")]) == 64
    assert "Usage error: command line: assets.publish: needs public_url: the address " \
        "readers load the published files from" in capsys.readouterr().err.splitlines()[1]


def test_a_saved_plan_uploads_what_it_planned_and_refuses_a_file_changed_since(
        published: Published, capsys: pytest.CaptureFixture[str]) -> None:
    saved = str(published.root / "saved.json")
    assert published.kbsync("plan", "--out", saved) == 0
    assert published.kbsync("apply", saved) == 0
    assert published.s3.count("PUT", published.bucket) == 3
    image = published.root / "images/invoice.png"
    image.write_bytes(image.read_bytes() + b"\0")
    assert published.kbsync("plan", "--out", saved) == 0
    image.write_bytes(image.read_bytes() + b"\0")
    assert published.kbsync("apply", saved) == 1
    assert "images/invoice.png: changed since it was planned (another SHA-256): not " \
           "uploaded; run `kbsync plan` again" in capsys.readouterr().err
    assert published.s3.count("PUT", published.bucket) == 3
