"""A real S3-compatible server on 127.0.0.1 for the asset store's tests: moto's server
mode (the WSGI app ``moto_server`` runs), served by werkzeug in a thread the test
session starts, behind a small WSGI layer of ours that records every request, so tests
count uploads and HEADs on the server's side (deterministic, never timed).

The server takes any credentials (moto checks none) and serves objects without them,
as a public bucket or a CDN would; the tests hand kbsync made-up keys through the
standard AWS variables, and the hunt for secrets looks for those keys in all output.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

#: Credentials the tests give kbsync (the AWS chain reads them from the environment).
ACCESS_KEY = "AKIAKBSYNCTESTKEY01"
SECRET_KEY = "wJalrXUtnFEMIzK7MDENGbPxRfiCYzQ8sT3vL0q"
REGION = "us-east-1"


@dataclass
class S3Server:
    url: str
    log: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, method: str, path: str) -> None:
        with self._lock:
            self.log.append((method, path))

    def count(self, method: str, bucket: str | None = None) -> int:
        """Requests of ``method`` so far (to objects of ``bucket`` when given)."""
        with self._lock:
            return sum(1 for m, p in self.log if m == method
                       and (bucket is None or p.startswith(f"/{bucket}/")))

    def env(self) -> dict[str, str]:
        """The AWS chain's variables pointing boto3 (and kbsync) at this server."""
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL_S3": self.url,
                "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                "AWS_EC2_METADATA_DISABLED": "true"}

    def client(self) -> Any:
        return boto3.session.Session(
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            region_name=REGION).client("s3", endpoint_url=self.url)

    def new_bucket(self, name: str) -> str:
        """A bucket whose objects anyone may read, as one behind ``public_url`` is."""
        client = self.client()
        client.create_bucket(Bucket=name)
        client.put_bucket_policy(Bucket=name, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*"}]}))
        return name


def _recording(app: Callable[..., Iterable[bytes]], server: S3Server
               ) -> Callable[..., Iterable[bytes]]:
    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        server.record(environ["REQUEST_METHOD"], unquote(environ.get("PATH_INFO", "")))
        return app(environ, start_response)

    return wsgi


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    app = DomainDispatcherApplication(create_backend_app)
    server = S3Server("")
    httpd = make_server("127.0.0.1", 0, _recording(app, server), threaded=True)
    server.url = f"http://127.0.0.1:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def s3_env(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    """The server's variables set for this test (in-process kbsync reads them)."""
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    return s3_server
