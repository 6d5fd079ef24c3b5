"""The file store of the scale-out configuration: objects in an S3-compatible bucket (ILMA_FILES=s3://bucket/prefix,
ILMA_S3_ENDPOINT), under the same generated names as the folder store, so that every replica reads what any of them
wrote. An object becomes visible only once it is written whole, so a row that points to it never points to part of
one; downloads go out as links that expire, signed after the permission check.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlparse

from lib.errors import Refused

STORED_NAME = re.compile(r"[0-9a-f]{2}/[0-9a-f]{40}")
LINK_SECONDS = 300


class ObjectStoreProblem(Refused):
    """The bucket named in the settings cannot be used; the message says why."""


@dataclass(frozen=True)
class BucketAddress:
    bucket: str
    prefix: str


def parse_files_url(url: str) -> BucketAddress:
    """s3://bucket/prefix as its bucket and key prefix (no leading or trailing slash)."""
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ObjectStoreProblem(f"ILMA_FILES={url!r} is not a bucket address: use s3://bucket/prefix.")
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", parsed.netloc):
        raise ObjectStoreProblem(f"{parsed.netloc!r} is not a valid bucket name (3 to 63 lower-case letters, digits, "
                                 "dots and hyphens).")
    return BucketAddress(parsed.netloc, parsed.path.strip("/"))


class ObjectStore:
    """Uploaded files as objects in a bucket, with the folder store's interface (put, read, discard)."""

    def __init__(self, client, address: BucketAddress):
        self.client = client
        self.bucket = address.bucket
        self.prefix = address.prefix

    @classmethod
    def connect(cls, url: str, endpoint: str | None = None, region: str | None = None) -> ObjectStore:
        """The store at url; credentials come from the environment as for any S3 client (AWS_ACCESS_KEY_ID and
        AWS_SECRET_ACCESS_KEY, or a profile)."""
        import boto3
        from botocore.config import Config

        address = parse_files_url(url)
        try:
            # A session of its own reads the credentials now (boto3's default session keeps the first it found).
            client = boto3.session.Session().client(
                "s3", endpoint_url=endpoint or None, region_name=region or "us-east-1",
                config=Config(signature_version="s3v4", retries={"max_attempts": 3}, s3={"addressing_style": "path"}))
        except ValueError as error:  # botocore's words for an endpoint that is not a URL
            raise ObjectStoreProblem(f"ILMA_S3_ENDPOINT={endpoint!r} is not an address the app can use ({error}): "
                                     "give it in full, for example http://127.0.0.1:8333.") from None
        return cls(client, address)

    def key(self, stored_name: str) -> str:
        if not STORED_NAME.fullmatch(stored_name):
            raise ValueError(f"not a stored file name: {stored_name!r}")
        return f"{self.prefix}/{stored_name}" if self.prefix else stored_name

    def put(self, data: bytes) -> str:
        """Store the bytes under a new generated name (the object appears only when whole); return the name."""
        token = secrets.token_hex(20)
        stored_name = f"{token[:2]}/{token}"
        self.client.put_object(Bucket=self.bucket, Key=self.key(stored_name), Body=data)
        return stored_name

    def put_named(self, stored_name: str, data: bytes) -> None:
        """Store an object under a name given (moving a store keeps the names its rows point to)."""
        self.client.put_object(Bucket=self.bucket, Key=self.key(stored_name), Body=data)

    def read(self, stored_name: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(stored_name))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(f"no stored file {stored_name}") from None

    def discard(self, stored_names: list[str]) -> None:
        """Remove objects whose rows never committed, so a failed upload leaves nothing behind."""
        keys = [{"Key": self.key(name)} for name in stored_names]
        for start in range(0, len(keys), 1000):  # the API takes at most 1,000 keys a call
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys[start:start + 1000], "Quiet": True})

    def link(self, stored_name: str, file_name: str, seconds: int = LINK_SECONDS) -> str:
        """A download link for one stored file that works for `seconds` and saves it under file_name. Issue it
        only after the permission check: whoever holds the link can use it until it expires."""
        disposition = f"attachment; filename*=UTF-8''{quote(file_name, safe='')}"
        return self.client.generate_presigned_url(
            "get_object", ExpiresIn=seconds,
            Params={"Bucket": self.bucket, "Key": self.key(stored_name), "ResponseContentDisposition": disposition})

    def key_for(self, path: str) -> str:
        """The bucket key of a path under the store's prefix (for what is not a stored file: the quarantine)."""
        return f"{self.prefix}/{path}" if self.prefix else path

    def quarantine(self, stored_name: str, folder: str) -> None:
        """Move an object no row points to under folder (copied, then removed): kept for a person to look at."""
        source = self.key(stored_name)
        self.client.copy_object(Bucket=self.bucket, Key=self.key_for(f"{folder}/{stored_name}"),
                                CopySource={"Bucket": self.bucket, "Key": source})
        self.client.delete_object(Bucket=self.bucket, Key=source)

    def entries(self) -> Iterator[tuple[str, datetime]]:
        """Every stored name in the bucket's prefix, with when it was written (for reconciling with the rows)."""
        start = f"{self.prefix}/" if self.prefix else ""
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
            for item in page.get("Contents", []):
                name = item["Key"][len(start):]
                if STORED_NAME.fullmatch(name):
                    yield name, item["LastModified"]

    def check(self) -> None:
        """Refuse, saying why, when the bucket cannot be reached or written with these credentials."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        probe = self.key_for(f".write-check-{secrets.token_hex(6)}")
        try:
            self.client.head_bucket(Bucket=self.bucket)
            # Some stores answer a HEAD without checking the signature: a write is what the app needs to work.
            self.client.put_object(Bucket=self.bucket, Key=probe, Body=b"")
            self.client.delete_object(Bucket=self.bucket, Key=probe)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "?")
            raise ObjectStoreProblem(f"The bucket {self.bucket} refused the app ({code}): check that it exists and "
                                     "that the credentials may read and write it.") from None
        except NoCredentialsError:
            raise ObjectStoreProblem("No credentials for the object store: set AWS_ACCESS_KEY_ID and "
                                     "AWS_SECRET_ACCESS_KEY (or an AWS profile).") from None
        except BotoCoreError as error:
            raise ObjectStoreProblem(f"The object store cannot be reached ({error}): check ILMA_S3_ENDPOINT.") \
                from None
