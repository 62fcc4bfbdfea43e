"""The S3 store against a real S3-compatible server on 127.0.0.1 (moto's server mode)."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from kbsync.assets.s3 import CACHE_CONTROL, S3Store
from kbsync.assets.store import open_store, parse_location
from kbsync.errors import AssetStoreError, ConfigError
from tests.s3_server import SECRET_KEY, S3Server


def test_put_then_has_and_readers_get_the_bytes(s3_env: S3Server) -> None:
    bucket = s3_env.new_bucket("put-then-has")
    store = open_store(f"s3://{bucket}/kb")
    assert not store.has("a.0123456789abcdef.png")
    store.put("a.0123456789abcdef.png", b"\x89PNG bytes", "image/png")
    assert store.has("a.0123456789abcdef.png")
    got = httpx.get(f"{s3_env.url}/{bucket}/kb/a.0123456789abcdef.png")
    assert (got.status_code, got.content, got.headers["content-type"],
            got.headers["cache-control"]) == (200, b"\x89PNG bytes", "image/png", CACHE_CONTROL)


def test_has_is_one_head_and_put_one_put(s3_env: S3Server) -> None:
    bucket = s3_env.new_bucket("counted")
    store = open_store(f"s3://{bucket}")
    heads, puts = s3_env.count("HEAD", bucket), s3_env.count("PUT", bucket)
    store.has("x.png")
    store.put("x.png", b"x", "image/png")
    assert (s3_env.count("HEAD", bucket) - heads, s3_env.count("PUT", bucket) - puts) == (1, 1)


def test_a_missing_bucket_names_the_store_and_what_to_check(s3_env: S3Server) -> None:
    store = open_store("s3://no-such-bucket/kb")
    with pytest.raises(AssetStoreError) as caught:
        store.put("a.png", b"x", "image/png")
    assert str(caught.value).startswith("cannot upload s3://no-such-bucket/kb/a.png: the "
                                        "store said NoSuchBucket")
    assert "check the bucket in [assets] publish" in str(caught.value)
    assert SECRET_KEY not in str(caught.value)


def test_an_unreachable_store_is_one_error_naming_it(s3_env: S3Server) -> None:
    store = S3Store(parse_location("s3://b"), endpoint_url="http://127.0.0.1:9")
    with pytest.raises(AssetStoreError, match=r"^cannot check s3://b/a.png: .*reachable at "
                       r"http://127.0.0.1:9\?"):
        store.has("a.png")


def test_a_location_that_is_not_s3_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"assets\.publish: must be an s3:// URL"):
        open_store("gs://bucket")


def test_without_boto3_opening_a_store_says_what_to_install() -> None:
    probe = ("import sys; sys.modules['boto3'] = None\n"  # as if never installed
             "from kbsync.assets.store import open_store\n"
             "try:\n    open_store('s3://b/kb').has('a.png')\n"
             "except Exception as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == ('[assets] publish = "s3://b/kb" needs boto3, which the core '
                                   "install leaves out: pip install 'kbsync[s3]'")
