"""An S3-compatible asset store through boto3 (the optional extra ``kbsync[s3]``).

Credentials come from the AWS chain boto3 reads (``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE`` and ``~/.aws``, SSO, instance roles); kbsync
never reads, holds or prints them. botocore's errors are translated here, at this one
boundary, into :class:`~kbsync.errors.AssetStoreError` naming the store and object; the
message is built from the error code and text only (never the request), and scrubbed of
the secret key and session token for good measure.

Objects are written with a year's ``Cache-Control: immutable``: a content-addressed
name never gets other bytes, so every cache may keep it for good. No ACL is sent (R2 and
buckets with ACLs disabled refuse one); the bucket's policy or the CDN in front makes
``public_url`` readable.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from kbsync.assets.store import StoreLocation
from kbsync.errors import AssetStoreError

__all__ = ["CACHE_CONTROL", "S3Store"]

CACHE_CONTROL = "public, max-age=31536000, immutable"
_SECRETS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


class S3Store:
    def __init__(self, where: StoreLocation, *, endpoint_url: str | None = None,
                 region: str | None = None, client: Any = None) -> None:
        self.where = where
        self.endpoint_url = endpoint_url
        self._client = client if client is not None else boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url, region_name=region,
            config=BotoConfig(retries={"max_attempts": 5, "mode": "standard"},
                              connect_timeout=10, read_timeout=60))

    @property
    def location(self) -> str:
        return str(self.where)

    def has(self, name: str) -> bool:
        try:
            self._client.head_object(Bucket=self.where.bucket, Key=self.where.key(name))
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise self._error("cannot check", name, exc) from None
        except (BotoCoreError, OSError) as exc:
            raise self._error("cannot check", name, exc) from None
        return True

    def put(self, name: str, data: bytes, content_type: str) -> None:
        try:
            self._client.put_object(Bucket=self.where.bucket, Key=self.where.key(name),
                                    Body=data, ContentType=content_type,
                                    CacheControl=CACHE_CONTROL)
        except (BotoCoreError, ClientError, OSError) as exc:
            raise self._error("cannot upload", name, exc) from None

    def _error(self, doing: str, name: str, exc: BaseException) -> AssetStoreError:
        where = f"{self.where}/{name}"
        if isinstance(exc, NoCredentialsError):
            return AssetStoreError(
                f"{doing} {where}: no AWS credentials found: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) for the store [assets] publish names")
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            said = f"{error.get('Code', '?')}: {error.get('Message') or 'no message'}"
            hint = _hint(_code(exc))
        else:
            said, hint = type(exc).__name__ + (f": {exc}" if str(exc) else ""), (
                f"is the store reachable{f' at {self.endpoint_url}' if self.endpoint_url else ''}?")
        return AssetStoreError(_scrub(f"{doing} {where}: the store said {said} ({hint})"))


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _hint(code: str) -> str:
    if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
        return "check the credentials and that they may write to this bucket"
    if code in ("NoSuchBucket",):
        return "check the bucket in [assets] publish, and endpoint_url for R2 or MinIO"
    return "nothing was published past this file; run apply again once the store answers"


def _scrub(text: str) -> str:
    for name in _SECRETS:
        value = os.environ.get(name, "").strip()
        if len(value) >= 4:
            text = text.replace(value, "****")
    return text
